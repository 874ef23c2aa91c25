// The table a person reads: each metric with value, unit, target, goal and a mark. Pure.

import { meets, type Bound, type Row } from './types.js';

const HEAD = ['scenario', 'metric', 'value', 'unit', 'target', 'goal', 'vs target'] as const;
const RIGHT_ALIGNED = new Set([2]);

export function formatBound(b: Bound | undefined): string {
  return b === undefined ? '' : `${b.op} ${formatValue(b.value)}`;
}

/** "pass", "pass, goal met", "MISS", or "" for a row without a target. */
export function mark(r: Row): string {
  if (r.target === undefined) return '';
  if (!Number.isFinite(r.value)) return 'MISS (no value)';
  if (!meets(r.value, r.target)) return 'MISS';
  return r.goal !== undefined && meets(r.value, r.goal) ? 'pass, goal met' : 'pass';
}

export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return v.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3);
}

export function renderTable(rows: readonly Row[]): string {
  const cells = rows.map((r) => [r.scenario, r.metric, formatValue(r.value), r.unit, formatBound(r.target), formatBound(r.goal), mark(r)]);
  const widths = HEAD.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) =>
    c
      .map((x, i) => (RIGHT_ALIGNED.has(i) ? x.padStart(widths[i]!) : x.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  ')];
  let previous: string | undefined;
  for (const [i, c] of cells.entries()) {
    if (previous !== undefined && rows[i]!.scenario !== previous) out.push('');
    previous = rows[i]!.scenario;
    out.push(line(c));
  }
  return out.join('\n') + '\n';
}
