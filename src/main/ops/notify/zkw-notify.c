// zkw-notify: the agent's voice to systemd. Node has no unix datagram sockets, so the
// agent keeps this helper running for its whole life and writes one notify message
// per line to its stdin; each line goes out as one datagram to $NOTIFY_SOCKET (a path,
// or an abstract address written with a leading '@'). It exits when stdin closes, and
// dies with the agent (PR_SET_PDEATHSIG; the agent passes its pid as argv[1]). Being
// long-lived matters: systemd finds the unit of a message from its sender's pid, and a
// sender that has already exited (the race `systemd-notify` has) is not attributed. It
// is another pid than the agent, so the unit needs NotifyAccess=all.
//
// A failed send is reported on stderr once per distinct errno (not at every watchdog
// tick), and again after a send succeeds.

#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
  const char *target = getenv("NOTIFY_SOCKET");
  if (target == NULL || target[0] == '\0') {
    fprintf(stderr, "zkw-notify: NOTIFY_SOCKET is not set\n");
    return 2;
  }
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  size_t len = strlen(target);
  if ((target[0] != '/' && target[0] != '@') || len >= sizeof addr.sun_path) {
    fprintf(stderr, "zkw-notify: NOTIFY_SOCKET '%s' is neither an absolute path nor an @abstract name that fits\n", target);
    return 2;
  }
  memcpy(addr.sun_path, target, len);
  socklen_t addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
  if (target[0] == '@') addr.sun_path[0] = '\0';
  else addr_len += 1; // the path's terminating NUL, as sd_notify sends it

  // If the agent dies without closing our stdin (SIGKILL), go with it. Its pid comes in
  // argv[1]: if our parent is no longer that, it died before the prctl took hold (not
  // `getppid() == 1`, which is always true when the agent is PID 1 in a container).
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  long agent = argc > 1 ? strtol(argv[1], NULL, 10) : 0;
  if (agent <= 0) {
    fprintf(stderr, "zkw-notify: usage: zkw-notify AGENT_PID\n");
    return 64;
  }
  if ((long)getppid() != agent) return 0;

  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    perror("zkw-notify: socket");
    return 1;
  }
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  int last_errno = 0;
  while ((n = getline(&line, &cap, stdin)) >= 0) {
    if (n > 0 && line[n - 1] == '\n') line[--n] = '\0';
    if (n == 0) continue;
    if (sendto(fd, line, (size_t)n, MSG_NOSIGNAL, (struct sockaddr *)&addr, addr_len) < 0) {
      if (errno != last_errno) {
        fprintf(stderr, "zkw-notify: sending to %s failed: %s\n", target, strerror(errno));
        last_errno = errno;
      }
    } else if (last_errno != 0) {
      fprintf(stderr, "zkw-notify: sending to %s works again\n", target);
      last_errno = 0;
    }
  }
  free(line);
  close(fd);
  return 0;
}
