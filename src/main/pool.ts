// Checks run off the main thread: p-queue admits at most N at once (so the
// piscina queue never grows without bound) and piscina's worker threads run them,
// each through its own zkw-spawn helper. Results come back over the workers'
// message ports. A worker that dies or stops answering is replaced.

import { accessSync, constants } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import PQueue from 'p-queue';
import { Piscina } from 'piscina';
import type { CheckJob, CheckResult } from '../shared/types.js';

export interface PoolOptions {
  readonly concurrency: number;
  readonly threads?: number;
  /** Environment every check starts with. */
  readonly env: Readonly<Record<string, string>>;
  /** The worker module (tests substitute one that misbehaves on purpose). */
  readonly workerFile?: URL;
  /** Undefined: the helper next to the worker, if it was built; null: Node's spawn. */
  readonly spawner?: string | null;
  /** Called when a check starts, with how late it is against its schedule. */
  readonly onStarted?: (lagMs: number, job: CheckJob) => void;
}

/** How long after a check's own deadline we wait for its worker before replacing it. */
const WORKER_GRACE_MS = 5000;
/** Process groups tracked for the agent's exit; more than the concurrency ever allows. */
const GROUP_SLOTS = 100_000;
const DEFAULT_WORKER = new URL('../workers/check.js', import.meta.url);

export function builtSpawner(): string | null {
  const path = fileURLToPath(new URL('../workers/zkw-spawn', import.meta.url));
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return null;
  }
}

export class CheckPool {
  readonly spawner: string | null;
  readonly threads: number;
  private readonly queue: PQueue;
  private readonly piscina: Piscina;
  private readonly groups: Int32Array;
  private closed = false;
  private lostToWorkers = 0;

  constructor(private readonly options: PoolOptions) {
    this.threads = options.threads ?? Math.max(1, Math.min(4, availableParallelism()));
    this.spawner = options.spawner === undefined ? builtSpawner() : options.spawner;
    const buffer = new SharedArrayBuffer(4 * Math.min(GROUP_SLOTS, options.concurrency + 64));
    this.groups = new Int32Array(buffer);
    this.queue = new PQueue({ concurrency: options.concurrency });
    this.piscina = new Piscina({
      filename: (options.workerFile ?? DEFAULT_WORKER).href,
      minThreads: this.threads,
      maxThreads: this.threads,
      idleTimeout: Number.MAX_SAFE_INTEGER,
      concurrentTasksPerWorker: Math.ceil(options.concurrency / this.threads),
      // Workers wait for tasks on their event loop, which also carries the helper's reports;
      // piscina's default Atomics.wait would block that loop between tasks.
      atomics: 'disabled',
      workerData: { groups: buffer, env: options.env, spawner: this.spawner },
    });
  }

  /** Checks waiting for a free slot. */
  get pending(): number {
    return this.queue.size;
  }

  get running(): number {
    return this.queue.pending;
  }

  /** Check runs lost because their worker died or stopped answering (the worker is replaced). */
  get workerFailures(): number {
    return this.lostToWorkers;
  }

  /** Run one check; `dueAt` (performance.now() time) is when its schedule wanted it to start. */
  run(job: CheckJob, dueAt: number = performance.now()): Promise<CheckResult> {
    if (this.closed) return Promise.resolve(failed(job, 'the agent is stopping'));
    return this.queue.add(() => {
      this.options.onStarted?.(Math.max(0, performance.now() - dueAt), job);
      return this.runInWorker(job);
    }) as Promise<CheckResult>;
  }

  private async runInWorker(job: CheckJob): Promise<CheckResult> {
    // Aborting a task that is running makes piscina terminate its worker and start a new one.
    const abort = new AbortController();
    const graceMs = job.timeoutMs + WORKER_GRACE_MS;
    const timer = setTimeout(() => abort.abort(), graceMs);
    try {
      return (await this.piscina.run(job, { signal: abort.signal })) as CheckResult;
    } catch (e) {
      if (this.closed) return failed(job, 'the agent is stopping');
      this.lostToWorkers++;
      if (abort.signal.aborted) return failed(job, `the check worker did not answer within ${graceMs / 1000} s; it was replaced`);
      return failed(job, `the check worker failed (${(e as Error).message}); it was replaced`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Synchronously kill every check process group Node's spawn started (safe in an 'exit' handler). */
  killAllGroups(): number {
    let killed = 0;
    for (let i = 0; i < this.groups.length; i++) {
      const pgid = Atomics.load(this.groups, i);
      if (pgid <= 0) continue;
      try {
        process.kill(-pgid, 'SIGKILL');
        killed++;
      } catch {
        // already gone
      }
    }
    return killed;
  }

  /** Ends the workers; each helper kills and reaps the checks it still runs. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.clear();
    this.killAllGroups();
    await this.piscina.destroy();
  }
}

function failed(job: CheckJob, reason: string): CheckResult {
  return { service: job.service, passed: false, reason, exitCode: null, signal: null, timedOut: false, durationMs: 0, outputTail: '' };
}
