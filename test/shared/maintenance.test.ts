import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cleanText,
  describeNote,
  formatMaintenanceNote,
  hostMaintenanceNote,
  inMaintenance,
  maintenanceFromFiles,
  maintenanceFromNames,
  maintenanceNoteOf,
  MAX_REASON_LENGTH,
  NO_MAINTENANCE,
  NO_NOTE,
  parseMaintenanceNote,
  sameMaintenance,
  wantRegistered,
} from '../../src/shared/maintenance.js';

test('registered only when healthy and not in maintenance', () => {
  const table: [boolean | null, boolean, boolean][] = [
    [true, false, true],
    [true, true, false],
    [false, false, false],
    [false, true, false],
    [null, false, false],
    [null, true, false],
  ];
  for (const [healthy, maintenance, want] of table) assert.equal(wantRegistered(healthy, maintenance), want, `healthy=${healthy} maintenance=${maintenance}`);
});

test('the file all takes the host out; other files name services; dot files are ignored', () => {
  const m = maintenanceFromNames(['web', 'all', '.web.swp', 'db']);
  assert.equal(m.host, true);
  assert.deepEqual([...m.services].sort(), ['db', 'web']);
  assert.equal(inMaintenance(m, 'anything'), true);
  const one = maintenanceFromNames(['web', '.all']);
  assert.equal(one.host, false);
  assert.equal(inMaintenance(one, 'web'), true);
  assert.equal(inMaintenance(one, 'db'), false);
  assert.equal(inMaintenance(maintenanceFromNames([]), 'web'), false);
});

test('sameMaintenance compares the host flag and the set of services, not their order', () => {
  assert.equal(sameMaintenance(maintenanceFromNames(['a', 'b']), maintenanceFromNames(['b', 'a'])), true);
  assert.equal(sameMaintenance(maintenanceFromNames(['a']), maintenanceFromNames(['a', 'b'])), false);
  assert.equal(sameMaintenance(maintenanceFromNames(['a', 'c']), maintenanceFromNames(['a', 'b'])), false);
  assert.equal(sameMaintenance(maintenanceFromNames(['all']), NO_MAINTENANCE), false);
  assert.equal(sameMaintenance(maintenanceFromNames([]), NO_MAINTENANCE), true);
});

test('a flag file says why, who and when: the key lines maint on writes, or any text as the reason', () => {
  const table: [string, { reason: string; by: string | null; at: string | null }][] = [
    ['', { reason: '', by: null, at: null }],
    ['kernel upgrade, ticket OPS-1\n', { reason: 'kernel upgrade, ticket OPS-1', by: null, at: null }],
    ['rack move\nback at 15:00\n', { reason: 'rack move back at 15:00', by: null, at: null }],
    ['reason: deploy 42\nby: alice\nat: 2026-12-04T12:30:00.000Z\n', { reason: 'deploy 42', by: 'alice', at: '2026-12-04T12:30:00.000Z' }],
    ['reason:\nby: bob\n', { reason: '', by: 'bob', at: null }],
    ['by: \nreason: x', { reason: 'x', by: null, at: null }],
    ['deploy\x1b[31m 42\x00\r\n', { reason: 'deploy [31m 42', by: null, at: null }],
  ];
  for (const [text, note] of table) assert.deepEqual(parseMaintenanceNote(text), note, JSON.stringify(text));
});

test('reasons are one line, without control characters, cut to MAX_REASON_LENGTH', () => {
  assert.equal(cleanText('  a\tb\n\nc\u0007 ', 100), 'a b c');
  assert.equal(cleanText('x'.repeat(10), 10), 'x'.repeat(10));
  assert.equal(cleanText('x'.repeat(11), 10), 'x'.repeat(9) + '…');
  assert.equal([...parseMaintenanceNote('y'.repeat(5000)).reason].length, MAX_REASON_LENGTH);
});

test('what maint on writes reads back as the same note', () => {
  const at = new Date('2026-12-04T12:30:00.000Z');
  const text = formatMaintenanceNote('deploy 42\nsecond line', 'alice', at);
  assert.equal(text, 'reason: deploy 42 second line\nby: alice\nat: 2026-12-04T12:30:00.000Z\n');
  assert.deepEqual(parseMaintenanceNote(text), { reason: 'deploy 42 second line', by: 'alice', at: '2026-12-04T12:30:00.000Z' });
  assert.deepEqual(parseMaintenanceNote(formatMaintenanceNote('', null, at)), { reason: '', by: null, at: '2026-12-04T12:30:00.000Z' });
});

test("a service's note is its own file's, else the host's; none when it is not in maintenance", () => {
  const m = maintenanceFromFiles([['all', 'rack move'], ['web', 'reason: deploy 42'], ['db', null], ['.web.tmp', 'ignored']]);
  assert.equal(m.host, true);
  assert.deepEqual([...m.services].sort(), ['db', 'web']);
  assert.equal(maintenanceNoteOf(m, 'web')?.reason, 'deploy 42');
  assert.deepEqual(maintenanceNoteOf(m, 'db'), NO_NOTE, 'a file that could not be read still counts, without a reason');
  assert.equal(maintenanceNoteOf(m, 'cache')?.reason, 'rack move');
  assert.equal(hostMaintenanceNote(m)?.reason, 'rack move');
  const one = maintenanceFromFiles([['web', 'deploy']]);
  assert.equal(maintenanceNoteOf(one, 'db'), null);
  assert.equal(hostMaintenanceNote(one), null);
  assert.equal(maintenanceNoteOf(maintenanceFromNames(['web']), 'web'), NO_NOTE, 'names only: in maintenance, no reason');
});

test('a changed reason is a change; the same files in another order are not', () => {
  const a = maintenanceFromFiles([['web', 'deploy 42'], ['db', '']]);
  assert.equal(sameMaintenance(a, maintenanceFromFiles([['db', ''], ['web', 'deploy 42']])), true);
  assert.equal(sameMaintenance(a, maintenanceFromFiles([['web', 'deploy 43'], ['db', '']])), false);
  assert.equal(sameMaintenance(a, maintenanceFromFiles([['web', 'reason: deploy 42\nby: bob'], ['db', '']])), false);
  assert.equal(sameMaintenance(maintenanceFromFiles([]), NO_MAINTENANCE), true);
});

test('a note in words', () => {
  assert.equal(describeNote({ reason: 'deploy 42', by: 'alice', at: '2026-12-04T12:30:00.000Z' }), 'deploy 42 (by alice, 2026-12-04T12:30:00.000Z)');
  assert.equal(describeNote({ reason: 'deploy 42', by: null, at: null }), 'deploy 42');
  assert.equal(describeNote(NO_NOTE), 'no reason given');
});
