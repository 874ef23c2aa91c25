// Stop while saturated: the real scheduler and pool (real workers, real helper, real
// shells), far more due than fits, then stop. Every queued check must be answered and
// every chain must end, or the agent's stop would wait forever.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CheckPool } from '../../../src/main/checks/pool.js';
import { Scheduler } from '../../../src/main/checks/scheduler.js';
import type { CheckResult, ServiceSpec } from '../../../src/shared/types.js';
import { waitFor } from '../../support/wait.js';

function spec(name: string): ServiceSpec {
  return {
    name, cmd: 'sleep 2', http: null, tcp: null, refresh: 0.1, timeout: 30, servicePort: 1, serviceHostname: 'h', zookeeperPath: '/s',
    zookeeperData: { kind: 'object', value: { kind: 'object', entries: [] } }, rise: 1, fall: 1, source: { file: 'f', line: 1 },
  };
}

test('closing a saturated pool answers every queued check, so every chain ends and nothing is reported after', async () => {
  const pool = new CheckPool({ concurrency: 4, threads: 2, env: { PATH: process.env.PATH ?? '/bin' } });
  const reported: CheckResult[] = [];
  const answered: CheckResult[] = [];
  let asked = 0;
  const scheduler = new Scheduler(
    async (s, dueAt) => {
      asked++;
      const result = await pool.run({ service: s.name, cmd: s.cmd, http: null, tcp: null, timeoutMs: s.timeout * 1000 }, dueAt);
      answered.push(result);
      return result;
    },
    (_s, result) => reported.push(result),
  );
  for (let i = 0; i < 100; i++) scheduler.start(spec(`svc${i}`));
  await waitFor(async () => ({ running: pool.running, queued: pool.pending }), (p) => p.running === 4 && p.queued >= 90, { what: '4 running and the rest queued', timeoutMs: 30_000 });

  const chains = scheduler.stopAll();
  await pool.close();
  await chains;
  assert.equal(scheduler.size, 0);
  assert.ok(asked >= 94, `most chains had asked for their first check (${asked})`);
  assert.equal(answered.length, asked, 'every check that was asked for was answered');
  assert.ok(answered.every((r) => !r.passed && r.reason === 'the agent is stopping'), 'the queued and the killed ones alike fail as "stopping"');
  assert.deepEqual(reported, [], 'a stopped chain reports nothing');
  const late = await pool.run({ service: 'late', cmd: 'true', http: null, tcp: null, timeoutMs: 1000 });
  assert.equal(late.reason, 'the agent is stopping', 'a check asked for after close is answered at once');
});

/** A scheduler over a real pool that records each run (as `record(spec)`) and counts runs that overlapped another. */
function watchedScheduler(record: (s: ServiceSpec) => string) {
  const pool = new CheckPool({ concurrency: 8, threads: 1, env: { PATH: process.env.PATH ?? '/bin' } });
  const seen = { running: 0, overlaps: 0, runs: [] as string[] };
  const scheduler = new Scheduler(
    async (s) => {
      if (++seen.running > 1) seen.overlaps++;
      seen.runs.push(record(s));
      try {
        return await pool.run({ service: s.name, cmd: s.cmd, http: null, tcp: null, timeoutMs: 10_000 });
      } finally {
        seen.running--;
      }
    },
    () => {},
  );
  return { pool, scheduler, seen };
}

test('restarting a chain while its check runs: the new chain waits for that check, so a service never overlaps itself', async () => {
  const { pool, scheduler, seen } = watchedScheduler((s) => s.cmd!);
  scheduler.start({ ...spec('a'), cmd: 'sleep 0.5' });
  await waitFor(async () => seen.running, (r) => r === 1, { what: 'the first check to run' });
  // Three quick changes in a row, as overlapping reloads would make them.
  scheduler.restart({ ...spec('a'), cmd: 'sleep 0.3' });
  scheduler.restart({ ...spec('a'), cmd: 'sleep 0.2' });
  scheduler.restart({ ...spec('a'), cmd: 'sleep 0.1' });
  await waitFor(async () => seen.runs.filter((c) => c === 'sleep 0.1').length, (n) => n >= 2, { what: 'the last version to run twice', timeoutMs: 30_000 });
  await scheduler.stopAll();
  await pool.close();
  assert.equal(seen.overlaps, 0, 'never two checks of one service at once');
  assert.deepEqual([...new Set(seen.runs)], ['sleep 0.5', 'sleep 0.1'], 'the versions replaced before they ran never ran');
});

test('a renamed service takes over its old name\'s chain: its first run waits for the old name\'s running check', async () => {
  const { pool, scheduler, seen } = watchedScheduler((s) => s.name);
  scheduler.start({ ...spec('old'), cmd: 'sleep 0.5' });
  await waitFor(async () => seen.running, (r) => r === 1, { what: 'the old name\'s check to run' });
  scheduler.restart({ ...spec('new'), cmd: 'sleep 0.1' }, 'old');
  await waitFor(async () => seen.runs.filter((n) => n === 'new').length, (n) => n >= 2, { what: 'the new name to run twice', timeoutMs: 30_000 });
  assert.equal(scheduler.size, 1, 'one chain: the old name\'s was taken over');
  await scheduler.stopAll();
  await pool.close();
  assert.equal(seen.overlaps, 0);
});
