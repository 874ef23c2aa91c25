import assert from 'node:assert/strict';
import { test } from 'node:test';
import { engineStall, STALL_LIMIT_MS, type EngineFacts } from '../../src/shared/engine-liveness.js';

const now = 1_000_000;
const alive: EngineFacts = { now, lastSweepAt: now - 400, overdueMs: 0, queued: 0, freeSlots: 256, lastStartAt: now - 60_000 };

test('an engine that sweeps and starts its checks is alive, however long ago its last check ran when nothing is due', () => {
  assert.equal(engineStall(alive), null);
  assert.equal(engineStall({ ...alive, queued: 500, freeSlots: 0, lastStartAt: now - 600_000 }), null, 'saturated by long checks: every slot busy is not stuck');
  assert.equal(engineStall({ ...alive, queued: 3, freeSlots: 4, lastStartAt: now - STALL_LIMIT_MS }), null, 'a queue that admits within the limit');
  assert.equal(engineStall({ ...alive, overdueMs: STALL_LIMIT_MS }), null, 'a hung worker the sweep is about to replace');
});

test('stuck: the sweep stopped, a hung worker was never replaced, or checks wait beside free slots', () => {
  assert.match(engineStall({ ...alive, lastSweepAt: now - STALL_LIMIT_MS - 1 }) ?? '', /hung-worker sweep has not run for 10 s/);
  assert.match(engineStall({ ...alive, overdueMs: 25_000 }) ?? '', /a check is 25 s past its deadline and its worker was not replaced/);
  assert.match(engineStall({ ...alive, queued: 7, freeSlots: 2, lastStartAt: now - 12_000 }) ?? '', /7 checks have waited 12 s while 2 slots are free/);
});
