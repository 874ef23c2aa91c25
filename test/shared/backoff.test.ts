import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failedAtOnce, MAX_REBUILD_DELAY_MS, rebuildDelayMs } from '../../src/shared/backoff.js';

test('a session that lived is replaced at once; one that fails at once waits longer each time, jittered, up to a ceiling', () => {
  assert.equal(rebuildDelayMs(0, 0.99), 0);
  assert.deepEqual([1, 2, 3, 4].map((n) => rebuildDelayMs(n, 0)), [250, 500, 1000, 2000], 'the low end of each window');
  assert.deepEqual([1, 2, 3].map((n) => rebuildDelayMs(n, 0.999)), [500, 1000, 1999], 'the high end');
  assert.equal(rebuildDelayMs(40, 0.999), Math.round(MAX_REBUILD_DELAY_MS * 0.9995));
  assert.ok(rebuildDelayMs(40, 0) >= MAX_REBUILD_DELAY_MS / 2);
});

test('failed at once: never established, or lost sooner than its own timeout after it was', () => {
  assert.equal(failedAtOnce(null, 10_000), true);
  assert.equal(failedAtOnce(50, 10_000), true, 'refused or closed by the ensemble right away');
  assert.equal(failedAtOnce(9_999, 10_000), true);
  assert.equal(failedAtOnce(10_000, 10_000), false, 'a session can time out no sooner than this: a real loss, rebuilt at once');
  assert.equal(failedAtOnce(3_600_000, 10_000), false);
});
