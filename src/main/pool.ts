// Checks run off the main thread: p-queue admits at most N at once (so the
// piscina queue never grows without bound) and piscina's worker threads run them.
// Results come back over the workers' message ports.

import { availableParallelism } from 'node:os';
import PQueue from 'p-queue';
import { Piscina } from 'piscina';
import type { CheckJob, CheckResult } from '../shared/types.js';

export interface PoolOptions {
  readonly concurrency: number;
  readonly threads?: number;
  /** Environment every check starts with. */
  readonly env: Readonly<Record<string, string>>;
}

/** How long after a check's own deadline we stop waiting for its worker. */
const WORKER_GRACE_MS = 5000;
/** Process groups tracked for the agent's exit; more than the concurrency ever allows. */
const GROUP_SLOTS = 100_000;

export class CheckPool {
  private readonly queue: PQueue;
  private readonly piscina: Piscina;
  private readonly groups: Int32Array;
  private closed = false;

  constructor(options: PoolOptions) {
    const threads = options.threads ?? Math.max(1, Math.min(4, availableParallelism()));
    const buffer = new SharedArrayBuffer(4 * Math.min(GROUP_SLOTS, options.concurrency + 64));
    this.groups = new Int32Array(buffer);
    this.queue = new PQueue({ concurrency: options.concurrency });
    this.piscina = new Piscina({
      filename: new URL('../workers/check.js', import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Number.MAX_SAFE_INTEGER,
      concurrentTasksPerWorker: Math.ceil(options.concurrency / threads),
      workerData: { groups: buffer, env: options.env },
    });
  }

  get pending(): number {
    return this.queue.size;
  }

  get running(): number {
    return this.queue.pending;
  }

  run(job: CheckJob): Promise<CheckResult> {
    if (this.closed) return Promise.resolve(failed(job, 'the agent is stopping'));
    return this.queue.add(() => this.runInWorker(job)) as Promise<CheckResult>;
  }

  private async runInWorker(job: CheckJob): Promise<CheckResult> {
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<CheckResult>((resolve) => {
      timer = setTimeout(() => resolve(failed(job, 'the check worker did not answer in time')), job.timeoutMs + WORKER_GRACE_MS);
    });
    try {
      return await Promise.race([this.piscina.run(job) as Promise<CheckResult>, stuck]);
    } catch (e) {
      return failed(job, `the check worker failed: ${(e as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Synchronously kill every check process group still running (safe in an 'exit' handler). */
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
