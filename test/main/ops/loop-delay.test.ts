import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loopDelayHistogram, timerFired } from '../../../src/main/ops/loop-delay.js';

test('each reader gets every timer\'s lateness in ns, resets on its own, and gets nothing once released', () => {
  const a = loopDelayHistogram();
  const b = loopDelayHistogram();
  timerFired(1000, 1012.5); // 12.5 ms late
  timerFired(2000, 2000); // on time: still a sample
  assert.equal(a.histogram.count, 2);
  // An HDR histogram keeps 3 significant digits.
  const near = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) <= expected * 0.001, `${actual} is not about ${expected}`);
  near(a.histogram.max, 12_500_000);
  assert.equal(a.histogram.min, 1);
  a.histogram.reset();
  assert.equal(b.histogram.count, 2, 'another reader keeps its samples');
  a.release();
  timerFired(3000, 3100);
  assert.equal(a.histogram.count, 0);
  assert.equal(b.histogram.count, 3);
  near(b.histogram.max, 100_000_000);
  b.release();
});

test('real timers: a loop blocked for 200 ms shows as a late timer', async () => {
  const r = loopDelayHistogram();
  try {
    const due = performance.now() + 10;
    const fired = new Promise<void>((resolve) => setTimeout(() => (timerFired(due), resolve()), 10));
    const until = performance.now() + 200;
    while (performance.now() < until) {
      // block the loop
    }
    await fired;
    assert.ok(r.histogram.max >= 150e6, `max ${r.histogram.max / 1e6} ms`);
  } finally {
    r.release();
  }
});
