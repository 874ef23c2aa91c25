// flip: checks that start failing on cue. Measured from the check run that saw the
// failure (it stamps the wall clock) to the delete, as a watching client sees it.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeConfig } from '../../test/support/agent.js';
import { startBenchAgent } from './agent-run.js';
import { waitFor } from '../../test/support/wait.js';
import type { TestClient } from '../../test/support/zk-client.js';
import { percentile } from '../proc-stats.js';
import { servicesConfig } from '../services-config.js';
import type { Row } from '../types.js';

export interface FlipResult {
  readonly rows: Row[];
  /** ms from the failing run to the delete, in the order measured */
  readonly latenciesMs: number[];
}

export async function flipScenario(zk: string, observer: TestClient, services: number, flips: number, agentArgs: readonly string[]): Promise<FlipResult> {
  const root = '/bench/flip';
  const dir = mkdtempSync(join(tmpdir(), 'zkw-bench-flip-'));
  // The failing run stamps the wall clock it failed at (%% is configparser for %).
  const cmd = (i: number) => `if [ -e ${dir}/down${i} ]; then date +%%s%%3N > ${dir}/failed${i}; exit 1; fi`;
  const config = servicesConfig(services, { cmd, refresh: () => 0.2, path: () => root, port: (i) => 10000 + i, hostname: 'bench.example' });
  const agent = startBenchAgent(['-c', writeConfig(config), '-s', zk, ...agentArgs]);
  try {
    await waitFor(() => observer.getChildren(root).catch(() => [] as string[]), (c) => c.length === services, { what: 'all flip services registered', timeoutMs: 60_000 });
    const latencies: number[] = [];
    for (let f = 0; f < flips; f++) {
      const i = f % services;
      const path = `${root}/bench.example:${10000 + i}`;
      const deleted = deletedAt(observer, path);
      writeFileSync(`${dir}/down${i}`, '');
      const seenAt = await deleted;
      latencies.push(seenAt - Number(readFileSync(`${dir}/failed${i}`, 'utf8')));
      rmSync(`${dir}/down${i}`);
      await waitFor(() => observer.exists(path), (s) => s !== null, { what: `${path} back` });
    }
    const scenario = `flip, ${services} services at refresh 0.2 s`;
    return {
      latenciesMs: latencies,
      rows: [
        { scenario, metric: `failing check -> node gone, p50 of ${flips}`, value: percentile(latencies, 50), unit: 'ms' },
        { scenario, metric: `failing check -> node gone, p99 of ${flips}`, value: percentile(latencies, 99), unit: 'ms', target: { op: '<', value: 250 }, goal: { op: '<', value: 50 } },
        { scenario, metric: 'failing check -> node gone, max', value: Math.max(...latencies), unit: 'ms' },
      ],
    };
  } finally {
    agent.signal('SIGTERM');
    await agent.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Wall-clock ms when a watch saw `path` deleted (a watch fires once, so re-arm on other events). */
function deletedAt(client: TestClient, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const arm = (): void =>
      client.raw.exists(
        path,
        (event) => (event.getName() === 'NODE_DELETED' ? resolve(Date.now()) : arm()),
        (error, stat) => {
          if (error) reject(error);
          else if (!stat) resolve(Date.now());
        },
      );
    arm();
  });
}
