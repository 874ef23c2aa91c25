// storm: the first start of N services, then the re-registration storm after ZooKeeper
// comes back without its data (a rebuilt ensemble): the agent gives up the session the
// server no longer knows, takes a fresh one, waits a random moment (a fleet must not
// arrive at once) and creates every node again under its write limit (a burst of twice
// the rate, then the rate). Once with the default limit, once with a low one, so the cap
// shows. Seen from an independent client: how fast nodes come back, and the peak create
// rate from the nodes' ctime (the server's clock at each create).

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeConfig } from '../../test/support/agent.js';
import { connectClient, type TestClient } from '../../test/support/zk-client.js';
import { startZooKeeper } from '../../test/support/zookeeper.js';
import { servicesConfig } from '../services-config.js';
import type { Row } from '../types.js';
import { startBenchAgent, stopAgent, whileRunning } from './agent-run.js';

export interface StormRun {
  /** --max-writes-per-second given to the agent; null for the default */
  readonly writesPerSecond: number | null;
  readonly firstStartMs: number;
  /** from the wiped server serving again until every node is back */
  readonly backMs: number;
  /** the most creates the server stamped within any one second of the storm */
  readonly peakCreatesPerSecond: number;
  /** ms from the first re-create to the last */
  readonly spreadMs: number;
}

export interface StormResult {
  readonly rows: Row[];
  readonly runs: StormRun[];
}

const ROOT = '/bench/storm';
/** Short, so the agent gives the unknown session up (2 t after its last packet) within seconds. */
const SESSION_TIMEOUT_S = 4;
const LOW_CAP = 100;
const POLL_MS = 100;

async function countUntil(observer: TestClient, n: number, deadlineMs: number, agentAlive: (ms: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  for (;;) {
    const count = await observer.getChildren(ROOT).then((c) => c.length, () => 0);
    if (count === n) return performance.now() - started;
    if (performance.now() - started > deadlineMs) throw new Error(`storm: ${count} of ${n} nodes after ${deadlineMs / 1000} s`);
    await agentAlive(POLL_MS);
  }
}

/** The largest number of ctimes (ms) within any window of 1000 ms. */
export function peakPerSecond(ctimes: readonly number[]): number {
  const sorted = [...ctimes].sort((a, b) => a - b);
  let peak = 0;
  let from = 0;
  for (let to = 0; to < sorted.length; to++) {
    while (sorted[to]! - sorted[from]! >= 1000) from++;
    peak = Math.max(peak, to - from + 1);
  }
  return peak;
}

async function stormOnce(services: number, writesPerSecond: number | null, agentArgs: readonly string[]): Promise<StormRun> {
  const zk = await startZooKeeper({ maxSessionTimeout: 60_000 });
  let observer = await connectClient(zk.connectString);
  const config = writeConfig(servicesConfig(services, { cmd: () => 'true', refresh: () => 10, path: () => ROOT, port: (i) => 10000 + i, hostname: 'bench.example' }));
  const cap = writesPerSecond === null ? [] : ['--max-writes-per-second', String(writesPerSecond)];
  const launched = performance.now();
  const agent = startBenchAgent(['-c', config, '-s', zk.connectString, '--session-timeout', String(SESSION_TIMEOUT_S), ...cap, ...agentArgs]);
  const alive = (ms: number) => whileRunning(agent, ms, 'storm');
  try {
    await countUntil(observer, services, 120_000, alive);
    const firstStartMs = performance.now() - launched;
    await observer.close();
    // The server comes back empty, as a rebuilt ensemble would: our session and nodes are gone.
    await zk.kill();
    rmSync(join(zk.dataDir, 'version-2'), { recursive: true, force: true });
    await zk.start();
    const serving = performance.now();
    observer = await connectClient(zk.connectString);
    await countUntil(observer, services, 180_000, alive);
    const backMs = performance.now() - serving;
    const ctimes = await Promise.all((await observer.getChildren(ROOT)).map(async (c) => Number((await observer.exists(`${ROOT}/${c}`))!.ctime.readBigInt64BE())));
    return { writesPerSecond, firstStartMs, backMs, peakCreatesPerSecond: peakPerSecond(ctimes), spreadMs: Math.max(...ctimes) - Math.min(...ctimes) };
  } finally {
    await stopAgent(agent);
    await observer.close();
    await zk.stop();
  }
}

export async function stormScenario(services: number, agentArgs: readonly string[]): Promise<StormResult> {
  const runs = [await stormOnce(services, null, agentArgs), await stormOnce(services, LOW_CAP, agentArgs)];
  const round = (x: number) => Math.round(x);
  const rows: Row[] = [];
  for (const r of runs) {
    const scenario = `storm, ${services} services, ZooKeeper back empty, ${r.writesPerSecond === null ? 'default write limit (500/s, burst 1000)' : `--max-writes-per-second ${r.writesPerSecond} (burst ${2 * r.writesPerSecond})`}`;
    rows.push(
      { scenario, metric: 'first start: all registered after launch', value: round(r.firstStartMs), unit: 'ms', ...(services === 1000 && r.writesPerSecond === null && { target: { op: '<', value: 3000 }, goal: { op: '<', value: 1000 } }) },
      { scenario, metric: `storm: all back after the server served again (session given up at 2 t, t = ${SESSION_TIMEOUT_S} s)`, value: round(r.backMs), unit: 'ms' },
      // Within any one second the bucket lets out at most its burst (2 x rate) and a second's refill.
      { scenario, metric: 'storm: creates stamped by the server, most in one second', value: r.peakCreatesPerSecond, unit: '/s', ...(r.writesPerSecond !== null && { target: { op: '<=', value: 3 * r.writesPerSecond } }) },
      { scenario, metric: 'storm: first re-create to last', value: round(r.spreadMs), unit: 'ms' },
    );
  }
  return { rows, runs };
}
