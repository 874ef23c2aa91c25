import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canMove, mayChangeRegistrations, reloadRequestEffect, type LifecycleState } from '../../src/shared/lifecycle-state.js';

const ALL: LifecycleState[] = ['idle', 'starting', 'running', 'reloading', 'stopping', 'stopped'];

test('the allowed moves, and only those', () => {
  const allowed = new Set(['idle>starting', 'idle>stopping', 'starting>running', 'starting>stopping', 'running>reloading', 'running>stopping', 'reloading>running', 'reloading>stopping', 'stopping>stopped']);
  for (const from of ALL) for (const to of ALL) assert.equal(canMove(from, to), allowed.has(`${from}>${to}`), `${from} -> ${to}`);
});

test('only a live agent changes registrations; stopping only removes', () => {
  assert.deepEqual(ALL.filter(mayChangeRegistrations), ['starting', 'running', 'reloading']);
});

test('a reload request begins one while running, folds into one under way, and is ignored otherwise', () => {
  assert.deepEqual(Object.fromEntries(ALL.map((s) => [s, reloadRequestEffect(s)])), {
    idle: 'ignore', starting: 'ignore', running: 'begin', reloading: 'coalesce', stopping: 'ignore', stopped: 'ignore',
  });
});
