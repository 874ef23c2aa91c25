import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MIN_INTERVAL_MS, Scheduler } from '../../../src/main/checks/scheduler.js';
import type { CheckResult, ServiceSpec } from '../../../src/shared/types.js';
import { waitFor } from '../../support/wait.js';

function spec(name: string, refresh: number): ServiceSpec {
  return {
    name, cmd: 'true', http: null, tcp: null, refresh, timeout: 10, servicePort: 1, serviceHostname: 'h', zookeeperPath: '/s',
    zookeeperData: { kind: 'object', value: { kind: 'object', entries: [] } }, rise: 1, fall: 1, source: { file: 'f', line: 1 },
  };
}

function result(service: string): CheckResult {
  return { service, passed: true, reason: 'exit 0', exitCode: 0, signal: null, timedOut: false, durationMs: 1, outputTail: '' };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How early a timer may fire by performance.now(): Node arms it from the loop's clock of the turn's start. */
const EARLY_MS = 20;

test('a service never overlaps itself, even when its check outlasts refresh', async () => {
  let running = 0;
  let maxRunning = 0;
  let runs = 0;
  const scheduler = new Scheduler(
    async (s) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await sleep(150);
      running--;
      runs++;
      return result(s.name);
    },
    () => undefined,
  );
  scheduler.start(spec('slow', 0.01));
  await waitFor(async () => runs, (n) => n >= 4, { what: 'four runs' });
  await scheduler.stopAll();
  assert.equal(maxRunning, 1);
});

test('the next run is armed when the previous one ends, at least MIN_INTERVAL_MS later', async () => {
  const ends: number[] = [];
  const starts: number[] = [];
  const scheduler = new Scheduler(
    async (s) => {
      starts.push(performance.now());
      await sleep(50);
      ends.push(performance.now());
      return result(s.name);
    },
    () => undefined,
    () => 0,
  );
  scheduler.start(spec('fast', 0.001));
  await waitFor(async () => starts.length, (n) => n >= 4, { what: 'four runs' });
  await scheduler.stopAll();
  for (let i = 1; i < starts.length; i++) {
    // Never sooner, but for how early a timer may fire by performance.now() (see EARLY_MS).
    assert.ok(starts[i]! - ends[i - 1]! >= MIN_INTERVAL_MS - EARLY_MS, `run ${i} started ${starts[i]! - ends[i - 1]!} ms after the previous ended`);
  }
});

test('first runs are spread by the random draw over a short window, not the whole refresh', async () => {
  const draws = [0.9, 0.1, 0.5, 0.3, 0.7];
  let next = 0;
  const order: string[] = [];
  const scheduler = new Scheduler(
    async (s) => {
      order.push(s.name);
      return result(s.name);
    },
    () => undefined,
    // Past the first runs, each service's phase: its whole (hour-long) interval.
    () => draws[next++] ?? 1,
  );
  const started = performance.now();
  draws.forEach((_, i) => scheduler.start(spec(`s${i}`, 3600)));
  await waitFor(async () => order.length, (n) => n === draws.length, { what: 'every first run', timeoutMs: 20_000 });
  const took = performance.now() - started;
  await scheduler.stopAll();
  // Ordered by their draw: s1 (0.1), s3 (0.3), s2 (0.5), s4 (0.7), s0 (0.9).
  assert.deepEqual(order, ['s1', 's3', 's2', 's4', 's0']);
  // Refresh is an hour; the first runs all came within the window (plus a loaded machine's slack).
  assert.ok(took < 20_000);
});

test('results reach onResult, and stop() ends the chain', async () => {
  const seen: string[] = [];
  const scheduler = new Scheduler(async (s) => result(s.name), (s, r) => seen.push(`${s.name}:${r.passed}`), () => 0);
  scheduler.start(spec('a', 0.1));
  await waitFor(async () => seen.length, (n) => n >= 2, { what: 'two results' });
  await scheduler.stop('a');
  const count = seen.length;
  await sleep(300);
  assert.equal(seen.length, count, 'no result after stop');
  assert.equal(scheduler.size, 0);
  assert.ok(seen.every((s) => s === 'a:true'));
});

test('after the first run each service takes a random place in its interval, then keeps the interval', async () => {
  // The draws: the first runs close together (0, 100 and 200 ms into the 500 ms window: on
  // different slots of the 50 ms grid, so they end in this order and the phases below go to
  // s0, s1, s2; timers of one slot fire in no promised order), then each service's phase.
  const phases = [0.2, 0.8, 0.5];
  const draws = [0, 0.2, 0.4, ...phases];
  let next = 0;
  const starts = new Map<string, number[]>();
  const scheduler = new Scheduler(
    async (s) => {
      starts.set(s.name, [...(starts.get(s.name) ?? []), performance.now()]);
      return result(s.name);
    },
    () => undefined,
    () => draws[next++] ?? 0,
  );
  phases.forEach((_, i) => scheduler.start(spec(`s${i}`, 1)));
  await waitFor(async () => [...starts.values()].filter((r) => r.length >= 3).length, (n) => n === phases.length, { what: 'three runs of each service', timeoutMs: 30_000 });
  await scheduler.stopAll();
  const second = phases.map((_, i) => starts.get(`s${i}`)![1]! - starts.get(`s${i}`)![0]!);
  // Each second run waited half the 1 s interval plus its phase. (Node arms a timer from the
  // loop's clock, read when the turn began, so it may fire a little early by performance.now().)
  phases.forEach((phase, i) => assert.ok(second[i]! >= (0.5 + phase) * 1000 - EARLY_MS, `s${i}'s second run came ${second[i]} ms after its first, phase ${phase}`));
  // Ordered by phase: s0 (0.2) before s2 (0.5) before s1 (0.8), though the first runs came in the other order.
  const secondAt = (i: number) => starts.get(`s${i}`)![1]!;
  assert.ok(secondAt(0) < secondAt(2) && secondAt(2) < secondAt(1), 'second runs follow the phases');
  // The third run waits the whole interval again.
  phases.forEach((_, i) => {
    const r = starts.get(`s${i}`)!;
    assert.ok(r[2]! - r[1]! >= 1000 - EARLY_MS, `s${i}'s third run came ${r[2]! - r[1]!} ms after its second`);
  });
});
