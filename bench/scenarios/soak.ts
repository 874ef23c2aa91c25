// soak: the agent left running as a host runs it (issue 13): N services, a tenth of them
// flapping (failing every other 20 s), a SIGHUP every 30 s, /status and /metrics read
// every 10 s. Sampled: RSS, anonymous memory, the main isolate's heap, fds, threads,
// zombies and the session; the slopes come from a least-squares fit after a warm-up.
// Each sample also compares /status with what an independent client sees in ZooKeeper:
// a service healthy for 3 s whose node is absent is missing, one unhealthy for 3 s
// whose node is there is stale (both judged on two reads, before and after /status, so a
// flip between them is not counted).

import { readdirSync } from 'node:fs';
import { writeConfig } from '../../test/support/agent.js';
import { freePort } from '../../test/support/ports.js';
import type { TestClient } from '../../test/support/zk-client.js';
import { memoryOf, sampleTree, threadCount } from '../proc-stats.js';
import { escapePercent, servicesConfig } from '../services-config.js';
import type { Row } from '../types.js';
import { startBenchAgent, stopAgent, whileRunning } from './agent-run.js';

export interface SoakSample {
  /** seconds since the agent started */
  readonly t: number;
  readonly rssMb: number;
  readonly anonMb: number;
  readonly heapUsedMb: number;
  readonly fds: number;
  readonly threads: number;
  readonly zombies: number;
  readonly sessionId: string | null;
  readonly missing: number;
  readonly stale: number;
  /** services judged (health held 3 s): healthy ones, unhealthy ones */
  readonly judged: readonly [number, number];
}

export interface SoakResult {
  readonly rows: Row[];
  readonly samples: SoakSample[];
}

const SAMPLE_EVERY_MS = 10_000;
const RELOAD_EVERY_MS = 30_000;
/** Samples before this are start-up, not drift. */
const WARM_UP_S = 60;
const HELD_MS = 3000;
const FLAP_CMD = escapePercent('test $(( $(date +%s) / 20 % 2 )) -eq 0');

interface StatusService {
  readonly path: string;
  readonly healthy: boolean | null;
  readonly maintenance: boolean;
  readonly since: string;
}

/** Least-squares slope of y over t (seconds), per minute. */
export function slopePerMinute(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mt = points.reduce((a, [t]) => a + t, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [t, y] of points) {
    num += (t - mt) * (y - my);
    den += (t - mt) ** 2;
  }
  return den === 0 ? NaN : (num / den) * 60;
}

export async function soakScenario(zk: string, observer: TestClient, services: number, seconds: number, agentArgs: readonly string[]): Promise<SoakResult> {
  const root = '/bench/soak';
  const flapping = (i: number) => i % 10 === 0;
  const config = writeConfig(
    servicesConfig(services, { cmd: (i) => (flapping(i) ? FLAP_CMD : 'true'), refresh: (i) => 1 + (i % 5), path: () => root, port: (i) => 10000 + i, hostname: 'bench.example' }),
  );
  const port = await freePort();
  const started = performance.now();
  const agent = startBenchAgent(['-c', config, '-s', zk, '--status-port', String(port), ...agentArgs]);
  const what = 'soak';
  const samples: SoakSample[] = [];
  try {
    let nextReload = started + RELOAD_EVERY_MS;
    let nextSample = started + SAMPLE_EVERY_MS;
    while (performance.now() - started < seconds * 1000) {
      await whileRunning(agent, 200, what);
      const now = performance.now();
      if (now >= nextReload) {
        nextReload += RELOAD_EVERY_MS;
        agent.signal('SIGHUP');
      }
      if (now < nextSample) continue;
      nextSample += SAMPLE_EVERY_MS;
      const before = new Set(await observer.getChildren(root).catch(() => [] as string[]));
      const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(10_000) });
      const status = (await (await get('/status')).json()) as { agent: { sessionId: string | null }; services: StatusService[] };
      const asked = Date.now();
      const after = new Set(await observer.getChildren(root).catch(() => [] as string[]));
      const metrics = await (await get('/metrics')).text();
      let missing = 0;
      let stale = 0;
      const judged: [number, number] = [0, 0];
      for (const s of status.services) {
        if (s.maintenance || s.healthy === null || asked - Date.parse(s.since) < HELD_MS) continue;
        const node = s.path.slice(s.path.lastIndexOf('/') + 1);
        const seen = [before.has(node), after.has(node)];
        judged[s.healthy ? 0 : 1]++;
        if (s.healthy && !seen[0] && !seen[1]) missing++;
        if (!s.healthy && seen[0] && seen[1]) stale++;
      }
      const mem = memoryOf(agent.pid);
      samples.push({
        t: (now - started) / 1000,
        rssMb: mem.rssMb,
        anonMb: mem.anonMb,
        heapUsedMb: Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(metrics)?.[1] ?? NaN) / 2 ** 20,
        fds: readdirSync(`/proc/${agent.pid}/fd`).length,
        threads: threadCount(agent.pid),
        zombies: sampleTree(agent.pid).zombies,
        sessionId: status.agent.sessionId,
        missing,
        stale,
        judged,
      });
    }
  } finally {
    await stopAgent(agent);
  }
  const settled = samples.filter((s) => s.t >= Math.min(WARM_UP_S, seconds / 2));
  const slope = (pick: (s: SoakSample) => number) => slopePerMinute(settled.map((s) => [s.t, pick(s)] as const));
  const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
  const first = samples[0];
  const last = samples.at(-1);
  const scenario = `soak, ${services} services (a tenth flapping), SIGHUP every 30 s, ${Math.round(seconds)} s (slopes after ${Math.min(WARM_UP_S, seconds / 2)} s)`;
  const sum = (pick: (s: SoakSample) => number) => samples.reduce((a, s) => a + pick(s), 0);
  return {
    samples,
    rows: [
      { scenario, metric: 'RSS: slope (first -> last sample)', value: round(slope((s) => s.rssMb)), unit: `MB/min (${round(first?.rssMb ?? NaN, 1)} -> ${round(last?.rssMb ?? NaN, 1)} MB)` },
      { scenario, metric: 'anonymous memory: slope', value: round(slope((s) => s.anonMb)), unit: `MB/min (${round(first?.anonMb ?? NaN, 1)} -> ${round(last?.anonMb ?? NaN, 1)} MB)` },
      { scenario, metric: "main isolate's heap used: slope", value: round(slope((s) => s.heapUsedMb)), unit: `MB/min (${round(first?.heapUsedMb ?? NaN, 1)} -> ${round(last?.heapUsedMb ?? NaN, 1)} MB)` },
      { scenario, metric: 'open fds: slope', value: round(slope((s) => s.fds)), unit: `/min (${first?.fds ?? NaN} -> ${last?.fds ?? NaN})` },
      { scenario, metric: 'threads: slope', value: round(slope((s) => s.threads)), unit: `/min (${first?.threads ?? NaN} -> ${last?.threads ?? NaN})` },
      { scenario, metric: 'zombies waiting, most at one sample', value: Math.max(0, ...samples.map((s) => s.zombies)), unit: '' },
      { scenario, metric: 'ZooKeeper sessions seen', value: new Set(samples.map((s) => s.sessionId).filter((id) => id !== null)).size, unit: '', target: { op: '=', value: 1 } },
      { scenario, metric: 'missing nodes (healthy 3 s, absent), over all samples', value: sum((s) => s.missing), unit: `in ${sum((s) => s.judged[0])} judgements of a healthy service`, target: { op: '=', value: 0 } },
      { scenario, metric: 'stale nodes (unhealthy 3 s, present), over all samples', value: sum((s) => s.stale), unit: `in ${sum((s) => s.judged[1])} judgements of a failing one`, target: { op: '=', value: 0 } },
    ],
  };
}
