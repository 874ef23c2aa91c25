// The fleet bench's chart over time, one row per disruption (the partition, each restart):
// on the left the fleet's nodes as the hosts confirm them and as the observer sees them; on
// the right the ensemble's outstanding requests and mean request latency. Pure: data in,
// SVG text out (the scales and escaping of bench/svg.ts).

import { escapeXml, niceMax } from '../svg.js';
import type { Sample } from './sampler.js';

export interface ChartRun {
  readonly title: string;
  /** epoch ms the disruption began */
  readonly startedAt: number;
  /** nodes wanted (100%) */
  readonly want: number;
  readonly series: readonly Sample[];
}

const WIDTH = 1100;
const ROW = 230;
const TOP = 80;
const PANEL = { width: 500, height: 170 } as const;
const PLOT = { left: 60, right: 15, top: 30, bottom: 30 } as const;
const COLORS = { observer: '#8a8f98', hosts: '#2b6cb0', outstanding: '#c53030', latency: '#dd6b20', grid: '#e2e8f0', axis: '#4a5568', text: '#1a202c' } as const;

const fmt = (n: number) => (Number.isFinite(n) ? String(Math.round(n * 10) / 10) : '0');

function text(x: number, y: number, s: string, size: number, anchor: 'start' | 'middle' | 'end' = 'start', fill: string = COLORS.text): string {
  return `<text x="${fmt(x)}" y="${fmt(y)}" font-size="${size}" text-anchor="${anchor}" fill="${fill}">${escapeXml(s)}</text>`;
}

function line(points: ReadonlyArray<readonly [number, number]>, color: string, dash = ''): string {
  if (points.length === 0) return '';
  return `<polyline points="${points.map(([x, y]) => `${fmt(x)},${fmt(y)}`).join(' ')}" fill="none" stroke="${color}" stroke-width="1.8"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`;
}

function frame(xMax: number, yMax: number, yLabel: (v: number) => string, xOf: (s: number) => number, yOf: (v: number) => number): string {
  const out: string[] = [];
  const bottom = PANEL.height - PLOT.bottom;
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    out.push(`<line x1="${PLOT.left}" x2="${PANEL.width - PLOT.right}" y1="${fmt(yOf(v))}" y2="${fmt(yOf(v))}" stroke="${COLORS.grid}"/>`, text(PLOT.left - 5, yOf(v) + 4, yLabel(v), 10, 'end'));
  }
  for (let i = 0; i <= 5; i++) {
    const s = (xMax * i) / 5;
    out.push(text(xOf(s), bottom + 14, `${xMax < 5 ? s.toFixed(1) : Math.round(s)} s`, 10, 'middle'));
  }
  out.push(`<line x1="${PLOT.left}" x2="${PANEL.width - PLOT.right}" y1="${bottom}" y2="${bottom}" stroke="${COLORS.axis}"/>`);
  return out.join('\n');
}

function runRow(run: ChartRun, top: number): string {
  const secs = run.series.map((s) => (s.t - run.startedAt) / 1000);
  const xMax = niceMax(Math.max(1, ...secs));
  const xOf = (s: number) => PLOT.left + (s / xMax) * (PANEL.width - PLOT.left - PLOT.right);
  const plotH = PANEL.height - PLOT.top - PLOT.bottom;
  const yPct = (v: number) => PLOT.top + plotH - (Math.max(0, Math.min(100, v)) / 100) * plotH;
  const pct = (n: number) => (run.want > 0 ? (100 * n) / run.want : 0);
  const observed = run.series.filter((s) => Number.isFinite(s.observed)).map((s) => [xOf((s.t - run.startedAt) / 1000), yPct(pct(s.observed))] as const);
  const hosts = run.series.map((s, i) => [xOf(secs[i]!), yPct(pct(s.simRegistered))] as const);
  const outstanding = run.series.map((s) => s.ensemble?.outstanding ?? 0);
  const latency = run.series.map((s) => s.ensemble?.avgLatencyMs ?? NaN);
  const oMax = niceMax(Math.max(1, ...outstanding));
  const lMax = niceMax(Math.max(1, ...latency.filter(Number.isFinite)));
  const yOf = (max: number) => (v: number) => PLOT.top + plotH - (Math.max(0, v) / max) * plotH;
  const left = [
    text(PANEL.width / 2, 16, 'nodes: confirmed by the hosts, seen by the observer (%)', 12, 'middle'),
    frame(xMax, 100, (v) => `${Math.round(v)}%`, xOf, yPct),
    line(observed, COLORS.observer, '5 3'),
    line(hosts, COLORS.hosts),
  ].join('\n');
  const right = [
    text(PANEL.width / 2, 16, `outstanding requests (red, max ${oMax}); mean latency (orange, max ${lMax} ms)`, 12, 'middle'),
    frame(xMax, oMax, (v) => String(Math.round(v * 100) / 100), xOf, yOf(oMax)),
    line(run.series.map((s, i) => [xOf(secs[i]!), yOf(oMax)(outstanding[i]!)] as const), COLORS.outstanding),
    line(
      run.series.flatMap((s, i) => (Number.isFinite(latency[i]!) ? [[xOf(secs[i]!), yOf(lMax)(latency[i]!)] as const] : [])),
      COLORS.latency,
    ),
  ].join('\n');
  return [
    text(20, top + 14, run.title, 13, 'start'),
    `<g transform="translate(20,${top + 20})">${left}</g>`,
    `<g transform="translate(${40 + PANEL.width},${top + 20})">${right}</g>`,
  ].join('\n');
}

export function renderFleetChart(machine: string, runs: readonly ChartRun[]): string {
  const height = TOP + Math.max(1, runs.length) * ROW;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    text(WIDTH / 2, 28, 'zk-watcher fleet-sim: the fleet through each disruption (seconds from its start)', 18, 'middle'),
    text(WIDTH / 2, 48, machine, 11, 'middle', COLORS.axis),
    text(WIDTH / 2, 63, "Blue: nodes the hosts hold confirmed; grey, dashed: nodes the observer (kazoo) counted in its latest round that was answered.", 11, 'middle', COLORS.axis),
    ...(runs.length === 0 ? [text(WIDTH / 2, TOP + 40, 'no disruption was run', 14, 'middle')] : runs.map((r, i) => runRow(r, TOP + i * ROW))),
    '</svg>',
    '',
  ].join('\n');
}
