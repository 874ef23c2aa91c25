// The bench's chart as a hand-written SVG: one panel of bars (checks/s, C loop vs
// zk-watcher) and one of nodes registered over time after start. Pure: data in, text out.

export interface SaturationChart {
  readonly cmd: string;
  readonly services: number;
  readonly workers: number;
  readonly cLoopPerSecond: number;
  readonly agentPerSecond: number;
  readonly targetRatio: number;
  readonly goalRatio: number;
}

export interface StartupChart {
  readonly services: number;
  /** [ms since the agent was started, nodes registered] */
  readonly curve: ReadonlyArray<readonly [number, number]>;
  /** the "all registered within" target, ms, if it applies */
  readonly targetMs?: number;
}

export interface ChartInput {
  /** one line naming the machine and the run: CPU, cores, memory, Node, ZooKeeper, date */
  readonly machine: string;
  readonly saturation?: SaturationChart;
  readonly startup?: StartupChart;
}

const WIDTH = 960;
const HEIGHT = 470;
const PANEL = { width: 420, height: 300, top: 110 } as const;
const PLOT = { left: 70, right: 20, top: 50, bottom: 50 } as const;
const COLORS = { baseline: '#8a8f98', agent: '#2b6cb0', target: '#c53030', goal: '#2f855a', grid: '#e2e8f0', axis: '#4a5568', text: '#1a202c' } as const;

export function renderChart(input: ChartInput): string {
  const body = [
    text(WIDTH / 2, 34, 'zk-watcher bench', { size: 22, anchor: 'middle', weight: 'bold' }),
    text(WIDTH / 2, 60, input.machine, { size: 13, anchor: 'middle' }),
    text(WIDTH / 2, 80, 'Every figure is from one run on this machine; a run on another machine gives other figures.', { size: 12, anchor: 'middle', fill: COLORS.axis }),
    panel(40, 'Checks per second: C loop vs zk-watcher', input.saturation ? saturationPanel(input.saturation) : notRun('saturation')),
    panel(500, 'Nodes registered over time after start', input.startup ? startupPanel(input.startup) : notRun('startup')),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

/** A panel at x = `left`: a frame, a title, and content drawn in panel coordinates. */
function panel(left: number, title: string, content: string): string {
  return [
    `<g transform="translate(${left},${PANEL.top})">`,
    `<rect width="${PANEL.width}" height="${PANEL.height + 40}" fill="none" stroke="${COLORS.grid}"/>`,
    text(PANEL.width / 2, 24, title, { size: 15, anchor: 'middle', weight: 'bold' }),
    content,
    '</g>',
  ].join('\n');
}

function notRun(scenario: string): string {
  return text(PANEL.width / 2, PANEL.height / 2 + 20, `no data: '${scenario}' was not run, or it failed`, { size: 14, anchor: 'middle', fill: COLORS.axis });
}

const plotWidth = PANEL.width - PLOT.left - PLOT.right;
const plotHeight = PANEL.height - PLOT.top - PLOT.bottom + 40;
const plotBottom = PLOT.top + plotHeight;
/** Room right of the saturation bars for the labels of the target and goal lines. */
const SATURATION_LABEL_MARGIN = 75;

function saturationPanel(s: SaturationChart): string {
  const yMax = niceMax(Math.max(s.cLoopPerSecond, s.agentPerSecond) * 1.1);
  const y = (v: number) => plotBottom - (v / yMax) * plotHeight;
  const bars = [
    { label: `C loop (${s.workers} proc.)`, value: s.cLoopPerSecond, color: COLORS.baseline },
    { label: 'zk-watcher', value: s.agentPerSecond, color: COLORS.agent },
  ];
  // The reference lines' labels go in a margin right of the bars, so no bar or value covers them.
  const width = plotWidth - SATURATION_LABEL_MARGIN;
  const slot = width / bars.length;
  const barWidth = slot * 0.45;
  const out = [yAxis(yMax, y, 'completed runs of the command per second', width), text(PANEL.width / 2, 42, `sh -c ${quote(s.cmd)}, ${s.services} services at refresh 1 s`, { size: 12, anchor: 'middle', fill: COLORS.axis })];
  bars.forEach((b, i) => {
    const x = PLOT.left + slot * i + (slot - barWidth) / 2;
    out.push(
      `<rect x="${fmt(x)}" y="${fmt(y(b.value))}" width="${fmt(barWidth)}" height="${fmt(plotBottom - y(b.value))}" fill="${b.color}"/>`,
      text(x + barWidth / 2, y(b.value) - 6, `${Math.round(b.value)}/s`, { size: 13, anchor: 'middle', weight: 'bold' }),
      text(x + barWidth / 2, plotBottom + 18, b.label, { size: 12, anchor: 'middle' }),
    );
  });
  for (const [ratio, color, name] of [
    [s.targetRatio, COLORS.target, 'target'],
    [s.goalRatio, COLORS.goal, 'goal'],
  ] as const) {
    const at = y(s.cLoopPerSecond * ratio);
    out.push(
      `<line x1="${PLOT.left}" x2="${PLOT.left + width}" y1="${fmt(at)}" y2="${fmt(at)}" stroke="${color}" stroke-dasharray="6 4" stroke-width="1.5"/>`,
      text(PLOT.left + width + 4, at - 2, name, { size: 11, fill: color }),
      text(PLOT.left + width + 4, at + 11, `${ratio} x C loop`, { size: 11, fill: color }),
    );
  }
  const ratio = s.agentPerSecond / s.cLoopPerSecond;
  out.push(text(PANEL.width / 2, plotBottom + 38, `zk-watcher / C loop = ${ratio.toFixed(2)}`, { size: 13, anchor: 'middle', weight: 'bold', fill: ratio >= s.targetRatio ? COLORS.goal : COLORS.target }));
  return out.join('\n');
}

function startupPanel(s: StartupChart): string {
  const lastMs = s.curve.at(-1)?.[0] ?? 0;
  const xMax = niceMax(Math.max(lastMs, s.targetMs ?? 0) * 1.05 / 1000 || 1);
  const yMax = niceMax(s.services * 1.1);
  const x = (ms: number) => PLOT.left + (ms / 1000 / xMax) * plotWidth;
  const y = (v: number) => plotBottom - (v / yMax) * plotHeight;
  const out = [yAxis(yMax, y, 'nodes registered (seen by a watcher)'), xAxis(xMax, (sec) => x(sec * 1000), 'seconds after the agent was started')];
  out.push(
    `<line x1="${PLOT.left}" x2="${PLOT.left + plotWidth}" y1="${fmt(y(s.services))}" y2="${fmt(y(s.services))}" stroke="${COLORS.axis}" stroke-dasharray="2 3"/>`,
    text(PLOT.left + 4, y(s.services) - 4, `all ${s.services}`, { size: 11 }),
  );
  if (s.targetMs !== undefined) {
    out.push(
      `<line x1="${fmt(x(s.targetMs))}" x2="${fmt(x(s.targetMs))}" y1="${PLOT.top}" y2="${plotBottom}" stroke="${COLORS.target}" stroke-dasharray="6 4" stroke-width="1.5"/>`,
      // left of its line: to the right it would run past the panel's edge
      text(x(s.targetMs) - 4, PLOT.top + 12, `target: all within ${s.targetMs / 1000} s`, { size: 11, anchor: 'end', fill: COLORS.target }),
    );
  }
  const points = s.curve.map(([ms, n]) => `${fmt(x(ms))},${fmt(y(n))}`).join(' ');
  out.push(`<polyline points="${points}" fill="none" stroke="${COLORS.agent}" stroke-width="2"/>`);
  out.push(text(PANEL.width / 2, 42, `${s.services} services; all registered after ${(lastMs / 1000).toFixed(2)} s`, { size: 12, anchor: 'middle', fill: COLORS.axis }));
  return out.join('\n');
}

function yAxis(max: number, y: (v: number) => number, label: string, width = plotWidth): string {
  const out = [`<line x1="${PLOT.left}" x2="${PLOT.left}" y1="${PLOT.top}" y2="${plotBottom}" stroke="${COLORS.axis}"/>`];
  for (const t of ticks(max)) {
    out.push(
      `<line x1="${PLOT.left}" x2="${PLOT.left + width}" y1="${fmt(y(t))}" y2="${fmt(y(t))}" stroke="${COLORS.grid}"/>`,
      text(PLOT.left - 6, y(t) + 4, tickLabel(t), { size: 11, anchor: 'end' }),
    );
  }
  const cy = PLOT.top + plotHeight / 2;
  out.push(text(16, cy, label, { size: 12, anchor: 'middle', rotate: true }));
  out.push(`<line x1="${PLOT.left}" x2="${PLOT.left + width}" y1="${plotBottom}" y2="${plotBottom}" stroke="${COLORS.axis}"/>`);
  return out.join('\n');
}

function xAxis(max: number, x: (v: number) => number, label: string): string {
  const out: string[] = [];
  for (const t of ticks(max)) {
    out.push(`<line x1="${fmt(x(t))}" x2="${fmt(x(t))}" y1="${plotBottom}" y2="${plotBottom + 5}" stroke="${COLORS.axis}"/>`, text(x(t), plotBottom + 18, tickLabel(t), { size: 11, anchor: 'middle' }));
  }
  out.push(text(PLOT.left + plotWidth / 2, plotBottom + 36, label, { size: 12, anchor: 'middle' }));
  return out.join('\n');
}

/** The smallest 1, 2 or 5 x 10^k step giving at most 6 ticks, and its multiple at or above `v`. */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const step = niceStep(v);
  return Math.ceil(v / step - 1e-9) * step;
}

function niceStep(v: number): number {
  const raw = v / 5;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => v / s <= 6)!;
}

function ticks(max: number): number[] {
  const step = niceStep(max);
  const out: number[] = [];
  for (let t = 0; t <= max + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

function tickLabel(t: number): string {
  return t >= 10_000 ? `${t / 1000}k` : String(t);
}

interface TextStyle {
  readonly size: number;
  readonly anchor?: 'start' | 'middle' | 'end';
  readonly weight?: 'bold';
  readonly fill?: string;
  readonly rotate?: boolean;
}

function text(x: number, y: number, content: string, s: TextStyle): string {
  const attrs = [`x="${fmt(x)}"`, `y="${fmt(y)}"`, `font-size="${s.size}"`, `fill="${s.fill ?? COLORS.text}"`];
  if (s.anchor) attrs.push(`text-anchor="${s.anchor}"`);
  if (s.weight) attrs.push(`font-weight="${s.weight}"`);
  // A white halo keeps a label readable where it crosses a bar or a line.
  attrs.push('stroke="#ffffff" stroke-width="3" paint-order="stroke"');
  if (s.rotate) attrs.push(`transform="rotate(-90 ${fmt(x)} ${fmt(y)})"`);
  return `<text ${attrs.join(' ')}>${escapeXml(content)}</text>`;
}

function quote(cmd: string): string {
  const short = cmd.length > 40 ? cmd.slice(0, 37) + '...' : cmd;
  return `'${short}'`;
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const fmt = (n: number) => (Number.isFinite(n) ? String(Math.round(n * 10) / 10) : '0');
