// fleet-sim: many simulated hosts in this one process (bench/fleet-sim/sim-host.ts: the
// agent's own session, registration table and write limiter per host, real TCP, pings and
// watches; checks synthetic) against a 3-server ensemble, watched by an independent
// observer (kazoo, in a process of its own). Phases: 24 hosts steady (for the linear
// extrapolation), all hosts' first registration and steady state, a partition of a tenth
// of the hosts past the session timeout, a rolling and an all-at-once restart of the
// ensemble; then a second fleet with the agent's re-registration jitter and write cap off,
// through the same two restarts. With --servers, an ensemble of the operator's: no restart
// (nothing of theirs is stopped or wiped), and the partition only through loopback.

import pino from 'pino';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { connectClient, type TestClient } from '../../test/support/zk-client.js';
import { startProxy, type TcpProxy } from '../../test/support/tcp-proxy.js';
import { startEnsemble, type ZkEnsemble } from '../../test/support/zookeeper.js';
import { hostName, SimFleet } from '../fleet-sim/fleet.js';
import { Observer } from '../fleet-sim/observer.js';
import { partitionRun, peaksOf, restartRun, settle, steadyWindow, wholeDeadlineMs, windowOf, type Peaks, type PartitionRun, type RestartKind, type RestartRun, type SimContext, type SteadyFigures } from '../fleet-sim/phases.js';
import { mntr, Sampler, type Member, type Sample } from '../fleet-sim/sampler.js';
import { MB } from '../proc-stats.js';
import type { Row } from '../types.js';
import { warmUpZooKeeper } from '../warm-up.js';
import type { FleetResult } from './fleet.js';

export interface FleetSimOptions {
  readonly hosts: number;
  readonly services: number;
  /** s */
  readonly refresh: number;
  /** s */
  readonly sessionTimeout: number;
  /** s of each steady window */
  readonly seconds: number;
  /** an operator's ensemble; null: one the bench starts (and may restart) */
  readonly servers: string | null;
  /** restarts of its own ensemble, in order, with the jitter and cap on, then (a second fleet) off */
  readonly restarts: readonly RestartKind[];
  /** the agent's --max-writes-per-second (default 500) while the cap is on */
  readonly writesPerSecond: number;
  /** the fleet scenario's figures from 24 real agents in the same run, if it ran */
  readonly realAgents: { readonly agents: number; readonly services: number; readonly perHost: FleetResult['perHost'] } | null;
  /** where the simulated hosts' warnings and errors go */
  readonly logFile: string;
  readonly progress: (msg: string) => void;
}

export interface FleetSimResult {
  readonly rows: Row[];
  readonly zookeeperVersion: string;
  readonly firstStartMs: number;
  /** the first start of every host at once, seen from the ensemble and the hosts' writes */
  readonly firstStart: { readonly startedAt: number; readonly peaks: Peaks; readonly hostWrites: { readonly peakPerSecond: number; readonly total: number }; readonly series: Sample[] };
  /** idle: the ensemble with the observer and the sampler only, before any host */
  readonly steady: { readonly idle: SteadyFigures; readonly baseline: SteadyFigures | null; readonly full: SteadyFigures };
  readonly partition: PartitionRun | null;
  readonly restarts: RestartRun[];
  readonly samples: Sample[];
  readonly external: boolean;
}

export const FLEET_SIM_ROOT = '/zk-watcher-bench/fleet-sim';
const BASELINE_HOSTS = 24;
const SAMPLE_EVERY_MS = 500;
const OBSERVER_EVERY_S = 0.5;
const IDLE_SECONDS = 5;
export const HOW: Record<RestartKind, string> = {
  rolling: 'rolling restart (followers, then the leader)',
  all: 'all three members restarted at once',
  wiped: 'all three members restarted at once without their data (a rebuilt ensemble)',
};

/** Each member's heap: the harness's 128 MB, and 4 MB more per thousand nodes (with their watches and sessions). */
export function zookeeperHeap(nodes: number): string {
  return `${Math.min(4096, 128 + 4 * Math.ceil(nodes / 1000))}m`;
}

/** host:port pairs of a connect string (`a:1,b:2/chroot`). */
export function membersOf(servers: string): Member[] {
  const hosts = servers.split('/')[0]!;
  return hosts.split(',').map((hp) => {
    const at = hp.lastIndexOf(':');
    return at < 0 ? { host: hp, port: 2181 } : { host: hp.slice(0, at), port: Number(hp.slice(at + 1)) };
  });
}

/** The list starting at k mod its length, so first connections spread over the members. */
const rotated = (xs: readonly string[], k: number): string => [...xs.slice(k % xs.length), ...xs.slice(0, k % xs.length)].join(',');

export function loadWarning(o: Pick<FleetSimOptions, 'hosts' | 'services' | 'sessionTimeout' | 'servers'>): string {
  const pings = o.hosts / Math.max(0.1, o.sessionTimeout / 10);
  return [
    `fleet-sim: WARNING: this puts the load of a fleet of ${o.hosts} hosts on ${o.servers}:`,
    `  ${o.hosts} sessions (all from this machine), ${o.hosts * o.services} ephemeral nodes and as many watches`,
    `  under ${FLEET_SIM_ROOT}, about ${Math.round(pings)} pings a second, and bursts of up to ${o.hosts * o.services}`,
    '  creates and reads when the fleet starts and when the partitioned tenth comes back.',
    '  Nothing of the ensemble is restarted or wiped; the nodes go with the sessions at the end.',
    '  Run it against a production ensemble only if it can take that, at a quiet hour.',
  ].join('\n');
}

export async function fleetSimScenario(o: FleetSimOptions): Promise<FleetSimResult> {
  const external = o.servers !== null;
  if (external) o.progress(loadWarning(o));
  let ensemble: ZkEnsemble | null = null;
  let helper: TestClient | null = null;
  let observer: Observer | null = null;
  let sampler: Sampler | null = null;
  let fleet: SimFleet | null = null;
  const proxies: TcpProxy[] = [];
  let heapBefore: string | undefined;
  mkdirSync(dirname(o.logFile), { recursive: true });
  const logger = pino({ level: 'warn', base: null }, pino.destination({ dest: o.logFile, sync: false }));
  try {
    if (!external) {
      // A test's 128 MB heap does not hold a fleet's nodes, watches and sessions.
      heapBefore = process.env.ZK_TEST_HEAP;
      process.env.ZK_TEST_HEAP = heapBefore ?? zookeeperHeap(o.hosts * o.services);
      o.progress(`fleet-sim: starting a 3-server ensemble (-Xmx${process.env.ZK_TEST_HEAP} each)`);
      ensemble = await startEnsemble(3, { maxSessionTimeout: 60_000 });
    }
    const servers = o.servers ?? ensemble!.connectString;
    const members = membersOf(servers);
    const chroot = servers.includes('/') ? servers.slice(servers.indexOf('/')) : '';
    helper = await connectClient(servers);
    if (!external) await warmUpZooKeeper(helper);
    // Parents exist in a real fleet's registry: the bench measures the hosts, not first-time parents.
    for (let j = 0; j < o.services; j++) await helper.mkdirp(`${FLEET_SIM_ROOT}/svc-${j}`);
    const zookeeperVersion = (await sampleVersion(members)) ?? '?';
    // A tenth of the hosts reach the ensemble through proxies that can go silent (loopback members only).
    const loopback = members.every((m) => m.host === '127.0.0.1' || m.host === 'localhost');
    if (loopback) for (const m of members) proxies.push(await startProxy(m.port));
    const partitioned = (k: number) => proxies.length > 0 && k % 10 === 9;
    const direct = members.map((m) => `${m.host}:${m.port}`);
    const viaProxy = proxies.map((p) => p.connectString);
    const connectString = (k: number) => rotated(partitioned(k) ? viaProxy : direct, k) + chroot;

    observer = new Observer(servers, FLEET_SIM_ROOT, o.services, OBSERVER_EVERY_S);
    await observer.ready;
    const obs = observer;
    sampler = new Sampler(members, SAMPLE_EVERY_MS, () => ({ simRegistered: fleet?.registered ?? 0, observed: obs.lastTotal }));
    sampler.start();
    const pids = ensemble === null ? null : ensemble.servers.map((s) => s.pid!);
    const newFleet = (jitter: boolean, writesPerSecond: number | null) =>
      new SimFleet({ services: o.services, refreshMs: o.refresh * 1000, sessionTimeoutMs: o.sessionTimeout * 1000, root: FLEET_SIM_ROOT, jitter, writesPerSecond, connectString, logger });
    const ctxOf = (f: SimFleet): SimContext => ({ fleet: f, observer: obs, sampler: sampler!, services: o.services, sessionTimeoutMs: o.sessionTimeout * 1000, progress: o.progress });

    // ---- fleet 1: the agent as it ships (jitter, write cap) ----
    const on = { jitter: true, writesPerSecond: o.writesPerSecond };
    fleet = newFleet(on.jitter, on.writesPerSecond);
    let ctx = ctxOf(fleet);
    o.progress(`fleet-sim: the ensemble for ${IDLE_SECONDS} s with the observer only (what no host costs)`);
    const idle = await steadyWindow(ctx, members, pids, IDLE_SECONDS);
    let baseline: SteadyFigures | null = null;
    if (o.hosts >= 2 * BASELINE_HOSTS) {
      o.progress(`fleet-sim: ${BASELINE_HOSTS} hosts first, steady for ${o.seconds} s (the base of the linear extrapolation)`);
      fleet.grow(BASELINE_HOSTS);
      await settle(ctx, `${BASELINE_HOSTS} hosts registering`, wholeDeadlineMs(ctx));
      baseline = await steadyWindow(ctx, members, pids, o.seconds);
    }
    o.progress(`fleet-sim: ${o.hosts} hosts x ${o.services} services, started at once`);
    const started = performance.now();
    const startedAt = Date.now();
    fleet.grow(o.hosts);
    await settle(ctx, `${o.hosts} hosts registering`, wholeDeadlineMs(ctx));
    const firstStartMs = performance.now() - started;
    await sampler.sampleOnce();
    const firstSeries = windowOf(ctx, startedAt, Date.now());
    const firstStart = { startedAt, peaks: peaksOf(firstSeries), hostWrites: fleet.writesIn(startedAt, Date.now()), series: firstSeries };
    o.progress(`fleet-sim: all ${o.hosts * o.services} nodes registered after ${(firstStartMs / 1000).toFixed(1)} s; steady for ${o.seconds} s`);
    await new Promise((r) => setTimeout(r, 2000));
    const full = await steadyWindow(ctx, members, pids, o.seconds);

    let partition: PartitionRun | null = null;
    if (proxies.length > 0) {
      const names = new Set(fleet.hosts.filter((_, k) => partitioned(k)).map((h) => h.hostname));
      o.progress(`fleet-sim: partition of ${names.size} hosts (a tenth) past the session timeout (${o.sessionTimeout} s)`);
      partition = await partitionRun(ctx, proxies, names);
    } else o.progress('fleet-sim: no partition (the members are not on this machine, so no proxy can stand in front of them)');

    const restarts: RestartRun[] = [];
    if (ensemble !== null && o.restarts.length > 0) {
      for (const kind of o.restarts) {
        o.progress(`fleet-sim: ${HOW[kind]}, jitter and cap on`);
        restarts.push(await restartRun(ctx, ensemble.servers, kind, on));
      }
      o.progress('fleet-sim: a second fleet with the jitter and the write cap off');
      await fleet.stop();
      await waitObserved(obs, 0);
      const off = { jitter: false, writesPerSecond: null };
      fleet = newFleet(off.jitter, off.writesPerSecond);
      ctx = ctxOf(fleet);
      fleet.grow(o.hosts);
      await settle(ctx, `${o.hosts} hosts registering (jitter and cap off)`, wholeDeadlineMs(ctx));
      for (const kind of o.restarts) {
        o.progress(`fleet-sim: ${HOW[kind]}, jitter and cap off`);
        restarts.push(await restartRun(ctx, ensemble.servers, kind, off));
      }
    } else o.progress(ensemble === null ? 'fleet-sim: no restart (an ensemble of --servers is never restarted)' : 'fleet-sim: no restart (--fleet-sim-restarts none)');

    const samples = sampler.samples;
    return {
      rows: rows(o, { firstStartMs, firstStart, idle, baseline, full, partition, restarts, external }),
      zookeeperVersion,
      firstStartMs,
      firstStart,
      steady: { idle, baseline, full },
      partition,
      restarts,
      samples,
      external,
    };
  } finally {
    sampler?.stop();
    await fleet?.stop();
    observer?.stop();
    await Promise.all(proxies.map((p) => p.close()));
    if (helper !== null && external) await removeParents(helper, o.services);
    await helper?.close();
    await ensemble?.stop();
    if (ensemble !== null) {
      if (heapBefore === undefined) delete process.env.ZK_TEST_HEAP;
      else process.env.ZK_TEST_HEAP = heapBefore;
    }
    logger.flush();
  }
}

async function sampleVersion(members: readonly Member[]): Promise<string | undefined> {
  for (const m of members) {
    const a = await mntr(m);
    if (a !== null) return a.zk_version?.replace(/-.*/, '');
  }
  return undefined;
}

async function waitObserved(observer: Observer, total: number): Promise<void> {
  const until = performance.now() + 120_000;
  while ((await observer.roundAfter(Date.now())).total !== total) {
    if (performance.now() > until) throw new Error(`the observer still sees ${observer.lastTotal} nodes, not ${total}, 120 s after the fleet stopped`);
  }
}

/** On an operator's ensemble, the empty parents the bench made go too (never a node of anyone else). */
async function removeParents(helper: TestClient, services: number): Promise<void> {
  for (let j = 0; j < services; j++) await helper.remove(`${FLEET_SIM_ROOT}/svc-${j}`).catch(() => undefined);
  await helper.remove(FLEET_SIM_ROOT).catch(() => undefined);
  await helper.remove('/zk-watcher-bench').catch(() => undefined);
}

// ---- the table ----

interface Figures {
  readonly firstStartMs: number;
  readonly firstStart: FleetSimResult['firstStart'];
  readonly idle: SteadyFigures;
  readonly baseline: SteadyFigures | null;
  readonly full: SteadyFigures;
  readonly partition: PartitionRun | null;
  readonly restarts: readonly RestartRun[];
  readonly external: boolean;
}

const sumOf = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const s1 = (ms: number) => ms / 1000;

function rows(o: FleetSimOptions, f: Figures): Row[] {
  const where = f.external ? 'an ensemble of --servers' : '3-server ensemble on this machine';
  const steadyLabel = `fleet-sim, ${o.hosts} simulated hosts x ${o.services} services, refresh ${o.refresh} s, session timeout ${o.sessionTimeout} s, ${where}`;
  const out: Row[] = [];
  const r = (scenario: string, metric: string, value: number, unit: string) => out.push({ scenario, metric, value, unit });
  const full = f.full;
  const atOnce = f.baseline === null ? `all ${o.hosts} hosts` : `the other ${o.hosts - f.baseline.hosts} hosts`;
  r(steadyLabel, `first start (${atOnce} started at once): all ${o.hosts * o.services} nodes registered, seen by the observer`, s1(f.firstStartMs), 's');
  r(steadyLabel, "first start: the hosts' successful writes, most in one second", f.firstStart.hostWrites.peakPerSecond, '/s');
  r(steadyLabel, 'first start: ensemble peak mean request latency over an interval', f.firstStart.peaks.latencyMs, 'ms');
  r(steadyLabel, 'first start: ensemble peak outstanding requests', f.firstStart.peaks.outstanding, '');
  r(steadyLabel, `ensemble: client packets received (requests + pings), over ${full.load.seconds.toFixed(0)} s`, full.load.packetsReceivedPerSecond, '/s');
  r(steadyLabel, 'ensemble: proposals committed (writes, session creates and closes)', full.proposalsPerSecond, '/s');
  r(steadyLabel, `ensemble: client connections (per server ${full.load.connections.join('/')})`, sumOf(full.load.connections), '');
  r(steadyLabel, `ensemble: watches (per server ${full.load.watches.join('/')})`, sumOf(full.load.watches), '');
  r(steadyLabel, 'ensemble: znodes', full.load.znodes, '');
  r(steadyLabel, 'ensemble: approximate data size', full.load.dataBytes / MB, 'MiB');
  r(steadyLabel, 'ensemble: request latency, mean of reads and updates', full.requestLatencyMs, 'ms');
  r(steadyLabel, `ensemble: request latency, max (worst server${f.external ? ', since its last reset' : ''})`, full.load.maxLatencyMs, 'ms');
  r(steadyLabel, 'ensemble: outstanding requests, max', full.load.outstandingMax, '');
  r(steadyLabel, `ZooKeeper CPU, 3 servers (${f.idle.zookeeperCpuPercent.toFixed(1)} without any host)`, full.zookeeperCpuPercent, '% of a core');
  r(steadyLabel, 'per host: client packets received (above no host)', (full.load.packetsReceivedPerSecond - f.idle.load.packetsReceivedPerSecond) / o.hosts, '/s');
  r(steadyLabel, 'per host: ZooKeeper CPU (above no host)', (full.zookeeperCpuPercent - f.idle.zookeeperCpuPercent) / o.hosts, '% of a core');
  r(steadyLabel, 'the simulator itself (every host in one node process): CPU', full.simCpuPercent, '% of a core');
  r(steadyLabel, 'the simulator itself: RSS', full.simRssMb, 'MB');
  r(steadyLabel, "the simulator itself: event-loop delay p99 (every host's timers and pings wait on it)", full.simLoopDelay.p99Ms, 'ms');

  // Measured at N beside what the linear rule predicts from a small fleet.
  const n = o.hosts;
  type Figs = { packets: number; connections: number; watches: number; znodes: number; dataBytes: number; cpu: number };
  const figs = (s: SteadyFigures): Figs => ({
    packets: s.load.packetsReceivedPerSecond,
    connections: sumOf(s.load.connections),
    watches: sumOf(s.load.watches),
    znodes: s.load.ephemerals,
    dataBytes: s.load.dataBytes,
    cpu: s.zookeeperCpuPercent,
  });
  // The linear rule: what no host costs, plus N times what one host adds.
  const idle = figs(f.idle);
  const predictions: Array<{ from: string; perHost: Figs }> = [];
  if (f.baseline !== null) {
    const b = figs(f.baseline);
    const k = f.baseline.hosts;
    const per = (key: keyof Figs) => (b[key] - idle[key]) / k;
    predictions.push({
      from: `${k} simulated hosts (this run)`,
      perHost: { packets: per('packets'), connections: per('connections'), watches: per('watches'), znodes: per('znodes'), dataBytes: per('dataBytes'), cpu: per('cpu') },
    });
  }
  if (o.realAgents !== null) {
    const p = o.realAgents.perHost;
    const scale = o.services / o.realAgents.services;
    // The fleet scenario's znodes per host count its parents too (/fleet and one per service), spread over its agents.
    const ephemeralsPerHost = p.znodes - (o.realAgents.services + 1) / o.realAgents.agents;
    predictions.push({
      from: `${o.realAgents.agents} real agents of ${o.realAgents.services} services (fleet scenario, this run${scale === 1 ? '' : `, scaled to ${o.services} services`})`,
      perHost: { packets: p.packetsReceivedPerSecond * scale, connections: p.connections, watches: p.watches * scale, znodes: ephemeralsPerHost * scale, dataBytes: p.dataBytes * scale, cpu: p.zookeeperCpuPercent * scale },
    });
  }
  const label = `fleet-sim, ${n} hosts: measured vs linear extrapolation`;
  const measured = figs(full);
  const metrics = [
    ['packets', 'client packets received', '/s', 1],
    ['connections', 'client connections', '', 1],
    ['watches', 'watches', '', 1],
    ['znodes', 'ephemeral znodes', '', 1],
    ['dataBytes', 'data size of the ephemerals (whole tree measured)', 'MiB', MB],
    ['cpu', 'ZooKeeper CPU, 3 servers', '% of a core', 1],
  ] as const;
  for (const [key, what, unit, div] of metrics) {
    r(label, `${what}: measured at ${n} hosts`, measured[key] / div, unit);
    for (const p of predictions) r(label, `${what}: predicted from ${p.from}`, (idle[key] + p.perHost[key] * n) / div, unit);
  }

  if (f.partition !== null) {
    const p = f.partition;
    const pl = `fleet-sim partition: ${p.partitioned} of ${p.hosts} hosts silenced (no byte either way), session timeout ${s1(p.sessionTimeoutMs)} s, healed after ${s1(p.heldMs).toFixed(1)} s`;
    r(pl, `their nodes gone, seen by the observer: p50 (from the partition; every ${OBSERVER_EVERY_S} s)`, s1(p.gone.p50Ms), 's');
    r(pl, 'their nodes gone: p99', s1(p.gone.p99Ms), 's');
    r(pl, 'their nodes gone: the last host', s1(p.gone.lastMs), 's');
    r(pl, 'partitioned hosts whose nodes were never gone', p.gone.notBack, '');
    r(pl, 'back after the heal, every node confirmed (the hosts): p50', s1(p.backSim.p50Ms), 's');
    r(pl, 'back after the heal (the hosts): p99', s1(p.backSim.p99Ms), 's');
    r(pl, 'back after the heal (the hosts): the last host', s1(p.backSim.lastMs), 's');
    r(pl, 'back after the heal, every node seen (the observer): the last host', s1(p.backObserved.lastMs), 's');
    r(pl, 'sessions lost by the partitioned hosts', p.sessionsLost.partitioned, '');
    r(pl, 'the rest: hosts disturbed, as the hosts saw it (lost contact or a node)', p.othersDisturbed.sim, '');
    r(pl, 'the rest: hosts with a node missing, as the observer saw it', p.othersDisturbed.observed, '');
    r(pl, 'the rest: sessions lost', p.sessionsLost.others, '');
    r(pl, "the hosts' successful writes: most in one second", p.hostWrites.peakPerSecond, '/s');
    r(pl, "the hosts' successful writes, all", p.hostWrites.total, '');
    r(pl, 'ensemble: peak proposals committed (writes, session creates and closes)', p.peaks.writesPerSecond, '/s');
    r(pl, 'the simulator: event-loop delay, max', p.simLoopDelay.maxMs, 'ms');
  }

  for (const run of f.restarts) {
    const how = HOW[run.kind];
    const mode = run.jitter ? `jitter and write cap on (${run.writesPerSecond}/s, burst ${2 * run.writesPerSecond!})` : 'jitter and write cap off';
    const rl = `fleet-sim restart: ${how}, ${run.hosts} hosts, ${mode}`;
    r(rl, 'every member serving again, from the first stop', s1(run.servingMs), 's');
    r(rl, 'hosts that lost contact', run.sim.hosts, '');
    r(rl, 'every node confirmed again, per host (the hosts, from the first stop): p50', s1(run.sim.p50Ms), 's');
    r(rl, 'every node confirmed again, per host: p99', s1(run.sim.p99Ms), 's');
    r(rl, 'every node confirmed again: the last host', s1(run.sim.lastMs), 's');
    r(rl, 'the observer: every node seen again, from the first stop (after its last round that failed or saw fewer; 0: none did)', s1(run.seen.allSeenMs), 's');
    r(rl, `the observer: fewest nodes one round saw (of ${run.hosts * o.services}; rounds without an answer: ${run.seen.failedRounds})`, run.seen.minSeen, '');
    r(rl, 'the observer: hosts it saw missing a node', run.observed.hosts, '');
    r(rl, 'sessions lost (expired, or given up by the agent)', run.sessionsLost, '');
    r(rl, 'ensemble: peak mean request latency over an interval', run.peaks.latencyMs, 'ms');
    r(rl, 'ensemble: peak outstanding requests (members together)', run.peaks.outstanding, '');
    r(rl, "the hosts' successful writes: most in one second", run.hostWrites.peakPerSecond, '/s');
    r(rl, "the hosts' successful writes, all", run.hostWrites.total, '');
    r(rl, 'ensemble: peak proposals committed (writes, session creates and closes)', run.peaks.writesPerSecond, '/s');
    r(rl, 'ensemble: peak client packets received', run.peaks.packetsPerSecond, '/s');
    r(rl, `ensemble: watches once every host was back (of ${run.hosts * o.services})`, run.watchesAfter, '');
    r(rl, 'the simulator: event-loop delay, max', run.simLoopDelay.maxMs, 'ms');
  }
  return out;
}
