// The fleet bench's results for the JSON file and its chart. Pure.

import { HOW, type FleetSimResult } from '../scenarios/fleet-sim.js';
import { renderFleetChart, type ChartRun } from './chart.js';

/** JSON has no Infinity: a host never back is counted in notBack, and its figure is null. */
const finite = (_key: string, v: unknown): unknown => (typeof v === 'number' && !Number.isFinite(v) ? null : v);

export function fleetSimJson(r: FleetSimResult): unknown {
  return JSON.parse(
    JSON.stringify(
      {
        external: r.external,
        firstStartMs: r.firstStartMs,
        firstStart: r.firstStart,
        steady: r.steady,
        partition: r.partition,
        restarts: r.restarts,
        // every sample of the run, for plots of one's own: epoch ms, the ensemble's interval figures, the two views of the nodes
        samples: r.samples,
      },
      finite,
    ),
  );
}

export function fleetSimChart(machine: string, r: FleetSimResult, services: number): string {
  const runs: ChartRun[] = [];
  const hosts = r.steady.full.hosts;
  const atOnce = r.steady.baseline === null ? hosts : hosts - r.steady.baseline.hosts;
  runs.push({ title: `first start: ${atOnce} hosts started at once (${hosts} in all), every node registered after ${(r.firstStartMs / 1000).toFixed(1)} s`, startedAt: r.firstStart.startedAt, want: hosts * services, series: r.firstStart.series });
  if (r.partition !== null) {
    const p = r.partition;
    runs.push({ title: `partition of ${p.partitioned} of ${p.hosts} hosts, session timeout ${p.sessionTimeoutMs / 1000} s, healed after ${(p.heldMs / 1000).toFixed(1)} s`, startedAt: p.startedAt, want: p.hosts * services, series: p.series });
  }
  for (const x of r.restarts) {
    const how = HOW[x.kind];
    const mode = x.jitter ? `jitter and write cap on (${x.writesPerSecond}/s)` : 'jitter and write cap off';
    runs.push({ title: `${how}, ${x.hosts} hosts, ${mode}: every host back after ${(x.sim.lastMs / 1000).toFixed(1)} s`, startedAt: x.startedAt, want: x.hosts * services, series: x.series });
  }
  return renderFleetChart(machine, runs);
}
