// Signals before the daemon's handlers exist are held, not fatal.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { holdEarlySignals } from '../../../src/main/cli/early-signals.js';
import { waitFor } from '../../support/wait.js';

test('SIGHUP and SIGTERM that arrive early are held for the daemon, and released when its own handlers are in place', async () => {
  const before = { hup: process.listenerCount('SIGHUP'), term: process.listenerCount('SIGTERM') };
  const early = holdEarlySignals();
  process.kill(process.pid, 'SIGHUP');
  await waitFor(async () => early.reload, (r) => r, { what: 'the SIGHUP to be held' });
  process.kill(process.pid, 'SIGTERM');
  await waitFor(async () => early.stop, (s) => s === 'SIGTERM', { what: 'the SIGTERM to be held' });
  early.release();
  assert.deepEqual({ hup: process.listenerCount('SIGHUP'), term: process.listenerCount('SIGTERM') }, before);
});

test('a second stop signal while the first is held (a start stuck on DNS or a file system) ends the process at once', () => {
  const script = `
    const { holdEarlySignals } = await import(${JSON.stringify(new URL('../../../src/main/cli/early-signals.js', import.meta.url).href)});
    holdEarlySignals();
    process.kill(process.pid, 'SIGTERM');
    setTimeout(() => process.kill(process.pid, 'SIGTERM'), 100);
    setTimeout(() => process.exit(0), 5000); // the start that never ends
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 143, r.stderr);
});
