// The piscina worker: one CheckJob in, one CheckResult out. A failing check is a
// result, never an exception.

import { workerData } from 'piscina';
import type { CheckJob, CheckResult } from '../shared/types.js';
import { GroupRegistry } from './group-registry.js';
import { runCommand, type CommandOutcome } from './spawn.js';

export interface CheckWorkerData {
  /** Int32 slots shared with the main thread: the process groups now running. */
  readonly groups: SharedArrayBuffer;
  /** The environment every check starts with (set once, not sent with each job). */
  readonly env: Readonly<Record<string, string>>;
}

const data = workerData as CheckWorkerData;
const registry = new GroupRegistry(data.groups);
const hooks = { onGroupStarted: (g: number) => registry.add(g), onGroupEnded: (g: number) => registry.remove(g) };

export default async function runCheck(job: CheckJob): Promise<CheckResult> {
  const outcome = await runCommand(job.cmd ?? "true", job.timeoutMs, data.env, hooks);
  return {
    service: job.service,
    passed: outcome.exitCode === 0 && !outcome.timedOut,
    reason: describe(outcome, job.timeoutMs),
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    timedOut: outcome.timedOut,
    durationMs: Math.round(outcome.durationMs * 10) / 10,
    outputTail: outcome.outputTail,
  };
}

function describe(o: CommandOutcome, timeoutMs: number): string {
  if (o.spawnError !== null) return `could not start /bin/sh: ${o.spawnError}`;
  if (o.timedOut) return `timed out after ${timeoutMs / 1000} s; process group killed`;
  if (o.signal !== null) return `killed by ${o.signal}`;
  return o.exitCode === 0 ? 'exit 0' : `exit ${o.exitCode}`;
}
