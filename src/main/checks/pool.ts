// Checks run off the main thread: p-queue admits at most N at once, and each of
// piscina's worker threads runs one lane (a long-lived task fed over a MessagePort,
// see lane.ts) whose checks go through its own zkw-spawn helper. One lane serves an
// agent at rest (a thread is ~10 MB); more open while checks pile up in flight (one
// helper forks on one core) and close again once one lane would have done. A worker
// that dies or stops answering is replaced, and its checks fail with the reason.

import { accessSync, constants } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import PQueue from 'p-queue';
import type { Piscina as PiscinaPool } from 'piscina';
import { Piscina } from '../cjs-packages.js';
import type { EngineFacts } from '../../shared/engine-liveness.js';
import type { CheckJob, CheckResult } from '../../shared/types.js';
import { choreClock, type CancelChore } from '../ops/chore-clock.js';
import { Lane } from './lane.js';

export interface PoolOptions {
  readonly concurrency: number;
  /** The most worker threads (lanes) that may run at once. */
  readonly threads?: number;
  /** Environment every check starts with. */
  readonly env: Readonly<Record<string, string>>;
  /** The worker module (tests substitute one that misbehaves on purpose). */
  readonly workerFile?: URL;
  /** Undefined: the helper next to the worker, if it was built; null: Node's spawn. */
  readonly spawner?: string | null;
  /** Called when a check starts, with how late it is against its schedule. */
  readonly onStarted?: (lagMs: number, job: CheckJob) => void;
  /** LANE_SHRINK_WINDOW_MS unless given (tests shorten it). */
  readonly shrinkWindowMs?: number;
}

/** How long after a check's own deadline we wait for its worker before replacing it. */
const WORKER_GRACE_MS = 5000;
/** The helper's TERM-to-KILL grace and output drain, plus scheduling noise. */
const ANSWER_SLACK_MS = 2000;
// Once a second: a hung worker is found within a second of its grace, and an idle agent is not woken twice a second for it.
const WATCHDOG_INTERVAL_MS = 1000;
/**
 * A lane with this many checks in flight gets a sibling (up to `threads`). At 16, the burst
 * that follows any short stall of the main thread (a /metrics scrape at 1000 services) reached
 * it every minute, and a second thread (~9 MB, ~20 ms of CPU a second relaying) stayed for good.
 */
export const LANE_GROW_AT = 64;
/** An extra lane closes after a window this long in which the checks in flight never reached LANE_GROW_AT. */
export const LANE_SHRINK_WINDOW_MS = 60_000;
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
  private readonly piscina: PiscinaPool;
  private readonly groups: Int32Array;
  private readonly lanes: Lane[] = [];
  private readonly cancelSweep: CancelChore;
  private closed = false;
  private lostToWorkers = 0;
  /**
   * Checks admitted to p-queue and not started yet, with how to answer them. p-queue's
   * clear() drops its tasks without settling them, so closing answers these itself.
   */
  private readonly waiting = new Set<{ readonly job: CheckJob; readonly answer: (result: CheckResult) => void }>();
  private lastSweepAt = performance.now();
  private lastStartAt = performance.now();
  /** The most checks in flight at once since the window began (see shrinkIfIdle). */
  private peakInFlight = 0;
  private windowStartedAt = performance.now();

  constructor(private readonly options: PoolOptions) {
    this.threads = options.threads ?? Math.max(1, Math.min(4, availableParallelism()));
    this.spawner = options.spawner === undefined ? builtSpawner() : options.spawner;
    const buffer = new SharedArrayBuffer(4 * Math.min(GROUP_SLOTS, options.concurrency + 64));
    this.groups = new Int32Array(buffer);
    this.queue = new PQueue({ concurrency: options.concurrency });
    this.piscina = new Piscina({
      filename: (options.workerFile ?? DEFAULT_WORKER).href,
      // None kept in reserve: each lane keeps its thread busy, and a spare one started for
      // minThreads would take the first lane while the one booted first sat idle.
      minThreads: 0,
      maxThreads: this.threads,
      // A thread whose lane closed ends this long after, unless a new lane takes it.
      idleTimeout: 10_000,
      // One lane (a long-lived task) per worker thread.
      concurrentTasksPerWorker: 1,
      // Workers wait on their event loop, which also carries the helper's reports;
      // piscina's default Atomics.wait would block that loop between tasks.
      atomics: 'disabled',
      workerData: { groups: buffer, env: options.env, spawner: this.spawner },
    });
    this.openLane();
    this.cancelSweep = choreClock.every(WATCHDOG_INTERVAL_MS, () => this.replaceHungLanes());
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

  /** Worker threads piscina runs now (a closed lane's thread ends after its idle timeout). */
  get threadsRunning(): number {
    return this.piscina.threads.length;
  }

  /** Lanes open now (each one worker thread and its helper); closing ones included. */
  get lanesOpen(): number {
    return this.lanes.length;
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
        answer(await this.laneFor().submit(job));
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

  /** The least busy lane; when even that one is busy (or late), a closing lane taken back or a new one, while threads are left. */
  private laneFor(): Lane {
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight() + 1);
    const best = this.pickLane();
    if (best !== undefined && !best.late && best.size < LANE_GROW_AT) return best;
    const closing = this.lanes.find((lane) => lane.closing && !lane.late);
    if (closing !== undefined) {
      closing.closing = false;
      return closing;
    }
    if (best === undefined || this.lanes.length < this.threads) return this.openLane();
    return best;
  }

  /** Checks on their way to or in a worker, over every lane. */
  private inFlight(): number {
    let n = 0;
    for (const lane of this.lanes) n += lane.size;
    return n;
  }

  /** The least busy lane among those not marked late by the watchdog (a stuck worker gets no more) and not closing. */
  private pickLane(): Lane | undefined {
    let best: Lane | undefined;
    for (const lane of this.lanes) {
      if (lane.closing) continue;
      if (best === undefined || (best.late && !lane.late) || (lane.late === best.late && lane.size < best.size)) best = lane;
    }
    return best;
  }

  /**
   * Once a window has passed in which one lane would have carried every check in flight,
   * the newest extra lane takes no more work and closes when its last check is answered.
   */
  private shrinkIfIdle(now: number): void {
    for (const lane of [...this.lanes]) {
      if (lane.closing && lane.size === 0) {
        this.lanes.splice(this.lanes.indexOf(lane), 1);
        lane.end(failedStopping, false);
      }
    }
    if (now - this.windowStartedAt < (this.options.shrinkWindowMs ?? LANE_SHRINK_WINDOW_MS)) return;
    const open = this.lanes.filter((lane) => !lane.closing);
    if (open.length > 1 && this.peakInFlight < LANE_GROW_AT) open.at(-1)!.closing = true;
    // Checks still running count toward the next window too.
    this.peakInFlight = this.inFlight();
    this.windowStartedAt = now;
  }

  private openLane(): Lane {
    const lane = new Lane(this.piscina);
    this.lanes.push(lane);
    void lane.done.then((end) => {
      if (end.kind === 'failed') this.retire(lane, `the check worker failed (${end.reason})`, false);
    });
    return lane;
  }

  /** Fails a lane's checks with `reason` and opens a new lane in its place (a closing lane's place, only if none is left); the reason says which. */
  private retire(lane: Lane, reason: string, terminate: boolean): void {
    const at = this.lanes.indexOf(lane);
    if (at < 0) return;
    this.lanes.splice(at, 1);
    const lost = lane.size;
    // A closing lane was on its way out; any other is replaced (and at least one stays open).
    const replaced = !this.closed && (!lane.closing || this.lanes.length === 0);
    const why = this.closed ? 'the agent is stopping' : replaced ? `${reason}; it was replaced` : reason;
    lane.end((job) => failed(job, why), terminate);
    if (this.closed) return;
    this.lostToWorkers += lost;
    if (replaced) this.openLane();
  }

  private replaceHungLanes(): void {
    const now = performance.now();
    this.lastSweepAt = now;
    this.shrinkIfIdle(now);
    for (const lane of [...this.lanes]) {
      const hung = lane.mostOverdue(now, workerGraceMs);
      if (hung !== null) this.retire(lane, `the check worker did not answer within ${workerGraceMs(hung.job) / 1000} s`, true);
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
    this.cancelSweep();
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

/** What a closing lane answers for a check it still had (none: it closes when empty). */
function failedStopping(job: CheckJob): CheckResult {
  return failed(job, 'the check worker was closed');
}

function failed(job: CheckJob, reason: string): CheckResult {
  return { service: job.service, passed: false, reason, exitCode: null, signal: null, timedOut: false, durationMs: 0, outputTail: '' };
}
