import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOrphanOfThisHost, payloadPid } from '../../src/shared/ownership.js';

test('the pid is read from an nd_service_registry payload, and from nothing else', () => {
  assert.equal(payloadPid('{"pid":4242,"created":"2024-01-02 03:04:05","foo":"bar"}'), 4242);
  assert.equal(payloadPid('{"created":"x"}'), null);
  assert.equal(payloadPid('{"pid":"4242"}'), null);
  assert.equal(payloadPid('not json'), null);
  assert.equal(payloadPid('[1]'), null);
});

test('a node is an orphan of this host when its pid is dead here, or is our own pid (a restarted container)', () => {
  const alive = new Set([100, 200]);
  const isAlive = (pid: number) => alive.has(pid);
  assert.equal(isOrphanOfThisHost('{"pid":300}', 100, isAlive), true, 'dead pid');
  assert.equal(isOrphanOfThisHost('{"pid":100}', 100, isAlive), true, 'our own pid');
  assert.equal(isOrphanOfThisHost('{"pid":200}', 100, isAlive), false, 'another live process');
  assert.equal(isOrphanOfThisHost('plain data', 100, isAlive), false, 'not our format');
});
