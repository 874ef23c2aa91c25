// The main thread's event-loop delay, measured on timers the agent runs anyway: how late
// each fired past the moment it was set for. No timer of its own: a 100 Hz sampler woke an
// idle agent a hundred times a second. Busy, the scheduler's timers fire often and sample
// the loop densely; idle, the session's liveness tick (1 s, 250 ms while ZooKeeper is quiet) still does.

import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

const readers = new Set<RecordableHistogram>();

/** A timer meant for `dueAt` (performance.now()) fires at `now`. */
export function timerFired(dueAt: number, now: number = performance.now()): void {
  if (readers.size === 0) return;
  // Nanoseconds, as monitorEventLoopDelay records; a timer on time still counts (1 ns).
  const ns = Math.max(1, Math.round((now - dueAt) * 1e6));
  for (const h of readers) h.record(ns);
}

/** A histogram (ns) fed every timer's lateness from now on, until released: each reader resets its own. */
export function loopDelayHistogram(): { readonly histogram: RecordableHistogram; release(): void } {
  const histogram = createHistogram();
  readers.add(histogram);
  return { histogram, release: () => void readers.delete(histogram) };
}
