// saturation: how many checks a second the agent completes when it cannot keep up
// (N services at refresh 1 s), next to what a C loop of posix_spawn + waitpid does with
// the same command on the same machine, measured right before it in the same run.
// The agent's count comes from its own `engine_stats` lines (--stats-interval 1).

import { writeConfig } from '../../test/support/agent.js';
import type { TestClient } from '../../test/support/zk-client.js';
import { runSpawnLoop, type SpawnLoopResult } from '../c-baseline.js';
import { engineStatsLines, summarizeWindow, type EngineWindow } from '../engine-stats.js';
import { cpuPercent, MB, sampleTree, type TreeSample } from '../proc-stats.js';
import { escapePercent, servicesConfig } from '../services-config.js';
import type { Row } from '../types.js';
import { startBenchAgent, stopAgent, whileRunning } from './agent-run.js';

export interface SaturationOptions {
  /** 'auto': AUTO_SERVICES, or OVERLOAD x the C loop's rate if that is more */
  readonly services: number | 'auto';
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly cmd: string;
  readonly agentArgs: readonly string[];
}

export interface SaturationResult {
  readonly rows: Row[];
  readonly options: SaturationOptions;
  /** services actually run */
  readonly services: number;
  readonly cLoop: SpawnLoopResult;
  readonly agent: EngineWindow & {
    readonly cpuNodePercent: number;
    readonly cpuOwnPercent: number;
    readonly cpuTreePercent: number;
    readonly rssMaxMB: number;
    readonly registeredAtEnd: number;
  };
  readonly ratio: number;
}

const PER_PATH = 50_000; // services per zookeeper_path, so that ports stay within 10000..59999
const STATS_FLAG = ['--stats-interval', '1'];
const AUTO_SERVICES = 3000;
/** With 'auto', at least this much more work is offered than the C loop managed: the agent must not run dry. */
const OVERLOAD = 1.5;

/** How many services at refresh 1 s to run, given what the C loop did. */
export function saturationServices(wanted: number | 'auto', cLoopPerSecond: number): number {
  if (wanted !== 'auto') return wanted;
  return Math.max(AUTO_SERVICES, Math.ceil((cLoopPerSecond * OVERLOAD) / 100) * 100);
}

export async function saturationScenario(zk: string, observer: TestClient, o: SaturationOptions): Promise<SaturationResult> {
  const cLoop = await runSpawnLoop(o.cmd, o.seconds);
  const services = saturationServices(o.services, cLoop.perSecond);

  const root = '/bench/saturation';
  const config = servicesConfig(services, {
    cmd: () => escapePercent(o.cmd),
    refresh: () => 1,
    path: (i) => `${root}/${Math.floor(i / PER_PATH)}`,
    port: (i) => 10000 + (i % PER_PATH),
    hostname: 'bench.example',
  });
  const agent = startBenchAgent(['-c', writeConfig(config), '-s', zk, ...STATS_FLAG, ...o.agentArgs]);
  try {
    const what = 'saturation';
    await whileRunning(agent, o.warmupSeconds * 1000, what);
    const from = Date.now();
    const s0 = sampleTree(agent.pid);
    let rssMax = 0;
    let s1: TreeSample = s0;
    while (s1.at - s0.at < o.seconds * 1000) {
      await whileRunning(agent, Math.min(500, o.seconds * 1000 - (s1.at - s0.at)), what);
      s1 = sampleTree(agent.pid);
      rssMax = Math.max(rssMax, s1.treeRssBytes / MB);
    }
    const to = Date.now();
    await whileRunning(agent, 300, what); // let the last line through the pipe
    const lines = engineStatsLines(agent.logs);
    if (lines.length === 0) {
      throw new Error(
        `saturation: the agent logged no engine_stats line in ${((to - from) / 1000 + o.warmupSeconds).toFixed(0)} s. ` +
          `It is run with --stats-interval 1 and must log one JSON line per interval: ` +
          `{"event":"engine_stats","checksTotal":<cumulative completed checks>,"lagP99Ms":…,"eventLoopDelayP99Ms":…}`,
      );
    }
    const window = summarizeWindow(lines, from, to);
    if (window === undefined) throw new Error(`saturation: fewer than 2 engine_stats lines stamped within the measured ${o.seconds} s (${lines.length} in all)`);
    let registeredAtEnd = 0;
    for (let p = 0; p * PER_PATH < services; p++) registeredAtEnd += await observer.getChildren(`${root}/${p}`).then((c) => c.length, () => 0);
    const agentFigures = {
      ...window,
      cpuNodePercent: cpuPercent(s0, s1, 'root'),
      cpuOwnPercent: cpuPercent(s0, s1, 'own'),
      cpuTreePercent: cpuPercent(s0, s1, 'tree'),
      rssMaxMB: rssMax,
      registeredAtEnd,
    };
    const ratio = window.checksPerSecond / cLoop.perSecond;
    return { options: o, services, cLoop, agent: agentFigures, ratio, rows: rows(services, o.cmd, cLoop, agentFigures, ratio) };
  } finally {
    await stopAgent(agent);
  }
}

function rows(services: number, cmd: string, c: SpawnLoopResult, a: SaturationResult['agent'], ratio: number): Row[] {
  const scenario = `saturation, ${services} services at refresh 1 s`;
  // Below the C loop's rate the agent is not saturated, and the ratio says nothing about it.
  const saturated = services > c.perSecond;
  const perThousand = (cpuPercent: number, perSecond: number) => (cpuPercent / 100 / perSecond) * 1000;
  const cCpuPercent = (c.cpuSeconds / c.seconds) * 100;
  return [
    { scenario, metric: `C loop, ${c.workers} x posix_spawn+waitpid of sh -c ${JSON.stringify(cmd)}`, value: c.perSecond, unit: 'runs/s' },
    { scenario, metric: `zk-watcher, completed checks (offered ${services}/s)`, value: a.checksPerSecond, unit: 'checks/s' },
    saturated
      ? { scenario, metric: 'zk-watcher / C loop', value: ratio, unit: 'ratio', target: { op: '>=', value: 0.6 }, goal: { op: '>=', value: 0.9 } }
      : { scenario, metric: 'zk-watcher / C loop: NOT judged, fewer services than the C loop runs/s', value: ratio, unit: 'ratio' },
    { scenario, metric: 'schedule lag, p99 of the worst 1 s interval', value: a.lagP99Ms, unit: 'ms' },
    { scenario, metric: 'schedule lag, max', value: a.lagMaxMs, unit: 'ms' },
    { scenario, metric: 'main-thread event-loop delay, p99 of the worst 1 s interval', value: a.eventLoopDelayP99Ms, unit: 'ms' },
    { scenario, metric: 'main-thread event-loop delay, max', value: a.eventLoopDelayMaxMs, unit: 'ms' },
    { scenario, metric: 'agent CPU, node process alone', value: a.cpuNodePercent, unit: '% of a core' },
    { scenario, metric: 'agent CPU, node + check helpers', value: a.cpuOwnPercent, unit: '% of a core' },
    { scenario, metric: 'agent CPU, with the checks it ran', value: a.cpuTreePercent, unit: '% of a core' },
    { scenario, metric: 'C loop CPU, workers and their shells', value: cCpuPercent, unit: '% of a core' },
    { scenario, metric: 'CPU per 1000 checks, zk-watcher with its checks', value: perThousand(a.cpuTreePercent, a.checksPerSecond), unit: 'CPU s' },
    { scenario, metric: 'CPU per 1000 runs, C loop', value: perThousand(cCpuPercent, c.perSecond), unit: 'CPU s' },
    { scenario, metric: 'agent RSS, max, node + check helpers', value: a.rssMaxMB, unit: 'MB' },
    { scenario, metric: 'nodes registered at the end of the window', value: a.registeredAtEnd, unit: `of ${services}` },
  ];
}
