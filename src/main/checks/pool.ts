// Checks run off the main thread: p-queue admits at most N at once, and each of
// piscina's worker threads runs one lane (a long-lived task fed over a MessagePort,
// see lane.ts) whose checks go through its own zkw-spawn helper. A worker that dies
// or stops answering is replaced, and its checks fail with the reason.

import { accessSync, constants } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import PQueue from 'p-queue';
import { Piscina } from 'piscina';
import type { EngineFacts } from '../../shared/engine-liveness.js';
import type { CheckJob, CheckResult } from '../../shared/types.js';
import { Lane } from './lane.js';

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
/** The helper's TERM-to-KILL grace and output drain, plus scheduling noise. */
const ANSWER_SLACK_MS = 2000;
const WATCHDOG_INTERVAL_MS = 500;
/** Process groups tracked for the agent's exit; more than the concurrency ever allows. */
const GROUP_SLOTS = 100_000;
const DEFAULT_WORKER = new URL('../../workers/check.js', import.meta.url);

export function builtSpawner(): string | null {
  const path = fileURLToPath(new URL('../../workers/zkw-spawn', import.meta.url));
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
  private readonly lanes: Lane[] = [];
  private readonly watchdog: NodeJS.Timeout;
  private closed = false;
  private lostToWorkers = 0;
  /**
   * Checks admitted to p-queue and not started yet, with how to answer them. p-queue's
   * clear() drops its tasks without settling them, so closing answers these itself.
   */
  private readonly waiting = new Set<{ readonly job: CheckJob; readonly answer: (result: CheckResult) => void }>();
  private lastSweepAt = performance.now();
  private lastStartAt = performance.now();

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
      // One lane (a long-lived task) per worker thread.
      concurrentTasksPerWorker: 1,
      // Workers wait on their event loop, which also carries the helper's reports;
      // piscina's default Atomics.wait would block that loop between tasks.
      atomics: 'disabled',
      workerData: { groups: buffer, env: options.env, spawner: this.spawner },
    });
    for (let i = 0; i < this.threads; i++) this.openLane();
    this.watchdog = setInterval(() => this.replaceHungLanes(), WATCHDOG_INTERVAL_MS);
    this.watchdog.unref();
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

  /** Worker threads with a check past its timeout and the helper's grace: no new work goes to them (hung, if it lasts). */
  get lateWorkers(): number {
    return this.lanes.filter((lane) => lane.late).length;
  }

  /** Run one check; `dueAt` (performance.now() time) is when its schedule wanted it to start. */
  run(job: CheckJob, dueAt: number = performance.now()): Promise<CheckResult> {
    if (this.closed) return Promise.resolve(failed(job, 'the agent is stopping'));
    return new Promise<CheckResult>((answer) => {
      const entry = { job, answer };
      this.waiting.add(entry);
      void this.queue.add(async () => {
        if (!this.waiting.delete(entry)) return; // answered by close() already
        this.lastStartAt = performance.now();
        this.options.onStarted?.(Math.max(0, this.lastStartAt - dueAt), job);
        answer(await this.pickLane().submit(job));
      });
    });
  }

  /** What the systemd watchdog judges the engine's liveness on (shared/engine-liveness.ts). */
  engineFacts(): EngineFacts {
    const now = performance.now();
    let overdueMs = 0;
    for (const lane of this.lanes) overdueMs = Math.max(overdueMs, lane.mostOverdue(now, workerGraceMs)?.byMs ?? 0);
    return { now, lastSweepAt: this.lastSweepAt, overdueMs, queued: this.queue.size, freeSlots: Math.max(0, this.options.concurrency - this.queue.pending), lastStartAt: this.lastStartAt };
  }

  /** The least busy lane among those not marked late by the watchdog (a stuck worker gets no more). */
  private pickLane(): Lane {
    let best: Lane | undefined;
    for (const lane of this.lanes) {
      if (best === undefined || (best.late && !lane.late) || (lane.late === best.late && lane.size < best.size)) best = lane;
    }
    return best!;
  }

  private openLane(): void {
    const lane = new Lane(this.piscina);
    this.lanes.push(lane);
    void lane.done.then((end) => {
      if (end.kind === 'failed') this.retire(lane, `the check worker failed (${end.reason}); it was replaced`, false);
    });
  }

  /** Fails a lane's checks with `reason` and opens a new lane in its place. */
  private retire(lane: Lane, reason: string, terminate: boolean): void {
    const at = this.lanes.indexOf(lane);
    if (at < 0) return;
    this.lanes.splice(at, 1);
    const lost = lane.size;
    lane.end((job) => failed(job, this.closed ? 'the agent is stopping' : reason), terminate);
    if (this.closed) return;
    this.lostToWorkers += lost;
    this.openLane();
  }

  private replaceHungLanes(): void {
    const now = performance.now();
    this.lastSweepAt = now;
    for (const lane of [...this.lanes]) {
      const hung = lane.mostOverdue(now, workerGraceMs);
      if (hung !== null) this.retire(lane, `the check worker did not answer within ${workerGraceMs(hung.job) / 1000} s; it was replaced`, true);
      else lane.late = lane.mostOverdue(now, answerAllowanceMs) !== null;
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

  /** Ends the workers (each helper kills and reaps the checks it still runs); every check not yet answered fails with "the agent is stopping". */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.watchdog);
    this.queue.clear();
    for (const { job, answer } of this.waiting) answer(failed(job, 'the agent is stopping'));
    this.waiting.clear();
    this.killAllGroups();
    for (const lane of [...this.lanes]) this.retire(lane, 'the agent is stopping', false);
    await this.piscina.destroy();
  }
}

/** How long past its own timeout a check may take before its worker counts as hung. */
function workerGraceMs(job: CheckJob): number {
  return job.timeoutMs + WORKER_GRACE_MS;
}

/** A check answered later than this (timeout, the helper's kill grace and drain) is late: its lane gets no new work. */
function answerAllowanceMs(job: CheckJob): number {
  return job.timeoutMs + ANSWER_SLACK_MS;
}

function failed(job: CheckJob, reason: string): CheckResult {
  return { service: job.service, passed: false, reason, exitCode: null, signal: null, timedOut: false, durationMs: 0, outputTail: '' };
}
