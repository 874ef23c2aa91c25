// rest: what the agent costs when there is almost nothing to do (10 services at refresh
// 30 s), beside a bare Node process and, when its command is given (--original), the
// Python original with the same file, each measured the same way in the same run: CPU
// seconds per hour (every thread, the helpers and the checks), wakeups per second (context
// switches of every thread), RSS and anonymous memory. Issue 13 judges the agent against
// the original.

import { spawn } from 'node:child_process';
import { writeConfig } from '../../test/support/agent.js';
import { waitFor } from '../../test/support/wait.js';
import type { TestClient } from '../../test/support/zk-client.js';
import { startOriginal } from '../original.js';
import { contextSwitches, memoryOf, processTable, sampleTree, treePids } from '../proc-stats.js';
import { servicesConfig } from '../services-config.js';
import type { Row } from '../types.js';
import { startBenchAgent, stopAgent } from './agent-run.js';

export interface RestResult {
  readonly rows: Row[];
  readonly bare: RestSample;
  readonly agent: RestSample;
  /** null when no --original was given */
  readonly original: RestSample | null;
}

export interface RestSample {
  readonly cpuSecondsPerHour: number;
  readonly wakeupsPerSecond: number;
  readonly rssMb: number;
  readonly anonMb: number;
}

/** zk_watcher 0.4 on Python 3.11 + kazoo, as issue 13 quoted it: 0.12 CPU-s per 2 min, 17 wakeups/s. Used when the original is not run. */
const ISSUE_ORIGINAL = { cpuSecondsPerHour: 0.12 * 30, wakeupsPerSecond: 17 };
const SERVICES = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Measures `root`'s tree for `seconds`: helpers that start and end inside the window count through their parent's reaped CPU. */
async function measure(root: number, seconds: number): Promise<RestSample> {
  const pids0 = treePids(root);
  const start = new Map(pids0.map((p) => [p, contextSwitches(p)] as const));
  // utime+stime of each process (every thread, ended ones too: the original starts a thread
  // per check) and what it reaped, in 10 ms ticks: a minute keeps the rounding under 1 CPU-s/h.
  const s0 = sampleTree(root);
  await sleep(seconds * 1000);
  const s1 = sampleTree(root);
  const elapsed = (s1.at - s0.at) / 1000;
  // A process present at both ends counts its difference; one that started in the window, all it did.
  // (A check that came and went inside it is missed: at refresh 30 s, about one `true` per 3 s.)
  let switched = 0;
  for (const p of treePids(root, processTable())) switched += contextSwitches(p) - (start.get(p) ?? 0);
  const mem = memoryOf(root);
  return { cpuSecondsPerHour: ((s1.tree - s0.tree) / elapsed) * 3600, wakeupsPerSecond: switched / elapsed, rssMb: mem.rssMb, anonMb: mem.anonMb };
}

async function registered(observer: TestClient, root: string, what: string): Promise<void> {
  await waitFor(() => observer.getChildren(root).catch(() => [] as string[]), (c) => c.length === SERVICES, { what: `all ${SERVICES} ${what} services registered`, timeoutMs: 120_000 });
  await sleep(3000); // start-up is not rest
}

function restConfig(root: string): string {
  return writeConfig(servicesConfig(SERVICES, { cmd: () => 'true', refresh: () => 30, path: () => root, port: (i) => 10000 + i, hostname: 'bench.example' }));
}

export async function restScenario(zk: string, observer: TestClient, seconds: number, agentArgs: readonly string[], originalCommand: string | null): Promise<RestResult> {
  const bareProcess = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  let bare: RestSample;
  try {
    await sleep(2000);
    bare = await measure(bareProcess.pid!, seconds);
  } finally {
    bareProcess.kill('SIGKILL');
  }

  const agent = startBenchAgent(['-c', restConfig('/bench/rest'), '-s', zk, ...agentArgs]);
  let measured: RestSample;
  try {
    await registered(observer, '/bench/rest', 'rest');
    measured = await measure(agent.pid, seconds);
  } finally {
    await stopAgent(agent);
  }

  let original: RestSample | null = null;
  if (originalCommand !== null) {
    const python = startOriginal(originalCommand, ['-c', restConfig('/bench/rest-original'), '-s', zk]);
    try {
      await Promise.race([registered(observer, '/bench/rest-original', 'original'), python.exited.then((code) => Promise.reject(new Error(`the original exited (${code}): ${python.tail()}`)))]);
      original = await measure(python.pid, seconds);
    } finally {
      await python.stop();
    }
  }

  const scenario = `rest, ${SERVICES} services at refresh 30 s, ${seconds} s measured`;
  const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
  const judge = original ?? ISSUE_ORIGINAL;
  const against = original === null ? " (the original's figures as issue 13 quotes them)" : ' (the original, same run)';
  const rows: Row[] = [
    { scenario, metric: 'bare node process: CPU seconds per hour', value: round(bare.cpuSecondsPerHour, 2), unit: 's/h' },
    { scenario, metric: 'bare node process: wakeups per second (context switches)', value: round(bare.wakeupsPerSecond), unit: '/s' },
    { scenario, metric: 'bare node process: RSS (anon)', value: round(bare.rssMb), unit: `MB (${round(bare.anonMb)})` },
  ];
  if (original !== null) {
    rows.push(
      { scenario, metric: 'original zk_watcher: CPU seconds per hour, with its checks', value: round(original.cpuSecondsPerHour, 2), unit: 's/h' },
      { scenario, metric: 'original zk_watcher: wakeups per second, every thread', value: round(original.wakeupsPerSecond), unit: '/s' },
      { scenario, metric: 'original zk_watcher: RSS (anon)', value: round(original.rssMb), unit: `MB (${round(original.anonMb)})` },
    );
  }
  rows.push(
    { scenario, metric: `agent CPU seconds per hour, node + helpers + checks${against}`, value: round(measured.cpuSecondsPerHour, 2), unit: 's/h', target: { op: '<=', value: round(judge.cpuSecondsPerHour, 2) } },
    { scenario, metric: `agent wakeups per second, every thread of node and helpers${against}`, value: round(measured.wakeupsPerSecond), unit: '/s', target: { op: '<=', value: round(judge.wakeupsPerSecond) } },
    { scenario, metric: 'agent RSS / bare node RSS (node process)', value: round(measured.rssMb / bare.rssMb, 2), unit: `x (${round(measured.rssMb)} MB, anon ${round(measured.anonMb)})`, target: { op: '<=', value: 1.35 } },
  );
  return { bare, agent: measured, original, rows };
}
