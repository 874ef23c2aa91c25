// spawn-loop: the C baseline of the saturation bench. WORKERS processes (one per core),
// each a loop of posix_spawn("/bin/sh", {"sh", "-c", CMD}) + waitpid for SECONDS, with
// stdin, stdout and stderr on /dev/null. It prints one JSON line: the runs completed
// (whatever their exit status), how many exited non-zero, the wall time, and the CPU
// of the workers and of every shell they ran.
//
// usage: spawn-loop WORKERS SECONDS CMD

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct counts {
  unsigned long completed;
  unsigned long nonzero;
  unsigned long spawn_errors;
};

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double seconds_of(struct timeval tv) { return (double)tv.tv_sec + (double)tv.tv_usec / 1e6; }

static void worker(struct counts *c, double deadline, char *cmd) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  char *argv[] = {"sh", "-c", cmd, NULL};
  while (now() < deadline) {
    pid_t pid;
    int err = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ);
    if (err != 0) {
      c->spawn_errors++;
      continue;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    c->completed++;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) c->nonzero++;
  }
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s WORKERS SECONDS CMD\n", argv[0]);
    return 2;
  }
  int workers = atoi(argv[1]);
  double seconds = atof(argv[2]);
  if (workers < 1 || seconds <= 0) {
    fprintf(stderr, "spawn-loop: WORKERS must be >= 1 and SECONDS > 0\n");
    return 2;
  }
  struct counts *counts = mmap(NULL, sizeof(struct counts) * (size_t)workers, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (counts == MAP_FAILED) {
    perror("spawn-loop: mmap");
    return 1;
  }
  memset(counts, 0, sizeof(struct counts) * (size_t)workers);
  double start = now();
  double deadline = start + seconds;
  for (int w = 0; w < workers; w++) {
    pid_t pid = fork();
    if (pid < 0) {
      perror("spawn-loop: fork");
      return 1;
    }
    if (pid == 0) {
      worker(&counts[w], deadline, argv[3]);
      _exit(0);
    }
  }
  for (int w = 0; w < workers; w++) {
    while (wait(NULL) < 0 && errno == EINTR) {
    }
  }
  double elapsed = now() - start;
  struct rusage ru;
  getrusage(RUSAGE_CHILDREN, &ru);
  unsigned long completed = 0, nonzero = 0, spawn_errors = 0;
  for (int w = 0; w < workers; w++) {
    completed += counts[w].completed;
    nonzero += counts[w].nonzero;
    spawn_errors += counts[w].spawn_errors;
  }
  printf("{\"workers\":%d,\"seconds\":%.3f,\"completed\":%lu,\"nonzero\":%lu,\"spawnErrors\":%lu,\"perSecond\":%.1f,\"cpuSeconds\":%.3f}\n", workers, elapsed,
         completed, nonzero, spawn_errors, (double)completed / elapsed, seconds_of(ru.ru_utime) + seconds_of(ru.ru_stime));
  return 0;
}
