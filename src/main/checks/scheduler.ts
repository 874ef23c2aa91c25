// One timer chain per service: the first run lands at a random point of a short
// window (a restarted host is back at once, yet a thousand checks do not fork in
// the same millisecond); the second half an interval to one and a half after it, so
// the runs of many services spread evenly over it instead of keeping the first
// second's bunch; each next run is armed when the previous one ends, so a service
// never overlaps itself.

import type { CheckResult, ServiceSpec } from '../../shared/types.js';
import { timerFired } from '../ops/loop-delay.js';

/** Never run one service's check more often than this, whatever `refresh` says. */
export const MIN_INTERVAL_MS = 100;
/**
 * Runs fall due on this grid, so the checks due in one slot wake the agent once and travel
 * to a worker as one message. At 10 ms, 1000 services (360 checks/s) cost ~100 messages a
 * second to the worker, and posting them was a quarter of the main thread's CPU.
 */
const TICK_MS = 50;
/** The first runs of all services spread over at most this window. */
export const FIRST_RUN_WINDOW_MS = 500;

/** `dueAt` is the performance.now() time the schedule wanted the run to start. */
export type RunCheck = (spec: ServiceSpec, dueAt: number) => Promise<CheckResult>;
export type OnResult = (spec: ServiceSpec, result: CheckResult) => void;

interface Chain {
  spec: ServiceSpec;
  timer: NodeJS.Timeout | undefined;
  dueAt: number;
  /** The check this chain runs now, or, before its first run, the one of the chain it replaced. */
  running: Promise<void> | null;
  stopped: boolean;
  /** The first run has ended: the chain has taken its random place in the interval. */
  spread: boolean;
}

export class Scheduler {
  private readonly chains = new Map<string, Chain>();

  constructor(private readonly runCheck: RunCheck, private readonly onResult: OnResult, private readonly random: () => number = Math.random) {}

  /** Start a service's chain; a service already scheduled is an error (restart() replaces one). */
  start(spec: ServiceSpec): void {
    if (this.chains.has(spec.name)) throw new Error(`service ${spec.name} is already scheduled`);
    this.begin(spec, null);
  }

  /**
   * Replace a service's chain (the one named `from`: itself, or its name before a rename)
   * with one for `spec`, at once and without waiting: the old chain's running check (if any)
   * is no longer reported, and the new chain's first run waits for it to end, so the
   * service still never overlaps itself.
   */
  restart(spec: ServiceSpec, from: string = spec.name): void {
    const old = this.chains.get(from);
    if (old !== undefined) this.halt(old);
    this.chains.delete(from);
    if (from !== spec.name && this.chains.has(spec.name)) throw new Error(`service ${spec.name} is already scheduled`);
    this.begin(spec, old?.running ?? null);
  }

  /** Stop one service's chain; resolves when its running check (if any) has ended. */
  async stop(name: string): Promise<void> {
    const chain = this.chains.get(name);
    if (chain === undefined) return;
    this.chains.delete(name);
    this.halt(chain);
    await chain.running;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.chains.keys()].map((name) => this.stop(name)));
  }

  get size(): number {
    return this.chains.size;
  }

  private begin(spec: ServiceSpec, predecessor: Promise<void> | null): void {
    const chain: Chain = { spec, timer: undefined, dueAt: 0, running: predecessor, stopped: false, spread: false };
    this.chains.set(spec.name, chain);
    const firstRunIn = this.random() * Math.min(FIRST_RUN_WINDOW_MS, spec.refresh * 1000);
    if (predecessor === null) {
      this.arm(chain, firstRunIn);
      return;
    }
    const afterIt = (): void => {
      if (chain.running === predecessor) chain.running = null;
      if (!chain.stopped) this.arm(chain, firstRunIn);
    };
    predecessor.then(afterIt, afterIt);
  }

  private halt(chain: Chain): void {
    chain.stopped = true;
    clearTimeout(chain.timer);
    chain.timer = undefined;
  }

  private arm(chain: Chain, delayMs: number): void {
    const now = performance.now();
    chain.dueAt = Math.ceil((now + delayMs) / TICK_MS) * TICK_MS;
    chain.timer = setTimeout(() => {
      timerFired(chain.dueAt);
      chain.timer = undefined;
      chain.running = this.runOnce(chain);
    }, chain.dueAt - now);
  }

  /**
   * After the first run, half the interval plus a random part of it (the chain's phase:
   * uniform over a whole interval, and never two runs closer than half of it); then the
   * whole interval.
   */
  private nextDelayMs(chain: Chain): number {
    const intervalMs = chain.spec.refresh * 1000;
    if (chain.spread) return intervalMs;
    chain.spread = true;
    return (0.5 + this.random()) * intervalMs;
  }

  private async runOnce(chain: Chain): Promise<void> {
    try {
      const result = await this.runCheck(chain.spec, chain.dueAt);
      if (!chain.stopped) this.onResult(chain.spec, result);
    } finally {
      chain.running = null;
      // Armed whatever happened above: a service's chain never ends while it is scheduled.
      if (!chain.stopped) this.arm(chain, Math.max(MIN_INTERVAL_MS, this.nextDelayMs(chain)));
    }
  }
}
