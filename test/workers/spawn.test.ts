import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCommand } from '../../src/workers/spawn.js';
import { processGone } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'zkw-spawn-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

test('exit 0 passes through as exit code 0', async () => {
  const r = await runCommand('true', 5000, env);
  assert.equal(r.exitCode, 0);
  assert.equal(r.timedOut, false);
  assert.equal(r.spawnError, null);
});

test('a non-zero exit code is reported as it is', async () => {
  const r = await runCommand('exit 3', 5000, env);
  assert.equal(r.exitCode, 3);
});

test('the command runs through /bin/sh -c, so quotes, double spaces and # work', async () => {
  const r = await runCommand(`test "a  b" = 'a  b' && echo "x # y"`, 5000, env);
  assert.equal(r.exitCode, 0);
  assert.equal(r.outputTail, 'x # y\n');
});

test('stdin is closed (reads see end of file at once)', async () => {
  const r = await runCommand('cat; echo done', 5000, env);
  assert.equal(r.exitCode, 0);
  assert.equal(r.outputTail, 'done\n');
});

test('stdout and stderr both reach the output tail', async () => {
  const r = await runCommand('echo out; echo err >&2', 5000, env);
  assert.match(r.outputTail, /out\n/);
  assert.match(r.outputTail, /err\n/);
});

test('the check runs in its own process group', async () => {
  const r = await runCommand('ps -o pgid= -p $$; echo $$', 5000, env);
  const [pgid, pid] = r.outputTail.trim().split(/\s+/).map(Number);
  assert.equal(pgid, pid, 'the shell leads its own group');
  assert.notEqual(pgid, process.pid);
});

test('a timeout kills the whole group, grandchildren included, and the run is waited for', async () => {
  const pidFile = join(dir, 'grandchild.pid');
  const r = await runCommand(`sleep 300 & echo $! > ${pidFile}; wait`, 300, env);
  assert.equal(r.timedOut, true);
  assert.notEqual(r.exitCode, 0);
  const grandchild = Number(readFileSync(pidFile, 'utf8'));
  assert.ok(grandchild > 0);
  await waitFor(async () => processGone(grandchild), (gone) => gone, { what: `grandchild ${grandchild} to be gone` });
});

test('a check that ignores SIGTERM is killed with SIGKILL after the grace period', async () => {
  const r = await runCommand(`trap '' TERM; while :; do sleep 0.05; done`, 200, env);
  assert.equal(r.timedOut, true);
  assert.equal(r.signal, 'SIGKILL');
});

test('background processes left by a finished check are killed with it', async () => {
  const pidFile = join(dir, 'left.pid');
  const r = await runCommand(`sleep 300 > /dev/null 2>&1 & echo $! > ${pidFile}`, 5000, env);
  assert.equal(r.exitCode, 0);
  const left = Number(readFileSync(pidFile, 'utf8'));
  await waitFor(async () => processGone(left), (gone) => gone, { what: `leftover ${left} to be gone` });
});

test('a flooding check keeps only a small tail of its output', async () => {
  const r = await runCommand('head -c 5000000 /dev/zero | tr "\\0" "y"; echo END', 10000, env);
  assert.equal(r.exitCode, 0);
  assert.ok(r.outputTail.length < 5000, `tail is ${r.outputTail.length} chars`);
  assert.match(r.outputTail, /captured the last 4096 of 5000004 bytes/);
  assert.ok(r.outputTail.endsWith('yyyyEND\n'));
});

test('hooks see the process group start and end', async () => {
  const seen: string[] = [];
  await runCommand('true', 5000, env, { onGroupStarted: (g) => seen.push(`start ${g}`), onGroupEnded: (g) => seen.push(`end ${g}`) });
  assert.equal(seen.length, 2);
  assert.match(seen[0]!, /^start \d+$/);
  assert.equal(seen[1], seen[0]!.replace('start', 'end'));
});
