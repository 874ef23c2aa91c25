import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextRegistration, type Registration, type RegistrationEvent } from '../../src/shared/registration.js';

test('registered only by a confirmation; lost contact makes it unconfirmed, and only ZooKeeper settles it again', () => {
  const table: Array<[Registration, RegistrationEvent, Registration]> = [
    ['absent', 'confirmed', 'registered'],
    ['unconfirmed', 'confirmed', 'registered'],
    ['registered', 'confirmed', 'registered'],
    ['registered', 'contact_lost', 'unconfirmed'],
    ['unconfirmed', 'contact_lost', 'unconfirmed'],
    ['absent', 'contact_lost', 'absent'],
    ['registered', 'gone', 'absent'],
    ['unconfirmed', 'gone', 'absent'],
    ['absent', 'outcome_unknown', 'unconfirmed'],
    ['registered', 'outcome_unknown', 'unconfirmed'],
  ];
  for (const [from, event, to] of table) assert.equal(nextRegistration(from, event), to, `${from} --${event}--> ${to}`);
});
