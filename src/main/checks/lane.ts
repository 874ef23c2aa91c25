// The main side of a lane: one long-lived piscina task per worker thread, fed over a
// MessagePort. Jobs submitted in the same event-loop turn go as one message, and the
// worker streams results back in batches (see workers/lane.ts): at hundreds of checks a
// second the per-message cost is most of what a check costs the main thread.

import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import type { CheckJob, CheckResult } from '../../shared/types.js';

/** Mirrors workers/lane.ts (main and workers never import each other). */
type JobBatch = [number, CheckJob][];
type ResultBatch = [number, CheckResult][];

/** A batch is sent at once when it reaches this size, without waiting for the turn to end. */
const MAX_BATCH = 256;
/** A worker thread that has not started serving its lane by then is taken for hung. */
const WORKER_START_LIMIT_MS = 60_000;

interface InFlight {
  readonly job: CheckJob;
  readonly sentAt: number;
  resolve(result: CheckResult): void;
}

export type LaneEnd = { kind: 'closed' } | { kind: 'failed'; reason: string };

export class Lane {
  private readonly port: MessagePort;
  private readonly abort = new AbortController();
  private readonly inFlight = new Map<number, InFlight>();
  private outbox: JobBatch = [];
  private flushScheduled: NodeJS.Immediate | undefined;
  private nextId = 1;
  private ended = false;
  private readonly createdAt = performance.now();
  /** When the worker said it serves this lane. */
  private readyAt: number | undefined;
  /** Set by the pool's watchdog: a check here is late, so new work goes elsewhere. */
  late = false;
  /** Set by the pool when fewer lanes will do: no new work, and it ends once empty. */
  closing = false;
  /** Settles when the worker's task ends: closed by us, or the worker failed. */
  readonly done: Promise<LaneEnd>;

  constructor(piscina: Piscina) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    port1.on('message', (batch: ResultBatch | 'ready') => (batch === 'ready' ? (this.readyAt = performance.now()) : this.onResults(batch)));
    this.done = piscina.run({ port: port2 }, { transferList: [port2], signal: this.abort.signal }).then(
      (): LaneEnd => ({ kind: 'closed' }),
      (e: unknown): LaneEnd => ({ kind: 'failed', reason: (e as Error).message }),
    );
  }

  get size(): number {
    return this.inFlight.size;
  }

  submit(job: CheckJob): Promise<CheckResult> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.inFlight.set(id, { job, sentAt: performance.now(), resolve });
      this.outbox.push([id, job]);
      if (this.outbox.length >= MAX_BATCH) this.flush();
      else this.flushScheduled ??= setImmediate(() => this.flush());
    });
  }

  /**
   * The in-flight job furthest past `allowanceMs(job)`, and by how much; null when none is
   * past it. Time counts from when the worker was ready (a thread still booting on a
   * loaded host is not hung), but a worker that is not ready after WORKER_START_LIMIT_MS is.
   */
  mostOverdue(now: number, allowanceMs: (job: CheckJob) => number): { job: CheckJob; byMs: number } | null {
    let worst: { job: CheckJob; byMs: number } | null = null;
    for (const f of this.inFlight.values()) {
      const byMs = this.readyAt === undefined ? now - this.createdAt - WORKER_START_LIMIT_MS : now - Math.max(f.sentAt, this.readyAt) - allowanceMs(f.job);
      if (byMs > 0 && (worst === null || byMs > worst.byMs)) worst = { job: f.job, byMs };
    }
    return worst;
  }

  /** Ends the lane; every job still in flight gets `failed(job)` as its result. */
  end(failed: (job: CheckJob) => CheckResult, terminate: boolean): void {
    if (this.ended) return;
    this.ended = true;
    clearImmediate(this.flushScheduled);
    // Aborting a running task makes piscina terminate that worker and start a new one.
    if (terminate) this.abort.abort();
    this.port.close();
    const lost = [...this.inFlight.values()];
    this.inFlight.clear();
    for (const f of lost) f.resolve(failed(f.job));
  }

  private flush(): void {
    this.flushScheduled = undefined;
    if (this.outbox.length === 0 || this.ended) return;
    const batch = this.outbox;
    this.outbox = [];
    this.port.postMessage(batch);
  }

  private onResults(batch: ResultBatch): void {
    for (const [id, result] of batch) {
      const f = this.inFlight.get(id);
      if (f === undefined) continue;
      this.inFlight.delete(id);
      f.resolve(result);
    }
  }
}
