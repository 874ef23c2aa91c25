// zkw-spawn: the check helper. One long-lived process per check worker thread; it
// runs `/bin/sh -c CMD` for each request with posix_spawn (vfork+exec, so its cost
// does not grow with the agent's memory as Node's fork-based spawn does), each in
// its own process group, stdin from /dev/null, stdout+stderr into a pipe of which
// only the last 4 KiB are kept. At a check's deadline its whole group gets TERM,
// then KILL after a grace; when the shell exits, whatever it left in its group is
// killed. When the agent goes away (stdin closes, or SIGTERM), every running group
// is killed and reaped before the helper exits, so no check outlives the agent.
//
// Usage: zkw-spawn AGENT_PID. The agent's pid tells the helper whether its parent is
// still the agent: getppid() == 1 cannot, since the agent may itself be PID 1 (a container).
//
// Protocol (stdin): "<id> <timeout_ms> <cmd_len>\n" followed by cmd_len bytes.
// Protocol (stdout): "D <id> <kind> <value> <timed_out> <duration_us> <output_total> <tail_len>\n"
// followed by tail_len bytes; kind is x (exit code), s (signal) or e (errno: not started).
// Before that, "S <id> <pid>\n" once the check has started: its process group, which the
// agent kills itself should this helper be killed (SIGKILL leaves it no chance to).

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TAIL_BYTES 4096
#define KILL_GRACE_MS 1000
#define DRAIN_MS 500
#define TAG_STDIN UINT32_MAX
#define TAG_SIGNALS (UINT32_MAX - 1)

extern char **environ;

struct job {
  int used;
  char id[32];
  pid_t pid;
  int out_fd;
  int64_t started_ms, deadline_ms, kill_at_ms, drain_until_ms;
  int timed_out, term_sent, killed, exited, status, eof;
  uint64_t started_us;
  size_t tail_len, tail_start;
  unsigned long long output_total;
  char tail[TAIL_BYTES];
};

static struct job *jobs;
static size_t jobs_cap, active;
static int epfd;
// Every check's stdin, opened once (a path lookup per check otherwise).
static int devnull;
static char *inbuf;
static size_t in_len, in_cap;
static char *outbuf;
static size_t out_len, out_cap;

static uint64_t now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}
static int64_t now_ms(void) { return (int64_t)(now_us() / 1000u); }

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n);
  if (q == NULL) {
    perror("zkw-spawn: out of memory");
    exit(70);
  }
  return q;
}

static void out_append(const char *data, size_t n) {
  if (out_len + n > out_cap) {
    while (out_len + n > out_cap) out_cap = out_cap ? out_cap * 2 : 65536;
    outbuf = xrealloc(outbuf, out_cap);
  }
  memcpy(outbuf + out_len, data, n);
  out_len += n;
}

static void kill_everything_and_exit(void);

static void out_flush(void) {
  size_t done = 0;
  while (done < out_len) {
    ssize_t w = write(1, outbuf + done, out_len - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      out_len = 0;
      kill_everything_and_exit(); // nobody reads our reports: the agent is gone
    }
    done += (size_t)w;
  }
  out_len = 0;
}

static void tail_push(struct job *j, const char *data, size_t n) {
  // Keep only the last TAIL_BYTES of what the check wrote, in a ring.
  j->output_total += n;
  if (n >= TAIL_BYTES) {
    memcpy(j->tail, data + n - TAIL_BYTES, TAIL_BYTES);
    j->tail_start = 0;
    j->tail_len = TAIL_BYTES;
    return;
  }
  for (size_t i = 0; i < n; i++) {
    size_t pos = (j->tail_start + j->tail_len) % TAIL_BYTES;
    j->tail[pos] = data[i];
    if (j->tail_len < TAIL_BYTES) j->tail_len++;
    else j->tail_start = (j->tail_start + 1) % TAIL_BYTES;
  }
}

static void report(struct job *j, char kind, int value) {
  char head[160];
  uint64_t took = now_us() - j->started_us;
  int n = snprintf(head, sizeof head, "D %s %c %d %d %llu %llu %zu\n", j->id, kind, value, j->timed_out, (unsigned long long)took, j->output_total, j->tail_len);
  out_append(head, (size_t)n);
  size_t first = j->tail_len;
  if (j->tail_start + first > TAIL_BYTES) first = TAIL_BYTES - j->tail_start;
  out_append(j->tail + j->tail_start, first);
  out_append(j->tail, j->tail_len - first);
}

static void finish(struct job *j) {
  if (!j->used) return; // finished already: one report per job, and `active` stays true
  if (j->out_fd >= 0) {
    epoll_ctl(epfd, EPOLL_CTL_DEL, j->out_fd, NULL);
    close(j->out_fd);
    j->out_fd = -1;
  }
  if (WIFSIGNALED(j->status)) report(j, 's', WTERMSIG(j->status));
  else report(j, 'x', WEXITSTATUS(j->status));
  j->used = 0;
  active--;
}

static struct job *new_job(void) {
  for (size_t i = 0; i < jobs_cap; i++)
    if (!jobs[i].used) return &jobs[i];
  size_t old = jobs_cap;
  jobs_cap = jobs_cap ? jobs_cap * 2 : 64;
  jobs = xrealloc(jobs, jobs_cap * sizeof *jobs);
  memset(jobs + old, 0, (jobs_cap - old) * sizeof *jobs);
  return &jobs[old];
}

static void start(const char *id, long timeout_ms, const char *cmd) {
  struct job *j = new_job();
  memset(j, 0, offsetof(struct job, tail));
  snprintf(j->id, sizeof j->id, "%s", id);
  j->out_fd = -1;
  j->started_us = now_us();
  j->started_ms = (int64_t)(j->started_us / 1000u);
  j->deadline_ms = j->started_ms + timeout_ms;
  int fds[2];
  int err = pipe2(fds, O_CLOEXEC) == 0 ? 0 : errno;
  if (err == 0) {
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, ignored;
    sigemptyset(&none);
    // Handled signals reset to default at exec by themselves; only those we ignore would
    // stay ignored in the check. (Resetting all 64 cost the child as many syscalls.)
    sigemptyset(&ignored);
    sigaddset(&ignored, SIGPIPE);
    sigaddset(&ignored, SIGINT);
    sigaddset(&ignored, SIGHUP);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, devnull, 0);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    posix_spawnattr_init(&attr);
    // Its own process group (so the whole tree can be signalled), default signal
    // dispositions and an empty mask (the helper blocks SIGCHLD/SIGTERM for its signalfd).
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &ignored);
    char *argv[] = {"sh", "-c", (char *)cmd, NULL};
    err = posix_spawn(&j->pid, "/bin/sh", &fa, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(fds[1]);
    if (err != 0) close(fds[0]);
  }
  if (err != 0) {
    j->used = 1;
    active++;
    report(j, 'e', err);
    j->used = 0;
    active--;
    return;
  }
  char started[64];
  int n = snprintf(started, sizeof started, "S %s %d\n", j->id, (int)j->pid);
  out_append(started, (size_t)n);
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  j->out_fd = fds[0];
  j->used = 1;
  active++;
  struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)(j - jobs)};
  epoll_ctl(epfd, EPOLL_CTL_ADD, j->out_fd, &ev);
}

static void read_output(struct job *j) {
  char buf[65536];
  for (;;) {
    ssize_t n = read(j->out_fd, buf, sizeof buf);
    if (n > 0) {
      tail_push(j, buf, (size_t)n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    j->eof = 1; // EOF or a read error: nothing more will come
    epoll_ctl(epfd, EPOLL_CTL_DEL, j->out_fd, NULL);
    close(j->out_fd);
    j->out_fd = -1;
    if (j->exited) finish(j);
    return;
  }
}

static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (size_t i = 0; i < jobs_cap; i++) {
      struct job *j = &jobs[i];
      if (!j->used || j->pid != pid || j->exited) continue;
      j->exited = 1;
      j->status = status;
      // The shell is gone; whatever it left running in its group must not outlive the check.
      kill(-pid, SIGKILL);
      if (j->out_fd >= 0) read_output(j);
      // read_output has already finished it if that read met EOF: finishing twice reported
      // the check twice and miscounted `active`, which could stop every timeout from firing.
      if (!j->used) break;
      if (j->eof) finish(j);
      else j->drain_until_ms = now_ms() + DRAIN_MS;
      break;
    }
  }
}

static void parse_requests(void) {
  size_t pos = 0;
  for (;;) {
    char *nl = memchr(inbuf + pos, '\n', in_len - pos);
    if (nl == NULL) break;
    char id[32];
    long timeout_ms;
    size_t cmd_len;
    *nl = '\0';
    if (sscanf(inbuf + pos, "%31s %ld %zu", id, &timeout_ms, &cmd_len) != 3) {
      fprintf(stderr, "zkw-spawn: bad request line\n");
      exit(65);
    }
    size_t body = (size_t)(nl - inbuf) + 1;
    if (in_len - body < cmd_len) {
      *nl = '\n'; // wait for the rest of the command
      break;
    }
    char *cmd = malloc(cmd_len + 1);
    if (cmd == NULL) exit(70);
    memcpy(cmd, inbuf + body, cmd_len);
    cmd[cmd_len] = '\0';
    start(id, timeout_ms, cmd);
    free(cmd);
    pos = body + cmd_len;
  }
  memmove(inbuf, inbuf + pos, in_len - pos);
  in_len -= pos;
}

// As a subreaper, every descendant whose parent died is our child: a check's process that
// left its group (setsid) is found here. Kill them all, and the orphans that killing them
// hands us, until we have no child left (bounded, should one keep forking).
static void kill_orphans(void) {
  char path[64];
  snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
  for (int round = 0; round < 500; round++) {
    FILE *f = fopen(path, "r");
    int pid, any = 0;
    if (f != NULL) {
      // `any` only for progress: a child we may not signal (EPERM) would keep us looping for nothing.
      while (fscanf(f, "%d", &pid) == 1)
        if (kill(pid, SIGKILL) == 0) any = 1;
      fclose(f);
    } else if (round == 0) {
      fprintf(stderr, "zkw-spawn: cannot list its children (%s): a check process that left its group may outlive the agent\n", strerror(errno));
    }
    while (waitpid(-1, NULL, WNOHANG) > 0) any = 1;
    if (!any) return;
    usleep(1000);
  }
}

static void kill_everything_and_exit(void) {
  for (size_t i = 0; i < jobs_cap; i++)
    if (jobs[i].used && !jobs[i].exited) kill(-jobs[i].pid, SIGKILL);
  for (size_t i = 0; i < jobs_cap; i++)
    if (jobs[i].used && !jobs[i].exited) waitpid(jobs[i].pid, NULL, 0);
  kill_orphans();
  exit(0);
}

static void on_timers(void) {
  int64_t t = now_ms();
  for (size_t i = 0; i < jobs_cap; i++) {
    struct job *j = &jobs[i];
    if (!j->used) continue;
    if (j->exited) {
      // The shell exited but something it started in another session still holds the pipe.
      if (t >= j->drain_until_ms) finish(j);
      continue;
    }
    if (!j->term_sent && t >= j->deadline_ms) {
      j->timed_out = j->term_sent = 1;
      j->kill_at_ms = t + KILL_GRACE_MS;
      kill(-j->pid, SIGTERM);
    } else if (j->term_sent && !j->killed && t >= j->kill_at_ms) {
      j->killed = 1;
      kill(-j->pid, SIGKILL);
    }
  }
}

static int next_wait_ms(void) {
  if (active == 0) return -1;
  int64_t t = now_ms(), next = INT64_MAX;
  for (size_t i = 0; i < jobs_cap; i++) {
    struct job *j = &jobs[i];
    if (!j->used) continue;
    int64_t at = j->exited ? j->drain_until_ms : !j->term_sent ? j->deadline_ms : !j->killed ? j->kill_at_ms : INT64_MAX;
    if (at < next) next = at;
  }
  if (next == INT64_MAX) return -1;
  return next <= t ? 0 : (int)(next - t > 60000 ? 60000 : next - t);
}

int main(int argc, char **argv) {
  // If the thread that started us goes away, so do we (and, below, our checks).
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  long agent = argc > 1 ? strtol(argv[1], NULL, 10) : 0;
  if (agent <= 0) {
    fprintf(stderr, "zkw-spawn: usage: zkw-spawn AGENT_PID\n");
    return 64;
  }
  // Orphans of checks become our children, so they are reaped even where PID 1 does not reap.
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGINT, SIG_IGN); // a terminal's ^C is the agent's to handle, not ours
  signal(SIGHUP, SIG_IGN);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigaddset(&mask, SIGTERM);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  epfd = epoll_create1(EPOLL_CLOEXEC);
  devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (sfd < 0 || epfd < 0 || devnull < 0) {
    perror("zkw-spawn");
    return 71;
  }
  // The agent died before PR_SET_PDEATHSIG took hold: we were already handed to a reaper.
  if ((long)getppid() != agent) kill_everything_and_exit();
  fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
  struct epoll_event ev = {.events = EPOLLIN, .data.u32 = TAG_STDIN};
  epoll_ctl(epfd, EPOLL_CTL_ADD, 0, &ev);
  ev.data.u32 = TAG_SIGNALS;
  epoll_ctl(epfd, EPOLL_CTL_ADD, sfd, &ev);
  in_cap = 65536;
  inbuf = xrealloc(NULL, in_cap);

  struct epoll_event events[256];
  for (;;) {
    int n = epoll_wait(epfd, events, 256, next_wait_ms());
    if (n < 0 && errno != EINTR) {
      perror("zkw-spawn: epoll_wait");
      kill_everything_and_exit();
    }
    for (int e = 0; e < n; e++) {
      uint32_t tag = events[e].data.u32;
      if (tag == TAG_STDIN) {
        for (;;) {
          if (in_cap - in_len < 4096) inbuf = xrealloc(inbuf, in_cap *= 2);
          ssize_t r = read(0, inbuf + in_len, in_cap - in_len);
          if (r > 0) {
            in_len += (size_t)r;
            continue;
          }
          if (r < 0 && (errno == EINTR)) continue;
          if (r < 0 && errno == EAGAIN) break;
          out_flush();
          kill_everything_and_exit(); // EOF: the agent is gone
        }
        parse_requests();
      } else if (tag == TAG_SIGNALS) {
        struct signalfd_siginfo si;
        int term = 0;
        while (read(sfd, &si, sizeof si) == sizeof si)
          if (si.ssi_signo == SIGTERM) term = 1;
        if (term) kill_everything_and_exit();
        reap();
      } else if (tag < jobs_cap && jobs[tag].used && jobs[tag].out_fd >= 0) {
        read_output(&jobs[tag]);
      }
    }
    on_timers();
    out_flush();
  }
}
