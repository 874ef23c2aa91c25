// The same behaviour is asked of both ways a check command runs: the zkw-spawn
// helper (the normal path) and Node's own spawn (the fallback without a C compiler).

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { builtSpawner } from '../../src/main/checks/pool.js';
import { runCommand, type CommandOutcome } from '../../src/workers/spawn.js';
import { SpawnerClient } from '../../src/workers/spawner-client.js';
import { processGone } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'zkw-spawn-'));
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
const helperPath = builtSpawner();
const helper = new SpawnerClient(helperPath ?? '/nonexistent/zkw-spawn', env);
after(() => {
  helper.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the zkw-spawn helper was built next to the worker', () => {
  assert.ok(helperPath !== null, 'build/src/workers/zkw-spawn is missing: is a C compiler installed?');
});

const runners: [string, (cmd: string, timeoutMs: number) => Promise<CommandOutcome>][] = [
  ['helper', (cmd, timeoutMs) => helper.run(cmd, timeoutMs)],
  ['node spawn', (cmd, timeoutMs) => runCommand(cmd, timeoutMs, env)],
];

for (const [name, run] of runners) {
  test(`${name}: exit 0 passes through as exit code 0`, async () => {
    const r = await run('true', 5000);
    assert.equal(r.exitCode, 0);
    assert.equal(r.timedOut, false);
    assert.equal(r.spawnError, null);
  });

  test(`${name}: a non-zero exit code is reported as it is`, async () => {
    const r = await run('exit 3', 5000);
    assert.equal(r.exitCode, 3);
  });

  test(`${name}: the command runs through /bin/sh -c, so quotes, double spaces and # work`, async () => {
    const r = await run(`test "a  b" = 'a  b' && echo "x # y"`, 5000);
    assert.equal(r.exitCode, 0);
    assert.equal(r.outputTail, 'x # y\n');
  });

  test(`${name}: stdin is closed (reads see end of file at once)`, async () => {
    const r = await run('cat; echo done', 5000);
    assert.equal(r.exitCode, 0);
    assert.equal(r.outputTail, 'done\n');
  });

  test(`${name}: stdout and stderr both reach the output tail`, async () => {
    const r = await run('echo out; echo err >&2', 5000);
    assert.match(r.outputTail, /out\n/);
    assert.match(r.outputTail, /err\n/);
  });

  test(`${name}: the check runs in its own process group`, async () => {
    const r = await run('ps -o pgid= -p $$; echo $$', 5000);
    const [pgid, pid] = r.outputTail.trim().split(/\s+/).map(Number);
    assert.equal(pgid, pid, 'the shell leads its own group');
    assert.notEqual(pgid, process.pid);
  });

  test(`${name}: a timeout kills the whole group, grandchildren included, and the run is waited for`, async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const r = await run(`sleep 300 & echo $! > ${pidFile}; wait`, 300);
    assert.equal(r.timedOut, true);
    assert.notEqual(r.exitCode, 0);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(grandchild > 0);
    await waitFor(async () => processGone(grandchild), (gone) => gone, { what: `grandchild ${grandchild} to be gone` });
  });

  test(`${name}: a check that ignores SIGTERM is killed with SIGKILL after the grace period`, async () => {
    const r = await run(`trap '' TERM; while :; do sleep 0.05; done`, 200);
    assert.equal(r.timedOut, true);
    assert.equal(r.signal, 'SIGKILL');
  });

  test(`${name}: background processes left by a finished check are killed with it`, async () => {
    const pidFile = join(dir, 'left.pid');
    const r = await run(`sleep 300 > /dev/null 2>&1 & echo $! > ${pidFile}`, 5000);
    assert.equal(r.exitCode, 0);
    const left = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(async () => processGone(left), (gone) => gone, { what: `leftover ${left} to be gone` });
  });

  test(`${name}: a flooding check keeps only a small tail of its output`, async () => {
    const r = await run('head -c 5000000 /dev/zero | tr "\\0" "y"; echo END', 10000);
    assert.equal(r.exitCode, 0);
    assert.ok(r.outputTail.length < 5000, `tail is ${r.outputTail.length} chars`);
    assert.match(r.outputTail, /captured the last 4096 of 5000004 bytes/);
    assert.ok(r.outputTail.endsWith('yyyyEND\n'));
  });
}

test('node spawn: hooks see the process group start and end', async () => {
  const seen: string[] = [];
  await runCommand('true', 5000, env, { onGroupStarted: (g) => seen.push(`start ${g}`), onGroupEnded: (g) => seen.push(`end ${g}`) });
  assert.equal(seen.length, 2);
  assert.match(seen[0]!, /^start \d+$/);
  assert.equal(seen[1], seen[0]!.replace('start', 'end'));
});

test('helper: a command with newlines and non-ASCII text arrives whole', async () => {
  const r = await helper.run(`printf '%s\\n' "é ✓"\necho second line`, 5000);
  assert.equal(r.exitCode, 0);
  assert.equal(r.outputTail, 'é ✓\nsecond line\n');
});

test('helper: after checks whose output ends as they exit, a later timeout still holds (each job is finished once)', async () => {
  // A job finished twice used to leave the helper's count of running jobs wrong, so it
  // stopped waking for deadlines: the next check that needed its timeout hung.
  for (let i = 0; i < 8; i++) {
    await helper.run('echo out; echo err >&2', 5000);
    const t0 = Date.now();
    const r = await helper.run('sleep 300', 200);
    assert.equal(r.timedOut, true, `round ${i}: timed out`);
    assert.ok(Date.now() - t0 < 4000, `round ${i}: took ${Date.now() - t0} ms`);
  }
});

test('helper: a check starts with no signal blocked, and SIGHUP, SIGINT and SIGPIPE (which the helper ignores) at their defaults', async () => {
  const r = await helper.run('grep -E "^Sig(Ign|Blk):" /proc/self/status', 5000);
  const field = (name: string) => BigInt('0x' + new RegExp(`^${name}:\\s*([0-9a-f]+)`, 'm').exec(r.outputTail)![1]);
  assert.equal(field('SigBlk'), 0n, r.outputTail);
  const bit = (signal: number) => 1n << BigInt(signal - 1);
  for (const [name, n] of [['SIGHUP', 1], ['SIGINT', 2], ['SIGPIPE', 13]] as const) {
    assert.equal(field('SigIgn') & bit(n), 0n, `${name} is not ignored in the check: ${r.outputTail}`);
  }
});

test('helper: many checks at once each get their own result', async () => {
  const results = await Promise.all(Array.from({ length: 200 }, (_, i) => helper.run(`echo ${i}; exit ${i % 3}`, 10_000)));
  results.forEach((r, i) => assert.deepEqual([r.exitCode, r.outputTail], [i % 3, `${i}\n`]));
});

test('helper: if the helper dies, its running checks fail with a reason, their processes are killed, and the next check starts a new one', async () => {
  const client = new SpawnerClient(helperPath!, env);
  const pidFile = join(dir, 'helper.pid');
  const running = client.run(`sleep 300 & echo $PPID $! > ${pidFile}; wait`, 60_000);
  const [helperPid, grandchild] = await waitFor(
    async () => { try { return readFileSync(pidFile, 'utf8').trim().split(' ').map(Number); } catch { return []; } },
    (pids) => pids.length === 2 && pids.every((p) => p > 0),
    { what: 'the check to report its helper and its background process' },
  ) as [number, number];
  process.kill(helperPid, 'SIGKILL');
  const lost = await running;
  assert.match(lost.spawnError ?? '', /the check helper exited \(SIGKILL\)/);
  // The helper had no chance to kill the check; the client killed its group.
  await waitFor(async () => processGone(grandchild), (gone) => gone, { what: 'the orphaned check to be killed' });
  const next = await client.run('echo $PPID', 5000);
  assert.equal(next.exitCode, 0);
  assert.notEqual(Number(next.outputTail), helperPid);
  client.close();
});

test('helper: when the agent side closes, the helper kills and reaps every running check', async () => {
  const client = new SpawnerClient(helperPath!, env);
  const pidFile = join(dir, 'orphaned.pid');
  void client.run(`sleep 300 & echo $! > ${pidFile}; wait`, 300_000);
  const grandchild = await waitFor(
    async () => { try { return Number(readFileSync(pidFile, 'utf8')); } catch { return 0; } },
    (pid) => pid > 0,
    { what: 'the check to start' },
  );
  client.close();
  await waitFor(async () => processGone(grandchild), (gone) => gone, { what: `grandchild ${grandchild} to be killed` });
});

test('helper: a process a check moved into a session of its own (setsid) does not outlive the agent either', async () => {
  const client = new SpawnerClient(helperPath!, env);
  const pidFile = join(dir, 'setsid.pid');
  // The check ends at once; what it started escaped its process group and lives on.
  const result = await client.run(`setsid sh -c 'echo $$ > ${pidFile}; exec sleep 300' > /dev/null 2>&1 & sleep 0.2`, 10_000);
  assert.equal(result.exitCode, 0);
  const escaped = await waitFor(
    async () => { try { return Number(readFileSync(pidFile, 'utf8')); } catch { return 0; } },
    (pid) => pid > 0,
    { what: 'the escaped process to start' },
  );
  assert.equal(processGone(escaped), false, 'it survived the end of its check, in its own session');
  client.close();
  await waitFor(async () => processGone(escaped), (gone) => gone, { what: `escaped process ${escaped} to be killed with the helper` });
});
