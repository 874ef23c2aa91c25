import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CheckPool, LANE_GROW_AT } from '../../../src/main/checks/pool.js';
import { processGone } from '../../support/processes.js';
import { waitFor } from '../../support/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'zkw-pool-'));
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ZKW_TEST_MARK: 'visible' };
const pool = new CheckPool({ concurrency: 2, threads: 2, env });
after(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

test('checks run on worker threads and come back as results', async () => {
  const [ok, bad] = await Promise.all([
    pool.run({ service: 'ok', cmd: 'echo "$ZKW_TEST_MARK"', http: null, tcp: null, timeoutMs: 5000 }),
    pool.run({ service: 'bad', cmd: 'exit 7', http: null, tcp: null, timeoutMs: 5000 }),
  ]);
  assert.deepEqual([ok.service, ok.passed, ok.reason, ok.outputTail], ['ok', true, 'exit 0', 'visible\n']);
  assert.deepEqual([bad.service, bad.passed, bad.reason, bad.exitCode], ['bad', false, 'exit 7', 7]);
});

test('a timed-out check fails with a reason that says so', async () => {
  const r = await pool.run({ service: 'hang', cmd: 'sleep 300', http: null, tcp: null, timeoutMs: 200 });
  assert.equal(r.passed, false);
  assert.equal(r.timedOut, true);
  assert.match(r.reason, /timed out after 0.2 s/);
});

test('p-queue admits no more than the concurrency limit at once', async () => {
  let maxRunning = 0;
  const sampler = setInterval(() => (maxRunning = Math.max(maxRunning, pool.running)), 5);
  const results = await Promise.all(Array.from({ length: 6 }, (_, i) => pool.run({ service: `s${i}`, cmd: 'sleep 0.2', http: null, tcp: null, timeoutMs: 10_000 })));
  clearInterval(sampler);
  assert.ok(results.every((r) => r.passed));
  assert.equal(maxRunning, 2);
});

function startedCheck(pidFile: string): Promise<number> {
  return waitFor(
    async () => { try { return Number(readFileSync(pidFile, 'utf8')); } catch { return 0; } },
    (pid) => pid > 0,
    { what: 'the check to start' },
  );
}

test('checks go through the zkw-spawn helper when it was built', () => {
  assert.ok(pool.spawner !== null && pool.spawner.endsWith('zkw-spawn'));
});

test('closing the pool kills every running check, grandchildren included (what SIGTERM does)', async () => {
  const own = new CheckPool({ concurrency: 4, threads: 1, env });
  const pidFile = join(dir, 'closed.pid');
  const running = own.run({ service: 'hung', cmd: `sleep 300 & echo $! > ${pidFile}; wait`, http: null, tcp: null, timeoutMs: 300_000 });
  const grandchild = await startedCheck(pidFile);
  await own.close();
  const r = await running;
  assert.deepEqual([r.passed, r.reason], [false, 'the agent is stopping']);
  await waitFor(async () => processGone(grandchild), (gone) => gone, { what: 'the grandchild to be gone' });
});

test("without the helper (Node's spawn), killAllGroups kills every running check group at once (what the agent does on exit)", async () => {
  const fallback = new CheckPool({ concurrency: 2, threads: 1, env, spawner: null });
  const pidFile = join(dir, 'hung.pid');
  const running = fallback.run({ service: 'hung', cmd: `sleep 300 & echo $! > ${pidFile}; wait`, http: null, tcp: null, timeoutMs: 300_000 });
  const grandchild = await startedCheck(pidFile);
  assert.ok(fallback.killAllGroups() >= 1);
  const r = await running;
  assert.equal(r.passed, false);
  assert.equal(r.signal, 'SIGKILL');
  await waitFor(async () => processGone(grandchild), (gone) => gone, { what: 'the grandchild to be gone' });
  await fallback.close();
});

test('a check starting late against its schedule reports the lag', async () => {
  const lags: number[] = [];
  const own = new CheckPool({ concurrency: 1, threads: 1, env, onStarted: (lagMs) => lags.push(lagMs) });
  const due = performance.now();
  await Promise.all([0, 1, 2].map((i) => own.run({ service: `s${i}`, cmd: 'sleep 0.3', http: null, tcp: null, timeoutMs: 10_000 }, due)));
  await own.close();
  assert.equal(lags.length, 3);
  assert.ok(lags[0]! < 250, `the first started ${lags[0]} ms late`);
  assert.ok(lags[2]! >= 550, `the third waited for two 0.3 s checks, yet reports ${lags[2]} ms`);
});

const misbehaving = new URL('../../support/misbehaving-worker.js', import.meta.url);
const job = (service: string, cmd: string) => ({ service, cmd, http: null, tcp: null, timeoutMs: 200 });

test('a worker thread that hangs is replaced; its check fails with a reason and the others go on', async () => {
  const own = new CheckPool({ concurrency: 8, threads: 2, env, workerFile: misbehaving });
  const hung = own.run(job('hung', 'hang'));
  // Once its check is late, the stuck worker gets no new work (until it is replaced).
  await waitFor(async () => own.lateWorkers, (n) => n === 1, { what: 'the hung worker to count as late' });
  const during = await Promise.all(Array.from({ length: 6 }, (_, i) => own.run(job(`ok${i}`, 'true'))));
  assert.ok(during.every((r) => r.passed), 'the other worker kept serving while one hung');
  const r = await hung;
  assert.equal(r.passed, false);
  assert.match(r.reason, /did not answer within 5.2 s; it was replaced/);
  const after = await Promise.all(Array.from({ length: 6 }, (_, i) => own.run(job(`again${i}`, 'true'))));
  assert.ok(after.every((x) => x.passed));
  assert.equal(new Set(after.map((x) => x.reason)).size, 2, 'two worker threads serve again');
  assert.ok(own.workerFailures >= 1);
  await own.close();
});

test('a worker thread that dies is replaced; its check fails with a reason and no service stalls', async () => {
  const own = new CheckPool({ concurrency: 8, threads: 2, env, workerFile: misbehaving });
  const r = await own.run(job('dies', 'die'));
  assert.equal(r.passed, false);
  assert.match(r.reason, /the check worker failed .*; it was replaced/);
  const after = await Promise.all(Array.from({ length: 6 }, (_, i) => own.run(job(`again${i}`, 'true'))));
  assert.ok(after.every((x) => x.passed));
  await own.close();
});

test('a worker thread that is slow to start is not taken for hung: its checks are timed from when it serves', async () => {
  const slow = new URL('../../support/slow-start-worker.js', import.meta.url);
  const own = new CheckPool({ concurrency: 4, threads: 1, env, workerFile: slow });
  // 200 ms timeout + 5 s grace < the worker's 6 s start: timed from submission, this would fail.
  const r = await own.run(job('early', 'true'));
  assert.deepEqual([r.passed, r.reason], [true, 'exit 0']);
  assert.equal(own.workerFailures, 0);
  await own.close();
});

test('one worker thread at rest; more open while checks pile up in flight, and close once one would do', async () => {
  const elastic = new CheckPool({ concurrency: 4 * LANE_GROW_AT, threads: 2, env, shrinkWindowMs: 1500 });
  try {
    await elastic.run({ service: 'one', cmd: 'true', http: null, tcp: null, timeoutMs: 5000 });
    assert.equal(elastic.lanesOpen, 1, 'one lane for one check');
    assert.equal(elastic.threadsRunning, 1, 'one worker thread at start');
    const many = Array.from({ length: LANE_GROW_AT * 2 }, (_, i) => elastic.run({ service: `s${i}`, cmd: 'sleep 0.5', http: null, tcp: null, timeoutMs: 10_000 }));
    assert.equal(elastic.lanesOpen, 2, `a second lane once ${LANE_GROW_AT} were in flight on the first`);
    const results = await Promise.all(many);
    assert.ok(results.every((r) => r.passed), 'every check passed, on either lane');
    // Quiet from now on: after a window without LANE_GROW_AT in flight the extra lane closes.
    await waitFor(async () => elastic.lanesOpen, (n) => n === 1, { what: 'the extra lane closed', timeoutMs: 30_000 });
    // Its thread ends after piscina's idle timeout (10 s): one thread, not a spare beside it.
    await waitFor(async () => elastic.threadsRunning, (n) => n === 1, { what: 'one worker thread left', timeoutMs: 40_000 });
    const after = await elastic.run({ service: 'later', cmd: 'true', http: null, tcp: null, timeoutMs: 5000 });
    assert.equal(after.passed, true, 'the remaining lane still serves');
  } finally {
    await elastic.close();
  }
});
