// One check command: `/bin/sh -c CMD` in its own process group, stdin closed,
// killed as a whole group at its deadline and always waited for.

import { spawn } from 'node:child_process';
import { OutputTail } from './output-tail.js';

export interface CommandOutcome {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly spawnError: string | null;
  readonly outputTail: string;
  readonly durationMs: number;
}

export interface CommandHooks {
  /** Called with the group id as soon as the group exists, so the agent can kill it on exit. */
  onGroupStarted?(pgid: number): void;
  onGroupEnded?(pgid: number): void;
}

const OUTPUT_TAIL_BYTES = 4096;
/** Between TERM and KILL at a timeout: enough for a script's trap to clean up. */
const KILL_GRACE_MS = 1000;
/** After the shell exits, how long stragglers' pipes may stay open before we stop reading. */
const PIPE_DRAIN_MS = 500;

export function runCommand(cmd: string, timeoutMs: number, env: NodeJS.ProcessEnv, hooks: CommandHooks = {}): Promise<CommandOutcome> {
  const started = performance.now();
  const tail = new OutputTail(OUTPUT_TAIL_BYTES);
  return new Promise((resolve) => {
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    let settled = false;
    const child = spawn('/bin/sh', ['-c', cmd], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
    const pgid = child.pid;
    if (pgid !== undefined) hooks.onGroupStarted?.(pgid);
    child.stdout?.on('data', (b: Buffer) => tail.push(b));
    child.stderr?.on('data', (b: Buffer) => tail.push(b));

    const deadline = setTimeout(() => {
      timedOut = true;
      signalGroup(pgid, 'SIGTERM');
      killTimer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), KILL_GRACE_MS);
    }, timeoutMs);

    const finish = (exitCode: number | null, signal: string | null, spawnError: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      clearTimeout(killTimer);
      if (pgid !== undefined) hooks.onGroupEnded?.(pgid);
      resolve({ exitCode, signal, timedOut, spawnError, outputTail: tail.text(), durationMs: performance.now() - started });
    };

    child.on('error', (e) => {
      // No process was started (e.g. EAGAIN): there is nothing to wait for.
      if (child.pid === undefined) finish(null, null, e.message);
    });
    child.on('exit', (code, signal) => {
      // The shell is reaped; whatever it left in its group must not outlive the check.
      signalGroup(pgid, 'SIGKILL');
      const drain = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish(code, signal, null);
      }, PIPE_DRAIN_MS);
      child.once('close', () => {
        clearTimeout(drain);
        finish(code, signal, null);
      });
    });
  });
}

function signalGroup(pgid: number | undefined, signal: NodeJS.Signals): void {
  if (pgid === undefined) return;
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}
