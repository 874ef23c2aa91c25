// footprint: what the agent holds and costs at 10, 1000 and 10,000 services (issue 13),
// beside a bare Node process measured the same way in the same run. The status server is
// on and scraped every 5 s, as a fleet's Prometheus would. Memory: RSS, anonymous and PSS
// (/proc), and the main isolate's heap (the agent's own /metrics). At each size: the node
// process's CPU, the cost of a scrape, and how evenly checks run (engine_stats each second).
// With --original, Nextdoor's zk_watcher runs the same services after the agent at each
// size, measured the same way (it has no /metrics).

import { spawn } from 'node:child_process';
import { writeConfig } from '../../test/support/agent.js';
import { freePort } from '../../test/support/ports.js';
import type { TestClient } from '../../test/support/zk-client.js';
import { engineStatsLines, summarizeWindow } from '../engine-stats.js';
import { startOriginal } from '../original.js';
import { cpuPercent, memoryOf, sampleTree, threadCount, threadCpuSeconds, type Memory } from '../proc-stats.js';
import { servicesConfig } from '../services-config.js';
import type { Row } from '../types.js';
import { startBenchAgent, stopAgent, whileRunning } from './agent-run.js';

export interface FootprintSize {
  readonly services: number;
  readonly checksPerSecondOffered: number;
  readonly memoryMax: Memory;
  readonly heapUsedMb: number;
  readonly heapTotalMb: number;
  readonly nodeCpuPercent: number;
  readonly scrapeBytes: number;
  readonly scrapeMs: number;
  readonly scrapeCpuMs: number;
  /** checks completed per second (one engine_stats line each): the busiest second over the mean */
  readonly busiestSecondOverMean: number;
  readonly lagP99Ms: number;
  readonly eventLoopDelayP99Ms: number;
}

/** The Python original at one size. */
export interface OriginalSize {
  readonly services: number;
  /** Why it could not be measured (the agent's figures stand without it); null when it was. */
  readonly failed: string | null;
  /** Nodes it had registered when measuring began (it may not reach every one in time). */
  readonly registered: number;
  readonly memoryMax: Memory;
  readonly threads: number;
  /** its own process (every thread), and with the checks it reaped */
  readonly cpuPercent: number;
  readonly cpuWithChecksPercent: number;
}

export interface FootprintResult {
  readonly rows: Row[];
  readonly bare: Memory;
  readonly sizes: FootprintSize[];
  readonly original: OriginalSize[];
}

/** zk_watcher 0.4 (Python 3.11 + kazoo) at 1000 services, measured for issue 13. */
const ORIGINAL_1000_RSS_MB = 67;
const SCRAPE_EVERY_MS = 5000;
const PER_PATH = 50_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The refresh of service i at each size: 10 at 5 s; 1000 as 200 at 1 s and 800 at 5 s; 10,000 at 30 s (issue 13). */
function refreshOf(services: number): (i: number) => number {
  if (services <= 100) return () => 5;
  if (services <= 2000) return (i) => (i % 5 === 0 ? 1 : 5);
  return () => 30;
}

function footprintConfig(services: number, root: string): string {
  return servicesConfig(services, { cmd: () => 'true', refresh: refreshOf(services), path: (i) => `${root}/${Math.floor(i / PER_PATH)}`, port: (i) => 10000 + (i % PER_PATH), hostname: 'bench.example' });
}

async function registeredUnder(observer: TestClient, root: string, services: number): Promise<number> {
  let registered = 0;
  for (let p = 0; p * PER_PATH < services; p++) registered += await observer.getChildren(`${root}/${p}`).then((c) => c.length, () => 0);
  return registered;
}

function longestRefresh(services: number): number {
  const refresh = refreshOf(services);
  let longest = 0;
  for (let i = 0; i < services; i++) longest = Math.max(longest, refresh(i));
  return longest;
}

/** How long the original may take to register everything before it is measured anyway (it starts a thread per service). */
const ORIGINAL_REGISTER_LIMIT_MS = 180_000;
/**
 * The original runs a thread per service and one more per running check. At 10,000 services
 * it passed 150,000 threads on this machine and every fork on it failed: past this, it is
 * stopped and reported as not run.
 */
const ORIGINAL_THREAD_LIMIT = 25_000;

class OriginalFailed extends Error {}

async function measureOriginal(command: string, zk: string, observer: TestClient, services: number, seconds: number): Promise<OriginalSize> {
  const root = `/bench/footprint-original${services}`;
  const python = startOriginal(command, ['-c', writeConfig(footprintConfig(services, root)), '-s', zk]);
  const started = performance.now();
  const alive = async (ms: number): Promise<void> => {
    const outcome = await Promise.race([sleep(ms).then(() => 'slept' as const), python.exited]);
    if (outcome !== 'slept') throw new OriginalFailed(`it exited (${outcome}): ${python.tail().slice(-300)}`);
    const threads = threadCount(python.pid);
    if (threads > ORIGINAL_THREAD_LIMIT) throw new OriginalFailed(`${threads} threads after ${Math.round((performance.now() - started) / 1000)} s: stopped before it exhausts the machine`);
  };
  const none: Memory = { rssMb: NaN, anonMb: NaN, pssMb: NaN };
  try {
    let registered = 0;
    while ((registered = await registeredUnder(observer, root, services)) < services && performance.now() - started < ORIGINAL_REGISTER_LIMIT_MS) await alive(500);
    await alive((longestRefresh(services) + 2) * 1000);
    const s0 = sampleTree(python.pid);
    let max = memoryOf(python.pid);
    while (performance.now() - s0.at < seconds * 1000) {
      await alive(500);
      const m = memoryOf(python.pid);
      max = { rssMb: Math.max(max.rssMb, m.rssMb), anonMb: Math.max(max.anonMb, m.anonMb), pssMb: Math.max(max.pssMb, m.pssMb) };
    }
    const s1 = sampleTree(python.pid);
    return { services, failed: null, registered, memoryMax: max, threads: threadCount(python.pid), cpuPercent: cpuPercent(s0, s1, 'own'), cpuWithChecksPercent: cpuPercent(s0, s1, 'tree') };
  } catch (e) {
    if (!(e instanceof OriginalFailed)) throw e;
    const registered = await registeredUnder(observer, root, services);
    return { services, failed: e.message, registered, memoryMax: none, threads: NaN, cpuPercent: NaN, cpuWithChecksPercent: NaN };
  } finally {
    // It deletes one node every second or more on SIGTERM: its nodes go with its session.
    await python.stop(3000);
  }
}

function metricValue(text: string, name: string): number {
  return Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
}

async function bareMemory(): Promise<Memory> {
  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    await sleep(2000);
    return memoryOf(bare.pid!);
  } finally {
    bare.kill('SIGKILL');
  }
}

async function measureSize(zk: string, observer: TestClient, services: number, seconds: number, agentArgs: readonly string[]): Promise<FootprintSize> {
  const root = `/bench/footprint${services}`;
  const refresh = refreshOf(services);
  const port = await freePort();
  const agent = startBenchAgent(['-c', writeConfig(footprintConfig(services, root)), '-s', zk, '--status-port', String(port), '--stats-interval', '1', ...agentArgs]);
  const what = `footprint at ${services} services`;
  try {
    const started = performance.now();
    for (;;) {
      const registered = await registeredUnder(observer, root, services);
      if (registered === services) break;
      if (performance.now() - started > 300_000) throw new Error(`${what}: ${registered} registered after 300 s`);
      await whileRunning(agent, 200, what);
    }
    // Past the longest refresh: the first runs' bunch is over, and the second runs (half an interval to one and a half after) fall evenly.
    await whileRunning(agent, (longestRefresh(services) + 2) * 1000, what);
    const from = Date.now();
    const s0 = sampleTree(agent.pid);
    let max: Memory = memoryOf(agent.pid);
    const scrapes: { bytes: number; ms: number; cpuMs: number }[] = [];
    let lastMetrics = '';
    let nextScrape = performance.now();
    while (performance.now() - s0.at < seconds * 1000) {
      if (performance.now() >= nextScrape) {
        nextScrape += SCRAPE_EVERY_MS;
        // The main thread's CPU (the one that serves /metrics), in 10 ms ticks: workers and checks do not count.
        const cpu0 = threadCpuSeconds(agent.pid);
        const t0 = performance.now();
        lastMetrics = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(30_000) })).text();
        scrapes.push({ bytes: Buffer.byteLength(lastMetrics), ms: performance.now() - t0, cpuMs: (threadCpuSeconds(agent.pid) - cpu0) * 1000 });
      }
      await whileRunning(agent, 500, what);
      const m = memoryOf(agent.pid);
      max = { rssMb: Math.max(max.rssMb, m.rssMb), anonMb: Math.max(max.anonMb, m.anonMb), pssMb: Math.max(max.pssMb, m.pssMb) };
    }
    const s1 = sampleTree(agent.pid);
    const to = Date.now();
    await whileRunning(agent, 1500, what); // the last engine_stats line through the pipe
    const lines = engineStatsLines(agent.logs).filter((l) => l.at >= from && l.at <= to);
    const window = summarizeWindow(lines, from, to);
    if (window === undefined) throw new Error(`${what}: fewer than two engine_stats lines in the measured ${seconds} s`);
    const perSecond = lines.slice(1).map((l, i) => (l.checksTotal - lines[i]!.checksTotal) / ((l.at - lines[i]!.at) / 1000));
    const mean = perSecond.reduce((a, b) => a + b, 0) / perSecond.length;
    const avg = (pick: (s: (typeof scrapes)[number]) => number) => scrapes.reduce((a, s) => a + pick(s), 0) / scrapes.length;
    let offered = 0;
    for (let i = 0; i < services; i++) offered += 1 / refresh(i);
    return {
      services,
      checksPerSecondOffered: offered,
      memoryMax: max,
      heapUsedMb: metricValue(lastMetrics, 'nodejs_heap_size_used_bytes') / 2 ** 20,
      heapTotalMb: metricValue(lastMetrics, 'nodejs_heap_size_total_bytes') / 2 ** 20,
      nodeCpuPercent: cpuPercent(s0, s1, 'root'),
      scrapeBytes: avg((s) => s.bytes),
      scrapeMs: avg((s) => s.ms),
      scrapeCpuMs: avg((s) => s.cpuMs),
      busiestSecondOverMean: Math.max(...perSecond) / mean,
      lagP99Ms: window.lagP99Ms,
      eventLoopDelayP99Ms: window.eventLoopDelayP99Ms,
    };
  } finally {
    await stopAgent(agent);
  }
}

export async function footprintScenario(
  zk: string,
  observer: TestClient,
  sizes: readonly number[],
  seconds: number,
  agentArgs: readonly string[],
  originalCommand: string | null,
): Promise<FootprintResult> {
  const bare = await bareMemory();
  const measured: FootprintSize[] = [];
  const original: OriginalSize[] = [];
  for (const n of sizes) {
    measured.push(await measureSize(zk, observer, n, seconds, agentArgs));
    if (originalCommand !== null) original.push(await measureOriginal(originalCommand, zk, observer, n, seconds));
  }
  const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
  const rows: Row[] = [{ scenario: 'footprint, bare node process', metric: 'RSS (anon, PSS)', value: round(bare.rssMb), unit: `MB (${round(bare.anonMb)}, ${round(bare.pssMb)})` }];
  for (const s of measured) {
    const scenario = `footprint, ${s.services} services (${round(s.checksPerSecondOffered, 0)} checks/s), /metrics scraped every 5 s`;
    const ratio = s.memoryMax.rssMb / bare.rssMb;
    const ratioTarget = s.services === 10 ? 1.35 : s.services === 1000 ? 1.7 : undefined;
    const py = original.find((o) => o.services === s.services);
    // Below the original's RSS at 1000: measured in this run when it ran, else as issue 13 quotes it.
    const rssTarget = s.services !== 1000 ? undefined : py !== undefined && py.failed === null ? round(py.memoryMax.rssMb) : ORIGINAL_1000_RSS_MB;
    if (py?.failed != null) {
      rows.push({ scenario, metric: `original zk_watcher: not measured: ${py.failed}`, value: py.registered, unit: `of ${py.services} registered` });
    } else if (py !== undefined) {
      rows.push(
        { scenario, metric: `original zk_watcher RSS max (anon, PSS), ${py.threads} threads`, value: round(py.memoryMax.rssMb), unit: `MB (${round(py.memoryMax.anonMb)}, ${round(py.memoryMax.pssMb)})` },
        { scenario, metric: 'original zk_watcher CPU, its process (with its checks)', value: round(py.cpuPercent, 2), unit: `% of a core (${round(py.cpuWithChecksPercent, 1)})` },
        { scenario, metric: 'original zk_watcher: nodes registered when measured', value: py.registered, unit: `of ${py.services}` },
      );
    }
    rows.push(
      { scenario, metric: 'agent RSS max (anon, PSS), node process', value: round(s.memoryMax.rssMb), unit: `MB (${round(s.memoryMax.anonMb)}, ${round(s.memoryMax.pssMb)})`, ...(rssTarget !== undefined && { target: { op: '<', value: rssTarget } }) },
      { scenario, metric: 'agent RSS / bare node RSS', value: round(ratio, 2), unit: 'x', ...(ratioTarget !== undefined && { target: { op: '<=', value: ratioTarget } }) },
      { scenario, metric: "main isolate's heap, used / total", value: round(s.heapUsedMb), unit: `MB / ${round(s.heapTotalMb)} MB` },
      { scenario, metric: 'agent CPU, node process alone', value: round(s.nodeCpuPercent, 2), unit: '% of a core', ...(s.services === 1000 && { target: { op: '<=', value: 2 } }) },
      { scenario, metric: '/metrics per scrape: size, time, main-thread CPU', value: round(s.scrapeBytes / 1024), unit: `KB, ${round(s.scrapeMs)} ms, ${round(s.scrapeCpuMs)} CPU-ms` },
      { scenario, metric: 'checks per second: busiest second / mean', value: round(s.busiestSecondOverMean, 2), unit: 'x' },
      { scenario, metric: 'schedule lag, p99 of the worst second', value: round(s.lagP99Ms), unit: 'ms', ...(s.services >= 10_000 && { target: { op: '<', value: 50 } }) },
      { scenario, metric: 'main-thread event-loop delay, p99 of the worst second', value: round(s.eventLoopDelayP99Ms), unit: 'ms', ...(s.services >= 10_000 && { target: { op: '<', value: 50 } }) },
    );
  }
  return { rows, bare, sizes: measured, original };
}
