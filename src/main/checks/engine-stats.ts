// How the check engine keeps up: checks completed, how late checks start against
// their schedule, and the main thread's event-loop delay (the ZooKeeper session's
// heartbeats run on that loop, so a starved loop is a session at risk). Logged as
// one `engine_stats` line per interval; falling behind is warned about at once.

import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { loopDelayHistogram } from '../ops/loop-delay.js';
import type { Logger } from 'pino';

/** A check starting this late against its schedule means checks fall due faster than they run. */
const BEHIND_MS = 1000;
const BEHIND_WARN_EVERY_MS = 10_000;

export interface EngineGauges {
  readonly queued: number;
  readonly running: number;
  readonly registered: number;
  readonly zkQueue: number;
  readonly workerFailures: number;
}

export class EngineStats {
  private checksTotal = 0;
  private failedTotal = 0;
  private lastTotal = 0;
  private lastAt = performance.now();
  private lastBehindWarn = -Infinity;
  private readonly lag: RecordableHistogram = createHistogram();
  private readonly loopReader = loopDelayHistogram();
  private readonly loop = this.loopReader.histogram;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly log: Logger, private readonly gauges: () => EngineGauges) {}

  onStarted(lagMs: number): void {
    this.lag.record(Math.max(1, Math.round(lagMs * 1000)));
    const now = performance.now();
    if (lagMs >= BEHIND_MS && now - this.lastBehindWarn >= BEHIND_WARN_EVERY_MS) {
      this.lastBehindWarn = now;
      const g = this.gauges();
      this.log.warn(
        { event: 'checks_behind_schedule', lagMs: Math.round(lagMs), queued: g.queued, running: g.running },
        `checks start ${Math.round(lagMs)} ms late: they fall due faster than they can run (raise --max-concurrent-checks or the services' refresh)`,
      );
    }
  }

  onResult(passed: boolean): void {
    this.checksTotal++;
    if (!passed) this.failedTotal++;
  }

  /** Log one `engine_stats` line every `intervalS` seconds (0: never). */
  start(intervalS: number): void {
    if (intervalS <= 0) return;
    this.timer = setInterval(() => this.logSnapshot(), intervalS * 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.loopReader.release();
  }

  /** Figures since the previous snapshot (rates, percentiles) and totals; resets the interval. */
  snapshot(): Record<string, number> {
    const now = performance.now();
    const seconds = Math.max(0.001, (now - this.lastAt) / 1000);
    const ms = (ns: number) => Math.round(ns / 1e5) / 10;
    const figures = {
      checksTotal: this.checksTotal,
      failedTotal: this.failedTotal,
      checksPerSecond: Math.round(((this.checksTotal - this.lastTotal) / seconds) * 10) / 10,
      lagP99Ms: this.lag.count === 0 ? 0 : ms(this.lag.percentile(99) * 1000),
      lagMaxMs: this.lag.count === 0 ? 0 : ms(this.lag.max * 1000),
      eventLoopDelayP99Ms: ms(this.loop.percentile(99)),
      eventLoopDelayMaxMs: ms(this.loop.max),
      ...this.gauges(),
    };
    this.lastTotal = this.checksTotal;
    this.lastAt = now;
    this.lag.reset();
    this.loop.reset();
    return figures;
  }

  private logSnapshot(): void {
    const s = this.snapshot();
    this.log.info({ event: 'engine_stats', ...s }, `${s.checksPerSecond} checks/s, ${s.queued} queued, lag p99 ${s.lagP99Ms} ms, event-loop delay p99 ${s.eventLoopDelayP99Ms} ms`);
  }
}
