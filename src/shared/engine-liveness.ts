// Whether the check engine is alive: what systemd's watchdog is fed on. It proves that
// the agent works (its loop turns and its checks run), not that ZooKeeper answers: a
// ZooKeeper outage is no reason to restart every agent of a fleet. Pure.

export interface EngineFacts {
  /** performance.now() of this reading. */
  readonly now: number;
  /** When the pool last swept its workers for hung ones (every second while it runs). */
  readonly lastSweepAt: number;
  /** How long the most overdue running check has been past the point where its worker should have been replaced; 0 if none. */
  readonly overdueMs: number;
  readonly queued: number;
  /** Slots p-queue could start a check in now. */
  readonly freeSlots: number;
  /** When a check last started, or the pool was opened. */
  readonly lastStartAt: number;
}

/** Past these, the engine is stuck rather than busy. */
export const STALL_LIMIT_MS = 10_000;

/** Null while the engine is alive; otherwise why it is not, in words. */
export function engineStall(f: EngineFacts, limitMs: number = STALL_LIMIT_MS): string | null {
  const s = (ms: number) => `${Math.round(ms / 1000)} s`;
  if (f.now - f.lastSweepAt > limitMs) return `the check pool's hung-worker sweep has not run for ${s(f.now - f.lastSweepAt)}`;
  if (f.overdueMs > limitMs) return `a check is ${s(f.overdueMs)} past its deadline and its worker was not replaced`;
  if (f.queued > 0 && f.freeSlots > 0 && f.now - f.lastStartAt > limitMs) return `${f.queued} checks have waited ${s(f.now - f.lastStartAt)} while ${f.freeSlots} slots are free`;
  return null;
}
