// The piscina worker: serves a lane of CheckJobs in, CheckResults out (lane.ts). A
// failing check is a result, never an exception. A job's kinds (cmd, http, tcp, grpc) run side by side and
// all must pass. The reason of an in-process kind always names it (`http: 503 (want 200-299)`); a
// command's alone stays as it was (`exit 1`), and names its kind beside others.

import { createRequire } from 'node:module';
import type { MessagePort } from 'node:worker_threads';
import type * as PiscinaModule from 'piscina';
import { serveLane } from './lane.js';
import type { CheckJob, CheckResult } from '../shared/types.js';
import { GroupRegistry } from './group-registry.js';
import { checkGrpc } from './grpc-check.js';
import { checkHttp, checkTcp, type NetOutcome } from './net-check.js';
import { SpawnerClient } from './spawner-client.js';
import { runCommand, type CommandOutcome } from './spawn.js';

export interface CheckWorkerData {
  /** Int32 slots shared with the main thread: the process groups Node's spawn started. */
  readonly groups: SharedArrayBuffer;
  /** The environment every check starts with (set once, not sent with each job). */
  readonly env: Readonly<Record<string, string>>;
  /** The zkw-spawn helper's path, or null to fall back to Node's (slower) spawn. */
  readonly spawner: string | null;
}

// require(), not import: an ESM import of a CommonJS package runs Node's export lexer in
// this isolate too, a few MB per worker thread (issue 13).
const data = (createRequire(import.meta.url)('piscina') as typeof PiscinaModule).workerData as CheckWorkerData;
const registry = new GroupRegistry(data.groups);
const hooks = { onGroupStarted: (g: number) => registry.add(g), onGroupEnded: (g: number) => registry.remove(g) };
const spawner = data.spawner === null ? null : new SpawnerClient(data.spawner, data.env);

interface PartOutcome {
  readonly kind: 'cmd' | 'http' | 'tcp' | 'grpc';
  readonly passed: boolean;
  readonly reason: string;
  readonly durationMs: number;
  readonly outputTail: string;
}

/** piscina's task: serve one lane until the main thread closes it. */
export default function lane({ port }: { port: MessagePort }): Promise<void> {
  return serveLane(port, runCheck);
}

async function runCheck(job: CheckJob): Promise<CheckResult> {
  const parts: Promise<PartOutcome>[] = [];
  let command: Promise<CommandOutcome> | null = null;
  if (job.cmd !== null) {
    command = spawner === null ? runCommand(job.cmd, job.timeoutMs, data.env, hooks) : spawner.run(job.cmd, job.timeoutMs);
    parts.push(command.then((o) => ({ kind: 'cmd', passed: o.exitCode === 0 && !o.timedOut, reason: describe(o, job.timeoutMs), durationMs: o.durationMs, outputTail: o.outputTail })));
  }
  if (job.http !== null) parts.push(checkHttp(job.http, job.timeoutMs, job.httpOptions, job.tls).then((o) => part('http', o)));
  if (job.tcp !== null) parts.push(checkTcp(job.tcp, job.timeoutMs, job.tcpOptions, job.tls).then((o) => part('tcp', o)));
  if (job.grpc != null) parts.push(checkGrpc(job.grpc, job.timeoutMs, job.tls).then((o) => part('grpc', o)));
  const done = await Promise.all(parts);
  const cmd = command === null ? null : await command;
  const failed = done.filter((p) => !p.passed);
  const shown = failed.length > 0 ? failed : done;
  return {
    service: job.service,
    passed: done.length > 0 && failed.length === 0,
    reason: done.length === 1 ? done[0]!.reason : shown.map((p) => (p.kind === 'cmd' ? `cmd: ${p.reason}` : p.reason)).join('; '),
    exitCode: cmd?.exitCode ?? null,
    signal: cmd?.signal ?? null,
    timedOut: cmd?.timedOut ?? false,
    durationMs: Math.round(Math.max(0, ...done.map((p) => p.durationMs)) * 10) / 10,
    outputTail: shown.map((p) => p.outputTail).join(''),
  };
}

function part(kind: 'http' | 'tcp' | 'grpc', o: NetOutcome): PartOutcome {
  return { kind, passed: o.passed, reason: `${kind}: ${o.reason}`, durationMs: o.durationMs, outputTail: o.outputTail };
}

function describe(o: CommandOutcome, timeoutMs: number): string {
  if (o.spawnError !== null) return `could not start /bin/sh: ${o.spawnError}`;
  if (o.timedOut) return `timed out after ${timeoutMs / 1000} s; process group killed`;
  if (o.signal !== null) return `killed by ${o.signal}`;
  return o.exitCode === 0 ? 'exit 0' : `exit ${o.exitCode}`;
}
