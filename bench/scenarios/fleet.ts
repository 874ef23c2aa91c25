// fleet: K agents (one per simulated host, each with M services under its own
// service_hostname) against one 3-server ensemble. Measures what the fleet costs
// ZooKeeper (from the servers' mntr and /proc) once everything is registered, per
// agent host, and extrapolates that linearly to fleets of thousands of hosts.

import { writeConfig, type Agent } from '../../test/support/agent.js';
import { connectClient } from '../../test/support/zk-client.js';
import { startEnsemble, type ZkEnsemble } from '../../test/support/zookeeper.js';
import { ensembleLoad, value, type EnsembleLoad, type MntrRound } from '../mntr.js';
import { cpuPercent, MB, processTable, sampleTree, type TreeSample } from '../proc-stats.js';
import { servicesConfig } from '../services-config.js';
import type { Row } from '../types.js';
import { startBenchAgent, stopAgent } from './agent-run.js';

export interface FleetOptions {
  readonly agents: number;
  readonly services: number;
  readonly refresh: number;
  readonly seconds: number;
  readonly agentArgs: readonly string[];
}

export interface FleetResult {
  readonly rows: Row[];
  readonly zookeeperVersion: string;
  readonly load: EnsembleLoad;
  readonly allRegisteredMs: number;
  readonly perHost: PerHost;
}

interface PerHost {
  readonly packetsReceivedPerSecond: number;
  readonly connections: number;
  readonly watches: number;
  readonly znodes: number;
  readonly dataBytes: number;
  readonly zookeeperCpuPercent: number;
}

const REGISTER_DEADLINE_MS = 180_000;
const IDLE_SECONDS = 3;
const SETTLE_MS = 2000;
/** mntr rounds in the window: only the first and last count for rates; the others catch peaks (and cost the servers a little) */
const MNTR_EVERY_MS = 2000;
const EXTRAPOLATE_TO = [1000, 10_000];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function fleetScenario(o: FleetOptions): Promise<FleetResult> {
  const ensemble = await startEnsemble(3);
  const agents: Agent[] = [];
  try {
    const before = await mntrRound(ensemble);
    const jvms = ensemble.servers.map((s) => s.pid!);
    const idle0 = jvms.map((pid) => sampleTree(pid));
    await sleep(IDLE_SECONDS * 1000);
    const idle1 = jvms.map((pid) => sampleTree(pid));
    const zkIdlePercent = sumOf(jvms.map((_, i) => cpuPercent(idle0[i]!, idle1[i]!, 'tree')));

    const started = performance.now();
    for (let k = 0; k < o.agents; k++) agents.push(startBenchAgent(['-c', writeConfig(agentConfig(k, o)), '-s', rotated(ensemble, k), ...o.agentArgs]));
    await waitAllRegistered(ensemble, agents, o);
    const allRegisteredMs = performance.now() - started;
    await sleep(SETTLE_MS); // the observer is closed: only the agents talk to the ensemble now

    await Promise.all(ensemble.servers.map((s) => s.fourLetter('srst')));
    const rounds: MntrRound[] = [await mntrRound(ensemble)];
    const t0 = processTable();
    const agents0 = agents.map((a) => sampleTree(a.pid, t0));
    const zk0 = jvms.map((pid) => sampleTree(pid, t0));
    let agentsRssMax = 0;
    while (rounds.at(-1)!.at - rounds[0]!.at < o.seconds * 1000) {
      await sleep(Math.min(MNTR_EVERY_MS, o.seconds * 1000 - (rounds.at(-1)!.at - rounds[0]!.at)));
      rounds.push(await mntrRound(ensemble));
      const t = processTable();
      agentsRssMax = Math.max(agentsRssMax, sumOf(agents.map((a) => sampleTree(a.pid, t).treeRssBytes)) / MB);
    }
    const t1 = processTable();
    const agentsCpu = sumOf(agents.map((a, i) => cpuPercent(agents0[i]!, sampleTree(a.pid, t1), 'tree')));
    const zkCpu = sumOf(jvms.map((pid, i) => cpuPercent(zk0[i]!, sampleTree(pid, t1), 'tree')));
    const exited = agents.filter((a) => a.process.exitCode !== null || a.process.signalCode !== null).length;
    if (exited > 0) throw new Error(`fleet: ${exited} of ${o.agents} agents exited during the measurement`);

    const load = ensembleLoad(rounds);
    const baseline = { znodes: value(before.servers[0]!, 'zk_znode_count'), dataBytes: value(before.servers[0]!, 'zk_approximate_data_size') };
    const k = o.agents;
    const perHost: PerHost = {
      packetsReceivedPerSecond: load.packetsReceivedPerSecond / k,
      connections: sumOf(load.connections) / k,
      watches: sumOf(load.watches) / k,
      znodes: (load.znodes - baseline.znodes) / k,
      dataBytes: (load.dataBytes - baseline.dataBytes) / k,
      zookeeperCpuPercent: Math.max(0, zkCpu - zkIdlePercent) / k,
    };
    const zookeeperVersion = before.servers[0]!.zk_version ?? '?';
    const figures = { allRegisteredMs, load, perHost, zkCpu, zkIdlePercent, agentsCpu, agentsRssMax, baseline };
    return { rows: rows(o, figures), zookeeperVersion, load, allRegisteredMs, perHost };
  } finally {
    await Promise.all(agents.map((a) => stopAgent(a)));
    await ensemble.stop();
  }
}

function agentConfig(k: number, o: FleetOptions): string {
  return servicesConfig(o.services, { cmd: () => 'true', refresh: () => o.refresh, path: (j) => `/fleet/svc-${j}`, port: (j) => 8000 + j, hostname: `host-${k}` });
}

/** The ensemble's connect string starting at member k mod 3, so first connections spread evenly. */
function rotated(ensemble: ZkEnsemble, k: number): string {
  const s = ensemble.servers.map((m) => m.connectString);
  const at = k % s.length;
  return [...s.slice(at), ...s.slice(0, at)].join(',');
}

async function waitAllRegistered(ensemble: ZkEnsemble, agents: readonly Agent[], o: FleetOptions): Promise<void> {
  const observer = await connectClient(ensemble.connectString);
  try {
    const want = o.agents * o.services;
    const deadline = performance.now() + REGISTER_DEADLINE_MS;
    for (;;) {
      let count = 0;
      for (let j = 0; j < o.services; j++) count += await observer.getChildren(`/fleet/svc-${j}`).then((c) => c.length, () => 0);
      if (count === want) return;
      const dead = agents.find((a) => a.process.exitCode !== null || a.process.signalCode !== null);
      if (dead) throw new Error(`fleet: an agent exited before the fleet registered: ${dead.stderr().trim().slice(-1500)}`);
      if (performance.now() > deadline) throw new Error(`fleet: only ${count} of ${want} nodes registered after ${REGISTER_DEADLINE_MS / 1000} s`);
      await sleep(250);
    }
  } finally {
    await observer.close();
  }
}

async function mntrRound(ensemble: ZkEnsemble): Promise<MntrRound> {
  const servers = await Promise.all(ensemble.servers.map((s) => s.mntr()));
  return { at: performance.now(), servers };
}

const sumOf = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

interface Figures {
  readonly allRegisteredMs: number;
  readonly load: EnsembleLoad;
  readonly perHost: PerHost;
  readonly zkCpu: number;
  readonly zkIdlePercent: number;
  readonly agentsCpu: number;
  readonly agentsRssMax: number;
  readonly baseline: { readonly znodes: number; readonly dataBytes: number };
}

function rows(o: FleetOptions, f: Figures): Row[] {
  const scenario = `fleet, ${o.agents} hosts x ${o.services} services, refresh ${o.refresh} s`;
  const { load, perHost: h } = f;
  const perServer = (xs: readonly number[]) => `(per server ${xs.join('/')})`;
  const out: Row[] = [
    { scenario, metric: `all ${o.agents * o.services} nodes registered after start (agents started at once)`, value: f.allRegisteredMs, unit: 'ms' },
    { scenario, metric: `ensemble: client packets received (requests + pings), over ${load.seconds.toFixed(0)} s`, value: load.packetsReceivedPerSecond, unit: '/s' },
    { scenario, metric: 'ensemble: client packets sent', value: load.packetsSentPerSecond, unit: '/s' },
    { scenario, metric: `ensemble: client connections ${perServer(load.connections)}`, value: sumOf(load.connections), unit: '' },
    { scenario, metric: `ensemble: watches ${perServer(load.watches)}`, value: sumOf(load.watches), unit: '' },
    { scenario, metric: `ensemble: znodes (${f.baseline.znodes} before the fleet)`, value: load.znodes, unit: '' },
    { scenario, metric: 'ensemble: ephemeral znodes', value: load.ephemerals, unit: '' },
    { scenario, metric: 'ensemble: approximate data size', value: load.dataBytes / 1024, unit: 'KiB' },
    { scenario, metric: 'ensemble: request latency, avg (worst server)', value: load.avgLatencyMs, unit: 'ms' },
    { scenario, metric: 'ensemble: request latency, max (worst server)', value: load.maxLatencyMs, unit: 'ms' },
    { scenario, metric: 'ensemble: outstanding requests, max', value: load.outstandingMax, unit: '' },
    { scenario, metric: `ZooKeeper CPU, 3 servers (${f.zkIdlePercent.toFixed(1)} when idle before the fleet)`, value: f.zkCpu, unit: '% of a core' },
    { scenario, metric: 'agents CPU, all, with their checks', value: f.agentsCpu, unit: '% of a core' },
    { scenario, metric: 'agents RSS, all, max', value: f.agentsRssMax, unit: 'MB' },
    { scenario, metric: 'per host: client packets received', value: h.packetsReceivedPerSecond, unit: '/s' },
    { scenario, metric: 'per host: connections (sessions)', value: h.connections, unit: '' },
    { scenario, metric: 'per host: watches', value: h.watches, unit: '' },
    { scenario, metric: 'per host: znodes', value: h.znodes, unit: '' },
    { scenario, metric: 'per host: data size', value: h.dataBytes, unit: 'bytes' },
    { scenario, metric: 'per host: ZooKeeper CPU above idle, 3 servers (rough: JVM noise)', value: h.zookeeperCpuPercent, unit: '% of a core' },
    { scenario, metric: 'per host: agent CPU, with its checks', value: f.agentsCpu / o.agents, unit: '% of a core' },
    { scenario, metric: 'per host: agent RSS', value: f.agentsRssMax / o.agents, unit: 'MB' },
  ];
  for (const n of EXTRAPOLATE_TO) {
    const hosts = n.toLocaleString('en-US');
    const label = `linear extrapolation to ${hosts} hosts of ${o.services} services`;
    out.push(
      { scenario: label, metric: 'client packets (requests + pings) received by the ensemble', value: h.packetsReceivedPerSecond * n, unit: '/s' },
      { scenario: label, metric: 'client connections (sessions), spread over the servers', value: h.connections * n, unit: '' },
      { scenario: label, metric: 'watches, spread over the servers', value: h.watches * n, unit: '' },
      { scenario: label, metric: 'znodes', value: f.baseline.znodes + h.znodes * n, unit: '' },
      { scenario: label, metric: 'approximate data size', value: (f.baseline.dataBytes + h.dataBytes * n) / MB, unit: 'MiB' },
    );
  }
  return out;
}
