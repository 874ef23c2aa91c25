import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inMaintenance, maintenanceFromNames, NO_MAINTENANCE, sameMaintenance, wantRegistered } from '../../src/shared/maintenance.js';

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
