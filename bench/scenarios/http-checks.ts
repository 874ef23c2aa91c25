// http-checks: N services at refresh 1 s checking one local HTTP health URL, run twice on
// the same machine: as `http:` checks (in the worker, no process) and as `cmd: curl -sf URL`
// (a fork and exec per check), the way operators wrote them before the http options existed.
// What the fork costs: CPU of the agent with its checks, per 1000 checks, memory, lag.
// The server runs in a process of its own and counts the requests it answered.

import { spawn, type ChildProcess } from 'node:child_process';
import { writeConfig } from '../../test/support/agent.js';
import type { TestClient } from '../../test/support/zk-client.js';
import { engineStatsLines, summarizeWindow } from '../engine-stats.js';
import { cpuPercent, MB, sampleTree, type TreeSample } from '../proc-stats.js';
import type { Row } from '../types.js';
import { startBenchAgent, stopAgent, whileRunning } from './agent-run.js';

export interface HttpChecksOptions {
  readonly services: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly agentArgs: readonly string[];
}

export interface HttpChecksRun {
  readonly kind: 'http' | 'curl';
  /** requests the server answered per second in the window: checks that really ran */
  readonly checksPerSecond: number;
  readonly cpuTreePercent: number;
  readonly cpuOwnPercent: number;
  readonly cpuPer1000Checks: number;
  readonly rssMaxMB: number;
  readonly lagP99Ms: number;
  readonly registeredAtEnd: number;
}

export interface HttpChecksResult {
  readonly rows: Row[];
  readonly services: number;
  readonly runs: readonly HttpChecksRun[];
}

// One response per request, and a counter read with GET /count (not counted itself).
const SERVER = `
const http = require('node:http');
let n = 0;
const s = http.createServer((req, res) => {
  if (req.url === '/count') return res.end(String(n));
  n++;
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok\\n');
});
s.keepAliveTimeout = 1000;
s.listen(0, '127.0.0.1', () => process.stdout.write(s.address().port + '\\n'));
`;

export async function httpChecksScenario(zk: string, observer: TestClient, o: HttpChecksOptions): Promise<HttpChecksResult> {
  const server = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await firstLine(server);
    const runs: HttpChecksRun[] = [];
    for (const kind of ['http', 'curl'] as const) runs.push(await measure(kind, port, zk, observer, o));
    return { services: o.services, runs, rows: rows(o.services, runs) };
  } finally {
    server.kill('SIGKILL');
  }
}

async function measure(kind: 'http' | 'curl', port: number, zk: string, observer: TestClient, o: HttpChecksOptions): Promise<HttpChecksRun> {
  const url = `http://127.0.0.1:${port}/health`;
  const root = `/bench/http-checks/${kind}`;
  const check = kind === 'http' ? `http: ${url}` : `cmd: curl -sf -o /dev/null ${url}`;
  const sections = Array.from({ length: o.services }, (_, i) => `[s${i}]\n${check}\nrefresh: 1\nservice_port: ${10000 + i}\nservice_hostname: bench.example\nzookeeper_path: ${root}\n`);
  const agent = startBenchAgent(['-c', writeConfig(sections.join('\n')), '-s', zk, '--stats-interval', '1', ...o.agentArgs]);
  const what = `http-checks (${kind})`;
  try {
    await whileRunning(agent, o.warmupSeconds * 1000, what);
    const from = Date.now();
    const count0 = await served(port);
    const s0 = sampleTree(agent.pid);
    let s1: TreeSample = s0;
    let rssMax = 0;
    while (s1.at - s0.at < o.seconds * 1000) {
      await whileRunning(agent, Math.min(500, o.seconds * 1000 - (s1.at - s0.at)), what);
      s1 = sampleTree(agent.pid);
      rssMax = Math.max(rssMax, s1.treeRssBytes / MB);
    }
    const count1 = await served(port);
    const to = Date.now();
    await whileRunning(agent, 300, what);
    const window = summarizeWindow(engineStatsLines(agent.logs), from, to);
    const checksPerSecond = (count1 - count0) / ((s1.at - s0.at) / 1000);
    const cpuTreePercent = cpuPercent(s0, s1, 'tree');
    const registeredAtEnd = await observer.getChildren(root).then((c) => c.length, () => 0);
    return {
      kind,
      checksPerSecond,
      cpuTreePercent,
      cpuOwnPercent: cpuPercent(s0, s1, 'own'),
      cpuPer1000Checks: (cpuTreePercent / 100 / checksPerSecond) * 1000,
      rssMaxMB: rssMax,
      lagP99Ms: window?.lagP99Ms ?? NaN,
      registeredAtEnd,
    };
  } finally {
    await stopAgent(agent);
  }
}

function rows(services: number, runs: readonly HttpChecksRun[]): Row[] {
  const scenario = `http-checks, ${services} services at refresh 1 s`;
  const out: Row[] = [];
  for (const r of runs) {
    const label = r.kind === 'http' ? 'http: (in the worker)' : 'cmd: curl -sf (a fork per check)';
    out.push(
      { scenario, metric: `${label}, checks answered by the server`, value: r.checksPerSecond, unit: 'checks/s' },
      { scenario, metric: `${label}, agent CPU with its checks`, value: r.cpuTreePercent, unit: '% of a core' },
      { scenario, metric: `${label}, CPU per 1000 checks`, value: r.cpuPer1000Checks, unit: 'CPU s' },
      { scenario, metric: `${label}, agent RSS max, node + helpers + checks`, value: r.rssMaxMB, unit: 'MB' },
      { scenario, metric: `${label}, schedule lag, p99 of the worst 1 s interval`, value: r.lagP99Ms, unit: 'ms' },
      { scenario, metric: `${label}, nodes registered at the end`, value: r.registeredAtEnd, unit: `of ${services}` },
    );
  }
  const [http, curl] = runs;
  if (http !== undefined && curl !== undefined) out.push({ scenario, metric: 'CPU per check, curl / http', value: curl.cpuPer1000Checks / http.cpuPer1000Checks, unit: 'ratio' });
  return out;
}

function firstLine(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`http-checks: the HTTP server exited (${code}) before it listened`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
  });
}

async function served(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/count`);
  return Number(await res.text());
}
