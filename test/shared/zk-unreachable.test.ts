import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attemptFailureOf, describeAttemptFailure, unreachableMessage, type AttemptFailure } from '../../src/shared/zk-unreachable.js';

const f = (server: string, code: string | null, detail = ''): AttemptFailure => ({ server, code, detail });

test('each member failure in words, the code to grep for, and the host alone when the name is the trouble', () => {
  const table: [AttemptFailure, string][] = [
    [f('zk1.invalid:2181', 'ENOTFOUND', 'getaddrinfo ENOTFOUND zk1.invalid'), 'zk1.invalid: name does not resolve (ENOTFOUND)'],
    [f('zk1.example:2181', 'EAI_AGAIN', 'getaddrinfo EAI_AGAIN zk1.example'), 'zk1.example: name lookup failed for now (is DNS reachable?) (EAI_AGAIN)'],
    [f('127.0.0.1:2181', 'ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:2181'), '127.0.0.1:2181: connection refused (ECONNREFUSED)'],
    [f('[::1]:2181', 'ENOTFOUND', 'x'), '::1: name does not resolve (ENOTFOUND)'],
    [f('10.9.9.9:2181', 'EHOSTUNREACH', 'connect EHOSTUNREACH 10.9.9.9:2181'), '10.9.9.9:2181: host unreachable (EHOSTUNREACH)'],
    [f('10.9.9.9:2181', null, 'did not accept a connection within 2500 ms'), '10.9.9.9:2181: did not accept a connection within 2500 ms'],
    [f('10.9.9.9:2181', 'EWEIRD', 'something odd'), '10.9.9.9:2181: something odd (EWEIRD)'],
    [f('10.9.9.9:2181', 'EWEIRD', 'connect EWEIRD 10.9.9.9:2181'), '10.9.9.9:2181: connect EWEIRD 10.9.9.9:2181'],
  ];
  for (const [failure, words] of table) assert.equal(describeAttemptFailure(failure), words);
});

test('the waiting line names the connect string and, when known, why each member failed', () => {
  assert.equal(unreachableMessage('zk1:2181,zk2:2181', []), 'no ZooKeeper server answers at zk1:2181,zk2:2181; still trying');
  assert.equal(
    unreachableMessage('zk1.invalid:2181,127.0.0.1:2181/app', [f('zk1.invalid:2181', 'ENOTFOUND'), f('127.0.0.1:2181', 'ECONNREFUSED')]),
    'no ZooKeeper server answers at zk1.invalid:2181,127.0.0.1:2181/app (zk1.invalid: name does not resolve (ENOTFOUND); 127.0.0.1:2181: connection refused (ECONNREFUSED)); still trying',
  );
});

test("a socket error becomes a member's failure; happy eyeballs' AggregateError by the first address's error", () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED ::1:2181'), { code: 'ECONNREFUSED' });
  assert.deepEqual(attemptFailureOf('zk1:2181', refused), f('zk1:2181', 'ECONNREFUSED', 'connect ECONNREFUSED ::1:2181'));
  const both = new AggregateError([refused, Object.assign(new Error('connect ETIMEDOUT 10.0.0.1:2181'), { code: 'ETIMEDOUT' })], '');
  assert.deepEqual(attemptFailureOf('zk1:2181', both), f('zk1:2181', 'ECONNREFUSED', 'connect ECONNREFUSED ::1:2181'));
  assert.deepEqual(attemptFailureOf('zk1:2181', new Error('odd')), f('zk1:2181', null, 'odd'));
});
