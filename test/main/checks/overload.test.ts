// When checks fall due faster than they can run: every service keeps at most one
// run pending, services are served fairly, and the lag is measured.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CheckPool } from '../../../src/main/checks/pool.js';
import { Scheduler } from '../../../src/main/checks/scheduler.js';
import type { ServiceSpec } from '../../../src/shared/types.js';
import { waitFor } from '../../support/wait.js';

function spec(name: string): ServiceSpec {
  return {
    name, cmd: 'sleep 0.05', http: null, tcp: null, refresh: 0.1, timeout: 10, servicePort: 1, serviceHostname: 'h', zookeeperPath: '/s',
    zookeeperData: { kind: 'object', value: { kind: 'object', entries: [] } }, rise: 1, fall: 1, source: { file: 'f', line: 1 },
  };
}

test('overloaded: one run per service at a time, every service served about equally, lag reported', async () => {
  const lags: number[] = [];
  // 20 services at refresh 0.1 s want 200 checks/s; two slots of 0.05 s checks give at most 40/s.
  const pool = new CheckPool({ concurrency: 2, threads: 1, env: { PATH: process.env.PATH ?? '/bin' }, onStarted: (lag) => lags.push(lag) });
  const inFlight = new Map<string, number>();
  const runs = new Map<string, number>();
  let overlaps = 0;
  let maxPending = 0;
  const scheduler = new Scheduler(
    async (s, dueAt) => {
      const now = (inFlight.get(s.name) ?? 0) + 1;
      if (now > 1) overlaps++;
      inFlight.set(s.name, now);
      maxPending = Math.max(maxPending, pool.pending);
      try {
        return await pool.run({ service: s.name, cmd: s.cmd, http: null, tcp: null, timeoutMs: 10_000 }, dueAt);
      } finally {
        inFlight.set(s.name, inFlight.get(s.name)! - 1);
      }
    },
    (s) => runs.set(s.name, (runs.get(s.name) ?? 0) + 1),
  );
  const names = Array.from({ length: 20 }, (_, i) => `svc${i}`);
  for (const n of names) scheduler.start(spec(n));
  await waitFor(async () => Math.min(...names.map((n) => runs.get(n) ?? 0)), (least) => least >= 5, { what: 'every service to run 5 times', timeoutMs: 60_000 });
  await scheduler.stopAll();
  await pool.close();
  const counts = names.map((n) => runs.get(n) ?? 0);
  assert.equal(overlaps, 0, 'a service never overlapped itself');
  assert.ok(maxPending <= names.length, `at most one pending run per service (saw ${maxPending} queued)`);
  assert.ok(Math.max(...counts) <= 2 * Math.min(...counts) + 1, `fair shares: ${counts.join(',')}`);
  assert.ok(Math.max(...lags) >= 100, 'the lag behind schedule was measured');
});
