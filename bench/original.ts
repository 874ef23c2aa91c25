// The Python original, Nextdoor's zk_watcher 0.4, run beside the agent in the same bench
// run when the operator names its command (--original or $ZK_WATCHER_ORIGINAL): the
// project ships none of its code. With Debian's python3-kazoo and python3-future and the
// two repositories (Nextdoor/zkwatcher, Nextdoor/ndserviceregistry) checked out in /opt:
//   --original 'env PYTHONPATH=/opt/zkwatcher:/opt/ndserviceregistry /usr/bin/python3 -m zk_watcher.zk_watcher'
// The bench appends `-c FILE -s SERVERS`, as the agent gets them.

import { spawn, type ChildProcess } from 'node:child_process';

export interface OriginalProcess {
  readonly pid: number;
  /** Resolves with the exit code or signal once it has exited. */
  readonly exited: Promise<number | string>;
  /** The last few KB of what it wrote (it logs to stderr), for an error message. */
  tail(): string;
  /** SIGTERM, then SIGKILL after `graceMs` (the original needs seconds per node to stop). */
  stop(graceMs?: number): Promise<number | string>;
}

const TAIL_BYTES = 4096;

export function startOriginal(command: string, args: readonly string[]): OriginalProcess {
  // exec: the pid measured is Python's, not a shell's.
  const child: ChildProcess = spawn('/bin/sh', ['-c', `exec ${command} "$@"`, 'zk_watcher', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  // Kept short: at thousands of services it logs a line per node, and the bench must not hold them all.
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | string>((resolve) => child.on('close', (code, signal) => resolve(code ?? signal ?? -1)));
  process.once('exit', () => child.kill('SIGKILL'));
  return {
    pid: child.pid!,
    exited,
    tail: () => tail,
    async stop(graceMs = 5000) {
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), graceMs)));
      const outcome = await Promise.race([exited, late]);
      clearTimeout(timer);
      if (outcome !== 'late') return outcome;
      child.kill('SIGKILL');
      return exited;
    },
  };
}
