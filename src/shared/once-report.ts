// --once: check results -> the table a person reads, or the JSON a script reads. Pure.

import type { CheckResult } from './types.js';

export interface OnceRow {
  readonly service: string;
  readonly passed: boolean;
  readonly reason: string;
  readonly durationMs: number;
  readonly output: string;
}

/** The widest output column a table shows; the JSON carries the whole tail. */
export const OUTPUT_COLUMN = 60;

export function onceRows(results: readonly CheckResult[]): OnceRow[] {
  return results.map((r) => ({
    service: r.service,
    passed: r.passed,
    reason: r.reason,
    durationMs: Math.round(r.durationMs),
    output: r.outputTail,
  }));
}

/** 0 when every check passed (and there was at least one), 1 otherwise. */
export function onceExitCode(rows: readonly OnceRow[]): 0 | 1 {
  return rows.length > 0 && rows.every((r) => r.passed) ? 0 : 1;
}

export function renderOnceJson(rows: readonly OnceRow[]): string {
  return JSON.stringify(rows, null, 2) + '\n';
}

export function renderOnceTable(rows: readonly OnceRow[]): string {
  const header = ['SERVICE', 'RESULT', 'TIME', 'OUTPUT'];
  const cells = rows.map((r) => [
    r.service,
    r.passed ? 'PASS' : 'FAIL',
    `${r.durationMs} ms`,
    outputCell(r),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]): string => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]!))).join('  ').trimEnd();
  const passed = rows.filter((r) => r.passed).length;
  return [line(header), ...cells.map(line), `${passed} of ${rows.length} passed`].join('\n') + '\n';
}

/** A failure's reason (exit code, timeout) comes first and whole; the output's tail fills the rest. */
function outputCell(r: OnceRow): string {
  const output = oneLine(r.output, OUTPUT_COLUMN);
  if (r.passed) return output;
  const reason = oneLine(r.reason, OUTPUT_COLUMN);
  if (output === '') return reason;
  return `${reason}: ${oneLine(r.output, Math.max(20, OUTPUT_COLUMN - reason.length - 2))}`;
}

/** Squeezes whitespace (newlines included) to single spaces and keeps the last `width` characters. */
export function oneLine(text: string, width: number): string {
  // Control characters from a check's output would corrupt the terminal's table.
  const squeezed = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (squeezed.length <= width) return squeezed;
  return '…' + squeezed.slice(squeezed.length - (width - 1));
}
