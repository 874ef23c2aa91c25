// Signals before the daemon's handlers exist are held, not fatal.

import assert from 'node:assert/strict';
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
  process.kill(process.pid, 'SIGINT');
  await new Promise((r) => setImmediate(r));
  assert.equal(early.stop, 'SIGTERM', 'the first stop signal is the one kept');
  early.release();
  assert.deepEqual({ hup: process.listenerCount('SIGHUP'), term: process.listenerCount('SIGTERM') }, before);
});
