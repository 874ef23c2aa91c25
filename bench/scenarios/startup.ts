// startup: N services (refresh 1 s and 5 s, alternating): how registrations climb after
// start, then the agent's CPU and memory in steady state, then SIGTERM until exit.

import { writeConfig } from '../../test/support/agent.js';
import { startBenchAgent } from './agent-run.js';
import type { TestClient } from '../../test/support/zk-client.js';
import { cpuPercent, MB, sampleTree, threadCount } from '../proc-stats.js';
import { servicesConfig } from '../services-config.js';
import type { Row } from '../types.js';

export interface StartupResult {
  readonly rows: Row[];
  readonly services: number;
  /** [ms since the agent was started, nodes registered], polled about every 50 ms */
  readonly curve: Array<[number, number]>;
}

const REGISTER_DEADLINE_MS = 120_000;
const POLL_MS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startupScenario(zk: string, observer: TestClient, n: number, steadySeconds: number, agentArgs: readonly string[]): Promise<StartupResult> {
  const root = `/bench/startup${n}`;
  const config = writeConfig(
    servicesConfig(n, { cmd: () => 'true', refresh: (i) => (i % 2 === 0 ? 1 : 5), path: () => root, port: (i) => 10000 + i, hostname: 'bench.example' }),
  );
  const started = performance.now();
  const agent = startBenchAgent(['-c', config, '-s', zk, ...agentArgs]);
  try {
    const curve = await registrationCurve(observer, root, n, started, () => agent.process.exitCode !== null || agent.process.signalCode !== null);
    if (curve.at(-1)![1] !== n) throw new Error(`startup: the agent exited before registering ${n} services: ${agent.stderr().slice(-2000)}`);
    const allRegisteredMs = curve.at(-1)![0];
    await sleep(2000); // let the first-run burst pass
    const s0 = sampleTree(agent.pid);
    let rssMax = 0;
    let rootRssMax = 0;
    while (performance.now() - s0.at < steadySeconds * 1000) {
      await sleep(250);
      const s = sampleTree(agent.pid);
      rssMax = Math.max(rssMax, s.treeRssBytes / MB);
      rootRssMax = Math.max(rootRssMax, s.rootRssBytes / MB);
    }
    const s1 = sampleTree(agent.pid);
    const threads = threadCount(agent.pid);
    const stopStarted = performance.now();
    agent.signal('SIGTERM');
    const code = await agent.exited;
    const exitMs = performance.now() - stopStarted;
    const left = (await observer.getChildren(root)).length;
    const judged = n === 1000; // the targets are stated for 1000 services
    const scenario = `startup, ${n} services`;
    const checksPerSecond = n / 2 / 1 + n / 2 / 5;
    return {
      services: n,
      curve,
      rows: [
        { scenario, metric: 'all registered after start', value: allRegisteredMs, unit: 'ms', ...(judged && { target: { op: '<', value: 3000 } }) },
        {
          scenario,
          metric: `agent CPU in steady state (${checksPerSecond.toFixed(0)} checks/s), node + check helpers`,
          value: cpuPercent(s0, s1, 'own'),
          unit: '% of a core',
          ...(judged && { target: { op: '<', value: 25 }, goal: { op: '<', value: 2 } }),
        },
        { scenario, metric: 'agent CPU in steady state, node process alone', value: cpuPercent(s0, s1, 'root'), unit: '% of a core' },
        { scenario, metric: 'agent CPU in steady state, with the checks it ran', value: cpuPercent(s0, s1, 'tree'), unit: '% of a core' },
        { scenario, metric: 'agent RSS, max in steady state, node + check helpers', value: rssMax, unit: 'MB', ...(judged && { target: { op: '<', value: 250 }, goal: { op: '<', value: 90 } }) },
        { scenario, metric: 'agent RSS, max in steady state, node process alone', value: rootRssMax, unit: 'MB' },
        { scenario, metric: 'agent threads (node process)', value: threads, unit: '' },
        { scenario, metric: 'SIGTERM to exit', value: exitMs, unit: 'ms', ...(judged && { target: { op: '<', value: 5000 }, goal: { op: '<', value: 1000 } }) },
        { scenario, metric: 'exit code after SIGTERM', value: typeof code === 'number' ? code : NaN, unit: '', target: { op: '=', value: 0 } },
        { scenario, metric: 'nodes left after exit', value: left, unit: '', target: { op: '=', value: 0 } },
      ],
    };
  } finally {
    agent.signal('SIGKILL'); // a no-op once it has exited
    await agent.exited;
  }
}

/** Polls the child count of `root` until it is `n` (or `gaveUp()`); every sample is [ms since `started`, count]. */
async function registrationCurve(observer: TestClient, root: string, n: number, started: number, gaveUp: () => boolean): Promise<Array<[number, number]>> {
  const curve: Array<[number, number]> = [[0, 0]];
  for (;;) {
    const count = await observer.getChildren(root).then(
      (c) => c.length,
      () => 0,
    );
    const at = performance.now() - started;
    curve.push([Math.round(at), count]);
    if (count === n || gaveUp()) return curve;
    if (at > REGISTER_DEADLINE_MS) throw new Error(`startup: only ${count} of ${n} services registered after ${REGISTER_DEADLINE_MS / 1000} s`);
    await sleep(POLL_MS);
  }
}
