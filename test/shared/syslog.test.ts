import assert from 'node:assert/strict';
import { test } from 'node:test';
import { syslogLine, syslogSeverity } from '../../src/shared/syslog.js';

test('pino levels map to syslog severities', () => {
  assert.deepEqual([60, 50, 40, 30, 20, 10].map(syslogSeverity), [2, 3, 4, 6, 7, 7]);
});

test('a pino line gets the <PRI> of the daemon facility and its level; anything else goes as info', () => {
  assert.equal(syslogLine('{"level":50,"msg":"x"}\n'), '<27>{"level":50,"msg":"x"}\n');
  assert.equal(syslogLine('{"level":30,"msg":"x"}\n'), '<30>{"level":30,"msg":"x"}\n');
  assert.equal(syslogLine('{"level":20,"msg":"x"}\n'), '<31>{"level":20,"msg":"x"}\n');
  assert.equal(syslogLine('not json\n'), '<30>not json\n');
});

test('another facility changes the <PRI>: the original\'s syslog facility (5) makes info <46>', () => {
  assert.equal(syslogLine('{"level":30,"msg":"x"}\n', 5), '<46>{"level":30,"msg":"x"}\n');
  assert.equal(syslogLine('{"level":40,"msg":"x"}\n', 19), '<156>{"level":40,"msg":"x"}\n');
});
