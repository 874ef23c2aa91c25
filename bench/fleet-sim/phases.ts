// The fleet bench's phases, each against a fleet that is whole when it begins: a steady
// window (what the fleet costs the ensemble), a restart of the ensemble (rolling or all at
// once: how long until every host is whole again, seen by the hosts and by the observer),
// and a partition of some hosts past the session timeout.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { ZkServer } from '../../test/support/zookeeper.js';
import type { TcpProxy } from '../../test/support/tcp-proxy.js';
import { ensembleLoad, type EnsembleLoad } from '../mntr.js';
import { cpuPercent, sampleTree } from '../proc-stats.js';
import { goneTimes, observedWindow, observerEvents, recoveries, summarize, type HostEvent, type RecoverySummary } from './figures.js';
import type { SimFleet } from './fleet.js';
import type { Observer } from './observer.js';
import { fourLetter, mntr, type Member, type Sample, type Sampler } from './sampler.js';

export interface SimContext {
  readonly fleet: SimFleet;
  readonly observer: Observer;
  readonly sampler: Sampler;
  readonly services: number;
  readonly sessionTimeoutMs: number;
  readonly progress: (msg: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How late this process's timers ran in a phase: every simulated host lives on this one event loop, so a late one means late pings. */
export interface LoopDelay {
  readonly p99Ms: number;
  readonly maxMs: number;
}

function loopMonitor(): { stop: () => LoopDelay } {
  const h: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });
  h.enable();
  return {
    stop: () => {
      h.disable();
      return { p99Ms: h.percentile(99) / 1e6, maxMs: h.max / 1e6 };
    },
  };
}
/** After a phase: one more observer round and sample see the settled state. */
const TAIL_MS = 1500;

export const wantedNodes = (ctx: SimContext): number => ctx.fleet.hosts.length * ctx.services;

/** Every host whole, and then an observer round, started after that, seeing every node. */
export async function settle(ctx: SimContext, what: string, deadlineMs: number): Promise<void> {
  const until = performance.now() + deadlineMs;
  for (;;) {
    await ctx.fleet.waitWhole(what, Math.max(1000, until - performance.now()));
    const round = await ctx.observer.roundAfter(Date.now(), Math.max(1000, until - performance.now()));
    if (round.total === wantedNodes(ctx) && ctx.fleet.whole === ctx.fleet.hosts.length) return;
    if (performance.now() > until) throw new Error(`${what}: the hosts are whole, but the observer sees ${round.total} of ${wantedNodes(ctx)} nodes`);
  }
}

/** Deadline for the fleet to come back whole: generous, growing with the nodes. */
export const wholeDeadlineMs = (ctx: SimContext): number => 120_000 + wantedNodes(ctx) * 10;

// ---- steady state ----

export interface SteadyFigures {
  readonly hosts: number;
  readonly load: EnsembleLoad;
  /** mean latency of the reads and updates answered in the window (from the servers' summaries) */
  readonly requestLatencyMs: number;
  readonly proposalsPerSecond: number;
  /** the three JVMs, % of a core (NaN for an ensemble we did not start) */
  readonly zookeeperCpuPercent: number;
  /** this process: every simulated host and the sampler */
  readonly simCpuPercent: number;
  readonly simRssMb: number;
  readonly simLoopDelay: LoopDelay;
}

/** `seconds` of the fleet as it is; srst resets latency figures first (only on our own servers). */
export async function steadyWindow(ctx: SimContext, members: readonly Member[], pids: readonly number[] | null, seconds: number): Promise<SteadyFigures> {
  const round = async () => {
    const servers = await Promise.all(members.map((m) => mntr(m)));
    if (servers.some((s) => s === null)) throw new Error('steady: a member did not answer mntr');
    return { at: performance.now(), servers: servers as Array<Record<string, string>> };
  };
  if (pids !== null) await Promise.all(members.map((m) => fourLetter(m, 'srst')));
  const first = await round();
  const zk0 = pids?.map((p) => sampleTree(p));
  const cpu0 = process.cpuUsage();
  const loop = loopMonitor();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const last = await round();
  const cpu = process.cpuUsage(cpu0);
  const elapsed = (performance.now() - t0) / 1000;
  const zkCpu = pids === null || zk0 === undefined ? NaN : pids.reduce((a, p, i) => a + cpuPercent(zk0[i]!, sampleTree(p), 'tree'), 0);
  const d = (key: string) => last.servers.reduce((a, m, i) => a + Math.max(0, Number(m[key] ?? 0) - Number(first.servers[i]![key] ?? 0)), 0);
  const requests = d('zk_cnt_readlatency') + d('zk_cnt_updatelatency');
  return {
    hosts: ctx.fleet.hosts.length,
    load: ensembleLoad([first, last]),
    requestLatencyMs: requests > 0 ? (d('zk_sum_readlatency') + d('zk_sum_updatelatency')) / requests : NaN,
    proposalsPerSecond: d('zk_proposal_count') / elapsed,
    zookeeperCpuPercent: zkCpu,
    simCpuPercent: ((cpu.user + cpu.system) / 1e6 / elapsed) * 100,
    simRssMb: process.memoryUsage().rss / 1024 / 1024,
    simLoopDelay: loop.stop(),
  };
}

// ---- what the ensemble did in a window ----

export interface Peaks {
  /** the worst interval's mean request latency, ms */
  readonly latencyMs: number;
  /** the most requests queued on the members together */
  readonly outstanding: number;
  /** committed writes (proposals: creates, deletes, session creates and closes) per second */
  readonly writesPerSecond: number;
  readonly packetsPerSecond: number;
}

export function peaksOf(samples: readonly Sample[]): Peaks {
  const max = (f: (s: NonNullable<Sample['ensemble']>) => number) => Math.max(0, ...samples.map((s) => (s.ensemble === null ? 0 : f(s.ensemble))).filter(Number.isFinite));
  return { latencyMs: max((e) => e.avgLatencyMs), outstanding: max((e) => e.outstanding), writesPerSecond: max((e) => e.proposalsPerSecond), packetsPerSecond: max((e) => e.packetsReceivedPerSecond) };
}

export const windowOf = (ctx: SimContext, from: number, to: number): Sample[] => ctx.sampler.samples.filter((s) => s.t >= from && s.t <= to);

// ---- a restart of the ensemble ----

/** rolling: one member after the other; all: every member at once; wiped: every member at once, started again without its data (a rebuilt ensemble). */
export type RestartKind = 'rolling' | 'all' | 'wiped';

export interface RestartRun {
  readonly kind: RestartKind;
  readonly jitter: boolean;
  readonly writesPerSecond: number | null;
  readonly hosts: number;
  readonly startedAt: number;
  /** from the first stop until every member served again */
  readonly servingMs: number;
  /** the hosts' view: per host, from the first stop until every node of it was confirmed again */
  readonly sim: RecoverySummary;
  /** the observer's view: hosts it saw missing nodes, and when each had them all again */
  readonly observed: RecoverySummary;
  /** the observer's rounds: the fewest nodes one saw, rounds without an answer, and when it saw every node again for good */
  readonly seen: { readonly minSeen: number; readonly failedRounds: number; readonly allSeenMs: number };
  readonly sessionsLost: number;
  readonly hostsThatLostTheirSession: number;
  readonly peaks: Peaks;
  /** the hosts' successful writes: the most in one second, and all of them */
  readonly hostWrites: { readonly peakPerSecond: number; readonly total: number };
  /** watches on the ensemble once every host was whole again */
  readonly watchesAfter: number;
  readonly simLoopDelay: LoopDelay;
  readonly series: Sample[];
}

/** Members that follow first and the leader last, as an operator restarts them (one answering neither: first). */
async function restartOrder(members: readonly ZkServer[]): Promise<ZkServer[]> {
  const modes = await Promise.all(members.map((m) => m.fourLetter('srvr', 2000).then((s) => /^Mode: (\S+)/m.exec(s)?.[1] ?? '', () => '')));
  return members.map((m, i) => ({ m, leader: modes[i] === 'leader' })).sort((a, b) => Number(a.leader) - Number(b.leader)).map((x) => x.m);
}

export async function restartRun(ctx: SimContext, members: readonly ZkServer[], kind: RestartKind, mode: { jitter: boolean; writesPerSecond: number | null }): Promise<RestartRun> {
  await settle(ctx, `before the ${kind} restart`, wholeDeadlineMs(ctx));
  const lost0 = ctx.fleet.hosts.map((h) => h.sessionsLost);
  const loop = loopMonitor();
  const t0 = Date.now();
  if (kind === 'rolling') {
    for (const m of await restartOrder(members)) {
      ctx.progress(`  restarting member ${m.myid}`);
      await m.stop();
      await m.start();
    }
  } else {
    await Promise.all(members.map((m) => m.stop()));
    // The snapshots and logs go; myid stays.
    if (kind === 'wiped') for (const m of members) rmSync(join(m.dataDir, 'version-2'), { recursive: true, force: true });
    await Promise.all(members.map((m) => m.start()));
  }
  const servingMs = Date.now() - t0;
  ctx.progress(`  every member serves again after ${(servingMs / 1000).toFixed(1)} s; waiting for every host`);
  await settle(ctx, `after the ${kind} restart`, wholeDeadlineMs(ctx));
  await sleep(TAIL_MS);
  await ctx.sampler.sampleOnce();
  const t1 = Date.now();
  const series = windowOf(ctx, t0, t1);
  const lostBy = ctx.fleet.hosts.map((h, i) => h.sessionsLost - lost0[i]!);
  return {
    kind,
    ...mode,
    hosts: ctx.fleet.hosts.length,
    startedAt: t0,
    servingMs,
    sim: summarize(recoveries(ctx.fleet.events, t0, t1)),
    observed: summarize(recoveries(observerEvents(ctx.observer.rounds, ctx.services), t0, t1)),
    seen: observedWindow(ctx.observer.rounds, t0, t1, wantedNodes(ctx)),
    sessionsLost: lostBy.reduce((a, b) => a + b, 0),
    hostsThatLostTheirSession: lostBy.filter((n) => n > 0).length,
    peaks: peaksOf(series),
    hostWrites: ctx.fleet.writesIn(t0, t1),
    watchesAfter: series.at(-1)?.ensemble?.watches ?? NaN,
    simLoopDelay: loop.stop(),
    series,
  };
}

// ---- a partition of some hosts ----

export interface PartitionRun {
  readonly hosts: number;
  readonly partitioned: number;
  readonly startedAt: number;
  readonly sessionTimeoutMs: number;
  /** the observer's view: per partitioned host, from the partition until none of its nodes was seen */
  readonly gone: RecoverySummary;
  /** from the partition's start to its heal */
  readonly heldMs: number;
  /** per partitioned host, from the heal until it was whole again: the hosts' view and the observer's */
  readonly backSim: RecoverySummary;
  readonly backObserved: RecoverySummary;
  /** hosts outside the partition that stopped being whole (the hosts' view) or lost a node (the observer's) */
  readonly othersDisturbed: { readonly sim: number; readonly observed: number };
  readonly sessionsLost: { readonly partitioned: number; readonly others: number };
  readonly peaks: Peaks;
  readonly hostWrites: { readonly peakPerSecond: number; readonly total: number };
  readonly simLoopDelay: LoopDelay;
  readonly series: Sample[];
}

export async function partitionRun(ctx: SimContext, proxies: readonly TcpProxy[], partitioned: ReadonlySet<string>): Promise<PartitionRun> {
  await settle(ctx, 'before the partition', wholeDeadlineMs(ctx));
  const lost0 = ctx.fleet.hosts.map((h) => h.sessionsLost);
  const names = [...partitioned];
  const loop = loopMonitor();
  const t0 = Date.now();
  await Promise.all(proxies.map((p) => p.setMode('silent')));
  const until = performance.now() + ctx.sessionTimeoutMs + 60_000;
  while (names.some((h) => (ctx.observer.counts.get(h) ?? 0) > 0)) {
    if (performance.now() > until) throw new Error(`partition: the observer still sees nodes of ${names.filter((h) => (ctx.observer.counts.get(h) ?? 0) > 0).length} of ${names.length} partitioned hosts ${ctx.sessionTimeoutMs / 1000 + 60} s later`);
    await sleep(100);
  }
  ctx.progress(`  every partitioned host's nodes are gone after ${((Date.now() - t0) / 1000).toFixed(1)} s; healing`);
  await sleep(1000);
  const healedAt = Date.now();
  await Promise.all(proxies.map((p) => p.setMode('pass')));
  await settle(ctx, 'after the partition healed', wholeDeadlineMs(ctx));
  await sleep(TAIL_MS);
  await ctx.sampler.sampleOnce();
  const t1 = Date.now();
  const only = (inside: boolean) => (e: HostEvent) => partitioned.has(e.host) === inside;
  const obsEvents = observerEvents(ctx.observer.rounds, ctx.services);
  const disturbed = (events: readonly HostEvent[]) => new Set(events.filter((e) => e.t >= t0 && e.t <= t1 && !e.whole && !partitioned.has(e.host)).map((e) => e.host)).size;
  const lost = (inside: boolean) => ctx.fleet.hosts.reduce((a, h, i) => a + (partitioned.has(h.hostname) === inside ? h.sessionsLost - lost0[i]! : 0), 0);
  const series = windowOf(ctx, t0, t1);
  return {
    hosts: ctx.fleet.hosts.length,
    partitioned: names.length,
    startedAt: t0,
    sessionTimeoutMs: ctx.sessionTimeoutMs,
    gone: summarize(goneTimes(ctx.observer.rounds, names, t0, t1)),
    heldMs: healedAt - t0,
    backSim: summarize(recoveries(ctx.fleet.events.filter(only(true)), healedAt, t1)),
    backObserved: summarize(recoveries(obsEvents.filter(only(true)), healedAt, t1)),
    othersDisturbed: { sim: disturbed(ctx.fleet.events), observed: disturbed(obsEvents) },
    sessionsLost: { partitioned: lost(true), others: lost(false) },
    peaks: peaksOf(series),
    hostWrites: ctx.fleet.writesIn(t0, t1),
    simLoopDelay: loop.stop(),
    series,
  };
}
