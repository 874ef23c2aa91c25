// One timer for the agent's periodic chores: the session's liveness tick (which sends the
// pings), the maintenance read, the check pool's sweep, systemd's STATUS and watchdog. With
// a timer each, an idle agent woke once per chore; a wakeup of a Node thread costs about
// 0.7 ms of CPU on this project's VM whatever it then does (a bare `setInterval` of 1 s is
// 2.5 CPU-s an hour). A chore due within COALESCE_MS after the earliest runs with it, that
// much early at most; periodic chores are due on multiples of their period (performance.now()),
// so chores of one period (and of its divisors) share every wakeup whenever they started.

import { timerFired } from './loop-delay.js';

/** How early a chore may run to share another's wakeup. */
export const COALESCE_MS = 100;

interface Entry {
  readonly at: number;
  readonly run: () => void;
}

/** Cancels a chore: it will not run (a no-op once it has). */
export type CancelChore = () => void;

/** As a timer of its own would have: uncaught (but after the other chores of the wakeup ran). */
const rethrow = (error: unknown): void =>
  queueMicrotask(() => {
    throw error;
  });

export class ChoreClock {
  private readonly entries = new Set<Entry>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  constructor(private readonly onError: (error: unknown) => void = rethrow) {}

  /** Run `run` once, `delayMs` from now (up to COALESCE_MS sooner). Like every chore, it keeps no process alive. */
  after(delayMs: number, run: () => void): CancelChore {
    return this.at(performance.now() + delayMs, run);
  }

  /**
   * Run `run` once, about `periodMs` from now, at a multiple of `periodMs`: a chore re-armed
   * this way after each run keeps to the grid that other chores of its period share.
   */
  onGrid(periodMs: number, run: () => void): CancelChore {
    const now = performance.now();
    let at = Math.round((now + periodMs) / periodMs) * periodMs;
    // Never sooner than half a period (a wakeup late by more than half a period rounds down).
    if (at - now < periodMs / 2) at += periodMs;
    return this.at(at, run);
  }

  private at(at: number, run: () => void): CancelChore {
    // A NaN due time would stop the whole clock (every later comparison false).
    if (!Number.isFinite(at)) throw new RangeError(`a chore's due time must be finite, got ${at}`);
    const entry: Entry = { at, run };
    this.entries.add(entry);
    if (entry.at < this.timerAt) this.arm(entry.at);
    // A cancelled chore's wakeup, if it was the earliest, finds nothing due and re-arms.
    return () => void this.entries.delete(entry);
  }

  /** Run `run` every `periodMs`, on the grid of multiples of `periodMs` (see onGrid). */
  every(periodMs: number, run: () => void): CancelChore {
    let cancel: CancelChore = () => undefined;
    let cancelled = false;
    const next = (): void => {
      cancel = this.onGrid(periodMs, () => {
        // Armed first: a run that throws does not end the chain.
        if (!cancelled) next();
        run();
      });
    };
    next();
    return () => {
      cancelled = true;
      cancel();
    };
  }

  /** Chores waiting (for tests). */
  get size(): number {
    return this.entries.size;
  }

  private arm(at: number): void {
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.fire(), Math.max(0, at - performance.now()));
    this.timer.unref();
  }

  private fire(): void {
    const now = performance.now();
    // The one real timer: its lateness is the event loop's delay (loop-delay.ts).
    timerFired(this.timerAt, now);
    this.timer = undefined;
    this.timerAt = Infinity;
    const due = [...this.entries].filter((e) => e.at <= now + COALESCE_MS).sort((a, b) => a.at - b.at);
    for (const e of due) {
      // Taken out just before it runs: one that an earlier chore of this wakeup cancelled is gone already.
      if (!this.entries.delete(e)) continue;
      try {
        e.run();
      } catch (error) {
        this.onError(error);
      }
    }
    let earliest = Infinity;
    for (const e of this.entries) earliest = Math.min(earliest, e.at);
    if (earliest < this.timerAt) this.arm(earliest);
  }
}

/** The agent's one clock: chores share its wakeups only if they share the clock. */
export const choreClock = new ChoreClock();
