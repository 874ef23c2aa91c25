import assert from 'node:assert/strict';
import { test } from 'node:test';
import { journalPrefix, lineLevel, parseJournalStream, stdoutIsJournal } from '../../src/shared/log-journal.js';

test('pino levels get sd-daemon priorities: fatal 2, error 3, warn 4, info 6, debug and trace 7', () => {
  assert.deepEqual([60, 50, 40, 30, 20, 10].map(journalPrefix), ['<2>', '<3>', '<4>', '<6>', '<7>', '<7>']);
});

test('JOURNAL_STREAM is DEVICE:INODE; anything else names no stream', () => {
  assert.deepEqual(parseJournalStream('8:12345'), { dev: 8n, ino: 12345n });
  assert.deepEqual(parseJournalStream('64769:18446744073709551615'), { dev: 64769n, ino: 18446744073709551615n });
  for (const bad of [undefined, '', '8', '8:', ':1', 'a:b', '8:1:2', '-1:2']) assert.equal(parseJournalStream(bad), null, String(bad));
});

test('stdout is the journal only when both its device and its inode match', () => {
  const out = { dev: 8n, ino: 99n };
  assert.equal(stdoutIsJournal('8:99', out), true);
  assert.equal(stdoutIsJournal('8:98', out), false);
  assert.equal(stdoutIsJournal('9:99', out), false);
  assert.equal(stdoutIsJournal(undefined, out), false);
  assert.equal(stdoutIsJournal('8:99', null), false);
});

test('a line\'s level is read from pino\'s first key', () => {
  assert.equal(lineLevel('{"level":50,"time":1,"msg":"x"}\n'), 50);
  assert.equal(lineLevel('{"time":1,"level":50}\n'), null);
  assert.equal(lineLevel('text'), null);
});
