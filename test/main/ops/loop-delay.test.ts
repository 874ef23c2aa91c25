import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loopDelayHistogram, loopDelayWindow, timerFired } from '../../../src/main/ops/loop-delay.js';

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

test('a window reader: every read sees the last one to two windows, reads do not reset it, and old samples age out', () => {
  const w = loopDelayWindow(1000);
  try {
    const t0 = performance.now();
    timerFired(t0, t0 + 5); // 5 ms late
    timerFired(t0 + 100, t0 + 100);
    const first = w.read(t0 + 200);
    assert.equal(first.count, 2);
    assert.ok(Math.abs(first.max - 5e6) <= 5e3, `max ${first.max}`);
    // A second scraper right after the first sees the same samples.
    assert.deepEqual(w.read(t0 + 201), first);
    // Next window: the previous one still counts.
    timerFired(t0 + 1500, t0 + 1502);
    assert.equal(w.read(t0 + 1600).count, 3);
    // Two windows on, the first is gone; the second's sample stays.
    timerFired(t0 + 2700, t0 + 2700);
    const later = w.read(t0 + 2800);
    assert.equal(later.count, 2);
    assert.ok(later.max < 3e6, 'the 5 ms sample aged out');
    // Nothing for two whole windows: nothing to show, and 0 rather than a stale figure.
    assert.deepEqual(w.read(t0 + 10_000), { p50: 0, p99: 0, max: 0, count: 0 });
  } finally {
    w.release();
  }
  timerFired(0, 1);
  assert.equal(w.read().count, 0, 'a released reader gets no more samples');
});
