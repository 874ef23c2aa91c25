// The main thread's event-loop delay, measured on timers the agent runs anyway: how late
// each fired past the moment it was set for. No timer of its own: a 100 Hz sampler woke an
// idle agent a hundred times a second. Busy, the scheduler's timers fire often and sample
// the loop densely; idle, the session's liveness tick (1 s, 250 ms while ZooKeeper is quiet) still does.

import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

type Recorder = (ns: number, now: number) => void;
const readers = new Set<Recorder>();

/** A timer meant for `dueAt` (performance.now()) fires at `now`. */
export function timerFired(dueAt: number, now: number = performance.now()): void {
  if (readers.size === 0) return;
  // Nanoseconds, as monitorEventLoopDelay records; a timer on time still counts (1 ns).
  const ns = Math.max(1, Math.round((now - dueAt) * 1e6));
  for (const record of readers) record(ns, now);
}

/** A histogram (ns) fed every timer's lateness from now on, until released: each reader resets its own. */
export function loopDelayHistogram(): { readonly histogram: RecordableHistogram; release(): void } {
  const histogram = createHistogram();
  const record: Recorder = (ns) => histogram.record(ns);
  readers.add(record);
  return { histogram, release: () => void readers.delete(record) };
}

export interface LoopDelayFigures {
  /** Nanoseconds; 0 when no timer fired in the window. */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly count: number;
}

/** Every timer since the reader began, never aged out: a summary's _count and _sum, whose rates give the mean lateness over any range. */
export interface LoopDelayTotals {
  readonly count: number;
  readonly sumNs: number;
}

/**
 * The lateness of the timers of the last one to two windows, whoever reads it and however
 * often: a reader that reset on each read (one per scrape) showed nothing to a scrape that
 * came before the next timer, and two scrapers (an HA pair of Prometheus) stole each other's samples.
 */
export function loopDelayWindow(windowMs: number): { read(now?: number): LoopDelayFigures; totals(): LoopDelayTotals; release(): void } {
  let current = createHistogram();
  let previous = createHistogram();
  let startedAt = performance.now();
  const totals = { count: 0, sumNs: 0 };
  // Lazily, at a record or a read: rotating costs no timer of its own.
  const rotate = (now: number): void => {
    if (now - startedAt < windowMs) return;
    previous = now - startedAt < 2 * windowMs ? current : createHistogram();
    current = createHistogram();
    startedAt = now;
  };
  const record: Recorder = (ns, now) => {
    rotate(now);
    current.record(ns);
    totals.count++;
    totals.sumNs += ns;
  };
  readers.add(record);
  return {
    read(now = performance.now()) {
      rotate(now);
      const both = createHistogram();
      both.add(previous);
      both.add(current);
      if (both.count === 0) return { p50: 0, p99: 0, max: 0, count: 0 };
      return { p50: both.percentile(50), p99: both.percentile(99), max: both.max, count: both.count };
    },
    totals: () => ({ ...totals }),
    release: () => void readers.delete(record),
  };
}
