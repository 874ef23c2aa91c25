import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CheckPool } from '../../src/main/pool.js';
import { processGone } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

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

test('killAllGroups kills every running check process group at once (what the agent does on exit)', async () => {
  const pidFile = join(dir, 'hung.pid');
  const running = pool.run({ service: 'hung', cmd: `sleep 300 & echo $! > ${pidFile}; wait`, http: null, tcp: null, timeoutMs: 300_000 });
  const grandchild = await waitFor(
    async () => { try { return Number(readFileSync(pidFile, 'utf8')); } catch { return 0; } },
    (pid) => pid > 0,
    { what: 'the check to start' },
  );
  assert.ok(pool.killAllGroups() >= 1);
  const r = await running;
  assert.equal(r.passed, false);
  assert.equal(r.signal, 'SIGKILL');
  await waitFor(async () => processGone(grandchild), (gone) => gone, { what: 'the grandchild to be gone' });
});
