// The zkw-spawn helper's own protocol: one start line and one report per check, however the check's exit
// and the end of its output arrive. (A check finished twice was reported twice and made
// the helper lose count of running checks, after which timeouts could stop firing.)

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { builtSpawner } from '../../src/main/checks/pool.js';
import { waitFor } from '../support/wait.js';

interface Report { id: string; kind: string; value: number; timedOut: boolean }

test('each check gets exactly one report, and a timeout still fires after hundreds of quick checks', async () => {
  const helperPath = builtSpawner();
  assert.ok(helperPath !== null, 'build/src/workers/zkw-spawn is missing: is a C compiler installed?');
  const helper = spawn(helperPath, [String(process.pid)], { stdio: ['pipe', 'pipe', 'inherit'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  const reports: Report[] = [];
  /** Ids from the "S <id> <pid>" lines: a check's process group, before its report. */
  const started: string[] = [];
  let buffer = Buffer.alloc(0);
  helper.stdout.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const nl = buffer.indexOf(10);
      if (nl < 0) return;
      const [tag, id, kind, value, timedOut, , , tailLen] = buffer.toString('latin1', 0, nl).split(' ');
      if (tag === 'S') {
        started.push(id!);
        buffer = buffer.subarray(nl + 1);
        continue;
      }
      if (buffer.length < nl + 1 + Number(tailLen)) return;
      reports.push({ id: id!, kind: kind!, value: Number(value), timedOut: timedOut === '1' });
      buffer = buffer.subarray(nl + 1 + Number(tailLen));
    }
  });
  try {
    const quick = 300;
    const requests: Buffer[] = [];
    for (let i = 1; i <= quick; i++) {
      const cmd = Buffer.from(`echo ${i}`);
      requests.push(Buffer.from(`${i} 10000 ${cmd.length}\n`), cmd);
    }
    helper.stdin.write(Buffer.concat(requests));
    await waitFor(async () => reports.length, (n) => n >= quick, { what: `${quick} reports`, timeoutMs: 60_000 });
    const slow = Buffer.from('sleep 60');
    helper.stdin.write(Buffer.concat([Buffer.from(`slow 300 ${slow.length}\n`), slow]));
    const last = await waitFor(async () => reports.find((r) => r.id === 'slow'), (r) => r !== undefined, { what: 'the sleep 60 check to time out', timeoutMs: 30_000 });
    assert.deepEqual([last!.kind, last!.value, last!.timedOut], ['s', 15, true], 'killed by SIGTERM at its 300 ms deadline');
    const ids = reports.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, 'no check was reported twice');
    assert.equal(ids.length, quick + 1);
    assert.deepEqual([...started].sort(), [...ids].sort(), 'each check was announced once, with its process group');
  } finally {
    helper.stdin.end();
  }
});
