// Prometheus's text exposition format (0.0.4), for the families the agent writes itself:
// the per-service ones, which at 10,000 services prom-client built in one go, holding the
// main thread (and the session's heartbeats) for ~180 ms every scrape, and the event-loop
// delay summary, whose quantiles come from a window prom-client's Summary cannot be fed. Pure.

export type MetricType = 'counter' | 'gauge' | 'summary';

/** A label value as the format wants it: backslash, double quote and line feed escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** The # HELP and # TYPE lines that open a family. */
export function familyHeader(name: string, type: MetricType, help: string): string {
  return `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} ${type}\n`;
}

/** One sample line; labels in the order given. */
export function sampleLine(name: string, labels: readonly (readonly [string, string])[], value: number): string {
  const text = Number.isNaN(value) ? 'NaN' : value === Infinity ? '+Inf' : value === -Infinity ? '-Inf' : String(value);
  if (labels.length === 0) return `${name} ${text}\n`;
  return `${name}{${labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}} ${text}\n`;
}

/** A summary's lines: one per quantile (NaN when nothing was observed in its window), then _sum and _count. */
export function summaryLines(name: string, quantiles: readonly (readonly [string, number])[], sum: number, count: number): string {
  return quantiles.map(([q, v]) => sampleLine(name, [['quantile', q]], v)).join('') + sampleLine(`${name}_sum`, [], sum) + sampleLine(`${name}_count`, [], count);
}
