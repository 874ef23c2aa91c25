// The lifecycle's command queue with fake parts: what runs, how often, in which state.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { Lifecycle, type LifecycleOps } from '../../../src/main/lifecycle/lifecycle.js';
import type { LifecycleState } from '../../../src/shared/lifecycle-state.js';

/** Fake parts: each read waits until the test releases it; every call is recorded. */
class FakeParts implements LifecycleOps<string, string> {
  readonly calls: string[] = [];
  private reads: ((config: string | null) => void)[] = [];
  private stopRelease: (() => void) | null = null;
  holdStop = false;

  start(): void {
    this.calls.push('start');
  }
  load(): Promise<string | null> {
    this.calls.push('load');
    return new Promise((resolve) => this.reads.push(resolve));
  }
  apply(config: string): void {
    this.calls.push(`apply ${config}`);
  }
  stop(): Promise<string> {
    this.calls.push('stop');
    if (!this.holdStop) return Promise.resolve('stopped');
    return new Promise((resolve) => (this.stopRelease = () => resolve('stopped')));
  }
  /** Let the oldest read finish with `config`. */
  finishRead(config: string | null): void {
    const read = this.reads.shift();
    assert.ok(read !== undefined, 'a read is under way');
    read(config);
  }
  get readsUnderWay(): number {
    return this.reads.length;
  }
  releaseStop(): void {
    this.stopRelease?.();
  }
}

const silent = pino({ level: 'silent' });
const tick = () => new Promise((r) => setImmediate(r));

function running(): { parts: FakeParts; life: Lifecycle<string, string>; states: LifecycleState[] } {
  const parts = new FakeParts();
  const life = new Lifecycle(parts, silent);
  const states: LifecycleState[] = [];
  life.on('state', (to) => states.push(to));
  assert.equal(life.start(), true);
  return { parts, life, states };
}

test('two reload requests in a row read twice and apply once, with what the second read found', async () => {
  const { parts, life } = running();
  assert.equal(life.requestReload(), 'begin');
  assert.equal(life.requestReload(), 'coalesce');
  parts.finishRead('v1');
  await tick();
  assert.equal(parts.readsUnderWay, 1, 'the first read was superseded: the file is read again');
  parts.finishRead('v2');
  await life.reloadSettled();
  assert.deepEqual(parts.calls, ['start', 'load', 'load', 'apply v2']);
  assert.equal(life.state, 'running');
});

test('a reload asked for after one ended is a new reload', async () => {
  const { parts, life, states } = running();
  life.requestReload();
  parts.finishRead('v1');
  await life.reloadSettled();
  assert.equal(life.requestReload(), 'begin');
  parts.finishRead('v2');
  await life.reloadSettled();
  assert.deepEqual(parts.calls, ['start', 'load', 'apply v1', 'load', 'apply v2']);
  assert.deepEqual(states, ['starting', 'running', 'reloading', 'running', 'reloading', 'running']);
});

test('a config with errors is not applied and the agent keeps running', async () => {
  const { parts, life } = running();
  life.requestReload();
  parts.finishRead(null);
  await life.reloadSettled();
  assert.deepEqual(parts.calls, ['start', 'load']);
  assert.equal(life.state, 'running');
});

test('a read that throws is a rejected reload, not a crash', async () => {
  const parts = new FakeParts();
  parts.load = () => Promise.reject(new Error('EIO'));
  const life = new Lifecycle(parts, silent);
  life.start();
  life.requestReload();
  await life.reloadSettled();
  assert.equal(life.state, 'running');
  assert.equal(life.requestReload(), 'begin', 'and the next reload still works');
});

test('stop during a reload: the read it was waiting for is never applied, and nothing starts after', async () => {
  const { parts, life, states } = running();
  life.requestReload();
  const stopped = life.stop();
  parts.finishRead('v1');
  assert.equal(await stopped, 'stopped');
  await life.reloadSettled();
  assert.deepEqual(parts.calls, ['start', 'load', 'stop']);
  assert.deepEqual(states, ['starting', 'running', 'reloading', 'stopping', 'stopped']);
  assert.equal(life.requestReload(), 'ignore');
  assert.equal(life.start(), false);
  assert.deepEqual(parts.calls, ['start', 'load', 'stop'], 'no reload and no start after stop');
});

test('a reload asked for while stopping is ignored, and every stop shares one', async () => {
  const { parts, life } = running();
  parts.holdStop = true;
  const first = life.stop();
  assert.equal(life.state, 'stopping');
  assert.equal(life.requestReload(), 'ignore');
  const second = life.stop();
  assert.equal(first, second);
  parts.releaseStop();
  await first;
  assert.deepEqual(parts.calls, ['start', 'stop']);
  assert.equal(life.state, 'stopped');
});

test('stop before start (a signal during WAIT_TIME) stops the parts and never starts them', async () => {
  const parts = new FakeParts();
  const life = new Lifecycle(parts, silent);
  await life.stop();
  assert.equal(life.start(), false);
  assert.deepEqual(parts.calls, ['stop']);
});

test('a storm of requests during reads is still applied: at most a few superseded reads, then the newest config', async () => {
  const { parts, life } = running();
  life.requestReload();
  for (let i = 1; i <= 20; i++) {
    life.requestReload();
    parts.finishRead(`v${i}`);
    await tick();
  }
  // The storm is over: the read under way finds the newest file.
  while (parts.readsUnderWay > 0) {
    parts.finishRead('v-last');
    await tick();
  }
  await life.reloadSettled();
  const applies = parts.calls.filter((c) => c.startsWith('apply'));
  assert.ok(applies.length >= 1 && applies.length <= 20 / 5 + 1, `applied ${applies.length} times: ${parts.calls.join(', ')}`);
  assert.equal(applies.at(-1), 'apply v-last', 'the last thing applied is what the files said last');
  assert.equal(life.state, 'running');
});

test('a part that throws while starting leaves the agent in starting, from where only stop goes on', async () => {
  const parts = new FakeParts();
  parts.start = () => {
    throw new Error('a part failed to start');
  };
  const life = new Lifecycle(parts, silent);
  assert.throws(() => life.start(), /a part failed to start/);
  assert.equal(life.state, 'starting', 'it stays where it failed');
  assert.equal(life.start(), false);
  assert.equal(life.requestReload(), 'ignore');
  await life.stop();
  assert.equal(life.state, 'stopped');
});

test('a read that never finishes (a hung file system) is given up at its deadline, and the next reload works', async () => {
  const parts = new FakeParts();
  const life = new Lifecycle(parts, silent, 50);
  life.start();
  life.requestReload();
  await life.reloadSettled();
  assert.equal(life.state, 'running', 'the stuck read was given up');
  assert.deepEqual(parts.calls, ['start', 'load']);
  life.requestReload();
  parts.finishRead('v1-late'); // the first read comes back at last, long after it was given up: ignored
  parts.finishRead('v2');
  await life.reloadSettled();
  assert.deepEqual(parts.calls, ['start', 'load', 'load', 'apply v2']);
});
