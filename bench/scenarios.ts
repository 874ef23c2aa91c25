// The benchmark scenarios: each starts the real agent against a real ZooKeeper and
// measures from outside it, through a second client and /proc.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, writeConfig } from '../test/support/agent.js';
import { waitFor } from '../test/support/wait.js';
import type { TestClient } from '../test/support/zk-client.js';
import { cpuSeconds, percentile, rssMegabytes, threadCount } from './proc-stats.js';

export interface Row {
  readonly scenario: string;
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  readonly target?: string;
}

function servicesConfig(n: number, root: string, refresh: (i: number) => number, cmd: (i: number) => string): string {
  let text = '';
  for (let i = 0; i < n; i++) {
    text += `[s${i}]\ncmd: ${cmd(i)}\nrefresh: ${refresh(i)}\nservice_port: ${10000 + i}\nservice_hostname: bench.example\nzookeeper_path: ${root}\n\n`;
  }
  return text;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** N services (refresh 1 s and 5 s mixed): time to all registered, then steady CPU and RSS, then SIGTERM. */
export async function startupSteadyStop(zk: string, observer: TestClient, n: number, steadySeconds: number): Promise<Row[]> {
  const root = `/bench/startup${n}`;
  const config = writeConfig(servicesConfig(n, root, (i) => (i % 2 === 0 ? 1 : 5), () => 'true'));
  const started = performance.now();
  const agent = startAgent(['-c', config, '-s', zk]);
  await waitFor(() => observer.getChildren(root).catch(() => [] as string[]), (c) => c.length === n, { what: `${n} registrations`, timeoutMs: 120_000, intervalMs: 20 });
  const allRegisteredMs = performance.now() - started;
  await sleep(2000); // let the first-run burst pass
  const cpu0 = cpuSeconds(agent.pid);
  const t0 = performance.now();
  let rssMax = 0;
  while (performance.now() - t0 < steadySeconds * 1000) {
    rssMax = Math.max(rssMax, rssMegabytes(agent.pid));
    await sleep(250);
  }
  const cpuPercent = ((cpuSeconds(agent.pid) - cpu0) / ((performance.now() - t0) / 1000)) * 100;
  const threads = threadCount(agent.pid);
  const stopStarted = performance.now();
  agent.signal('SIGTERM');
  const code = await agent.exited;
  const exitMs = performance.now() - stopStarted;
  const left = (await observer.getChildren(root)).length;
  const checksRun = n / 2 / 1 + n / 2 / 5;
  return [
    { scenario: `${n} services`, metric: 'all registered after start', value: allRegisteredMs, unit: 'ms', target: n === 1000 ? '< 3000' : undefined },
    { scenario: `${n} services`, metric: `agent CPU, steady (${checksRun.toFixed(0)} checks/s)`, value: cpuPercent, unit: '% of a core', target: n === 1000 ? '< 25 (goal 2)' : undefined },
    { scenario: `${n} services`, metric: 'agent RSS, max in steady state', value: rssMax, unit: 'MB', target: n === 1000 ? '< 250 (goal 90)' : undefined },
    { scenario: `${n} services`, metric: 'agent threads', value: threads, unit: '' },
    { scenario: `${n} services`, metric: `SIGTERM to exit (exit code ${code})`, value: exitMs, unit: 'ms', target: n === 1000 ? '< 5000 (goal 1000)' : undefined },
    { scenario: `${n} services`, metric: 'nodes left after exit', value: left, unit: '', target: '0' },
  ];
}

/** Checks that fail on cue: from the check run that saw the failure to the delete seen by a watcher. */
export async function flipLatency(zk: string, observer: TestClient, services: number, flips: number): Promise<Row[]> {
  const root = '/bench/flip';
  const dir = mkdtempSync(join(tmpdir(), 'zkw-bench-flip-'));
  // The failing run stamps the wall clock it failed at (%% is configparser for %); the delete is stamped when the watch fires.
  const cmd = (i: number) => `if [ -e ${dir}/down${i} ]; then date +%%s%%3N > ${dir}/failed${i}; exit 1; fi`;
  const agent = startAgent(['-c', writeConfig(servicesConfig(services, root, () => 0.2, cmd)), '-s', zk]);
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
    return [
      { scenario: `flip, ${services} services`, metric: `failing check -> node gone, p50 of ${flips}`, value: percentile(latencies, 50), unit: 'ms' },
      { scenario: `flip, ${services} services`, metric: `failing check -> node gone, p99 of ${flips}`, value: percentile(latencies, 99), unit: 'ms', target: '< 250 (goal 50)' },
      { scenario: `flip, ${services} services`, metric: 'failing check -> node gone, max', value: Math.max(...latencies), unit: 'ms' },
    ];
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
