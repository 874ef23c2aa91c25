// The agent's `engine_stats` log lines (one per --stats-interval) and what a measured
// window of them says. Pure: parsed log records in, figures out.
//
// The line, as the agent documents it (pino JSON, so `time` is epoch ms):
//   {"event":"engine_stats","time":…,"checksTotal":<cumulative completed checks>,
//    "checksPerSecond":n,"lagP99Ms":n,"lagMaxMs":n,"eventLoopDelayP99Ms":n,
//    "eventLoopDelayMaxMs":n,"queued":n,"running":n,…}

export interface EngineStatsLine {
  /** epoch ms (pino's `time`) */
  readonly at: number;
  readonly checksTotal: number;
  readonly lagP99Ms: number;
  readonly lagMaxMs: number;
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
  readonly queued: number;
  readonly running: number;
}

export interface EngineWindow {
  /** engine_stats lines inside the window */
  readonly lines: number;
  /** from the first line in the window to the last, by the agent's clock */
  readonly seconds: number;
  readonly checks: number;
  readonly checksPerSecond: number;
  /** the worst interval's p99 (each line reports its own interval) */
  readonly lagP99Ms: number;
  readonly lagMaxMs: number;
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
  readonly queuedMax: number;
  readonly runningMax: number;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);

/** The engine_stats lines among `records`, in order; a line without a numeric `time` and `checksTotal` is skipped. */
export function engineStatsLines(records: readonly { readonly [key: string]: unknown }[]): EngineStatsLine[] {
  const lines: EngineStatsLine[] = [];
  for (const r of records) {
    if (r.event !== 'engine_stats') continue;
    const line = {
      at: num(r.time),
      checksTotal: num(r.checksTotal),
      lagP99Ms: num(r.lagP99Ms),
      lagMaxMs: num(r.lagMaxMs),
      eventLoopDelayP99Ms: num(r.eventLoopDelayP99Ms),
      eventLoopDelayMaxMs: num(r.eventLoopDelayMaxMs),
      queued: num(r.queued),
      running: num(r.running),
    };
    if (Number.isFinite(line.at) && Number.isFinite(line.checksTotal)) lines.push(line);
  }
  return lines;
}

/** Figures from the lines stamped within [fromMs, toMs]; undefined unless there are at least two. */
export function summarizeWindow(lines: readonly EngineStatsLine[], fromMs: number, toMs: number): EngineWindow | undefined {
  const inside = lines.filter((l) => l.at >= fromMs && l.at <= toMs);
  if (inside.length < 2) return undefined;
  const first = inside[0]!;
  const last = inside.at(-1)!;
  const seconds = (last.at - first.at) / 1000;
  const checks = last.checksTotal - first.checksTotal;
  // Each line describes the interval that ends at it: the first line's interval began before the window.
  const intervals = inside.slice(1);
  const worst = (pick: (l: EngineStatsLine) => number) => Math.max(...intervals.map(pick));
  return {
    lines: inside.length,
    seconds,
    checks,
    checksPerSecond: checks / seconds,
    lagP99Ms: worst((l) => l.lagP99Ms),
    lagMaxMs: worst((l) => l.lagMaxMs),
    eventLoopDelayP99Ms: worst((l) => l.eventLoopDelayP99Ms),
    eventLoopDelayMaxMs: worst((l) => l.eventLoopDelayMaxMs),
    queuedMax: worst((l) => l.queued),
    runningMax: worst((l) => l.running),
  };
}
