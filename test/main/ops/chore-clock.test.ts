import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChoreClock, COALESCE_MS } from '../../../src/main/ops/chore-clock.js';
import { waitFor } from '../../support/wait.js';

/** A marker that changes once per macrotask: chores that see the same one ran in one wakeup. */
function turns(): { readonly current: () => number; stop(): void } {
  let n = 0;
  let stopped = false;
  const bump = (): void => {
    n++;
    if (!stopped) setImmediate(bump);
  };
  bump();
  return { current: () => n, stop: () => void (stopped = true) };
}

test('a chore due within COALESCE_MS of another runs in its wakeup, a little early, never late for it', async () => {
  const clock = new ChoreClock();
  const turn = turns();
  try {
    const started = performance.now();
    const seen: { name: string; at: number; turn: number }[] = [];
    clock.after(200, () => seen.push({ name: 'a', at: performance.now() - started, turn: turn.current() }));
    clock.after(200 + COALESCE_MS / 2, () => seen.push({ name: 'b', at: performance.now() - started, turn: turn.current() }));
    clock.after(200 + COALESCE_MS * 3, () => seen.push({ name: 'c', at: performance.now() - started, turn: turn.current() }));
    await waitFor(async () => seen.length, (n) => n === 3, { what: 'three chores' });
    assert.deepEqual(seen.map((s) => s.name), ['a', 'b', 'c']);
    assert.equal(seen[1]!.turn, seen[0]!.turn, 'b ran in the same wakeup as a');
    assert.notEqual(seen[2]!.turn, seen[0]!.turn, 'c, due well after, had a wakeup of its own');
    assert.ok(seen[2]!.at >= 200 + COALESCE_MS * 2 - 20, `c ran ${seen[2]!.at} ms after start: at most COALESCE_MS early`);
  } finally {
    turn.stop();
  }
});

test('chores of one period started apart are due on the same grid and share every wakeup; cancel stops one', async () => {
  const clock = new ChoreClock();
  const turn = turns();
  try {
    const a: number[] = [];
    const b: number[] = [];
    const cancelA = clock.every(150, () => a.push(turn.current()));
    await new Promise((r) => setTimeout(r, 40));
    const cancelB = clock.every(150, () => b.push(turn.current()));
    await waitFor(async () => b.length, (n) => n >= 4, { what: 'four runs of b', timeoutMs: 20_000 });
    // Every run of b shared a wakeup of a's (both are due on multiples of 150 ms).
    for (const t of b) assert.ok(a.includes(t), `b ran in a turn of its own (${t}; a: ${a.join(',')})`);
    cancelB();
    const bRuns = b.length;
    const aRuns = a.length;
    await waitFor(async () => a.length, (n) => n >= aRuns + 3, { what: 'a runs on', timeoutMs: 20_000 });
    assert.equal(b.length, bRuns, 'a cancelled chore does not run again');
    cancelA();
    assert.equal(clock.size, 0, 'nothing left waiting');
  } finally {
    turn.stop();
  }
});

test('a chore that throws does not keep the others of its wakeup from running; its error goes to onError', async () => {
  const errors: unknown[] = [];
  const clock = new ChoreClock((e) => errors.push(e));
  // The clock keeps no process alive (its timer is unref'd): this test's wait does.
  const keepAlive = setInterval(() => undefined, 1000);
  const ran: string[] = [];
  clock.after(20, () => {
    ran.push('first');
    throw new Error('chore failed');
  });
  clock.after(20, () => ran.push('second'));
  try {
    await waitFor(async () => ran.length, (n) => n === 2, { what: 'both chores' });
    assert.deepEqual(ran, ['first', 'second']);
    assert.deepEqual(errors.map((e) => (e as Error).message), ['chore failed']);
  } finally {
    clearInterval(keepAlive);
  }
});

test('a chore cancelled by another chore of the same wakeup does not run', async () => {
  const clock = new ChoreClock();
  const keepAlive = setInterval(() => undefined, 1000);
  const ran: string[] = [];
  try {
    let cancelSecond: () => void = () => undefined;
    clock.after(30, () => {
      ran.push('first');
      cancelSecond();
    });
    cancelSecond = clock.after(30 + COALESCE_MS / 2, () => ran.push('second'));
    clock.after(30 + COALESCE_MS * 3, () => ran.push('third'));
    await waitFor(async () => ran.length, (n) => n >= 2, { what: 'the first and third chores' });
    assert.deepEqual(ran, ['first', 'third']);
  } finally {
    clearInterval(keepAlive);
  }
});

test('a due time that is not a number is refused at once, and the clock keeps running', async () => {
  const clock = new ChoreClock();
  assert.throws(() => clock.after(NaN, () => undefined), RangeError);
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    let ran = false;
    clock.after(10, () => (ran = true));
    await waitFor(async () => ran, (r) => r, { what: 'a later chore' });
  } finally {
    clearInterval(keepAlive);
  }
});
