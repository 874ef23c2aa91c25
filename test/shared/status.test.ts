import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blot } from '../../src/shared/secrets.js';
import { age, oneLine, parseStatusDocument, statusDocument, statusTable, type AgentFacts } from '../../src/shared/status.js';

const T0 = Date.parse('2026-01-02T03:04:05.000Z');

function facts(): AgentFacts {
  return {
    version: '9.9.9',
    pid: 4242,
    sessionState: 'connected',
    sessionId: '0100abcdef000001',
    startedAt: T0,
    now: T0 + 125_000,
    hostMaintenance: false,
    maintenanceDir: '/m',
    services: [
      { name: 'web', path: '/s/web/h:80', healthy: true, registration: 'registered', maintenance: false, healthSince: T0 + 1000, lastResult: { passed: true, reason: 'exit 0', durationMs: 12.4, at: T0 + 120_000, outputTail: 'starting\nall good, pw=hunter22\n' } },
      { name: 'db', path: '/s/db/h:5432', healthy: false, registration: 'absent', maintenance: true, healthSince: T0 + 2000, lastResult: { passed: false, reason: 'exit 3', durationMs: 3, at: T0 + 121_000, outputTail: '' } },
      { name: 'new', path: '/s/new/h:1', healthy: null, registration: 'absent', maintenance: false, healthSince: T0, lastResult: null },
      { name: 'cut', path: '/s/cut/h:2', healthy: true, registration: 'unconfirmed', maintenance: false, healthSince: T0, lastResult: null },
    ],
  };
}

test('the status document: ISO times, uptime, per-service fields, and the secret blotted out of check text', () => {
  const doc = statusDocument(facts(), 'hunter22');
  assert.equal(doc.agent.uptimeSeconds, 125);
  assert.equal(doc.agent.startedAt, '2026-01-02T03:04:05.000Z');
  assert.equal(doc.agent.sessionId, '0100abcdef000001');
  const [web, db, fresh, cut] = doc.services;
  assert.deepEqual(web, {
    name: 'web',
    healthy: true,
    registered: true,
    registration: 'registered',
    maintenance: false,
    maintenanceNote: null,
    path: '/s/web/h:80',
    since: '2026-01-02T03:04:06.000Z',
    lastResult: { passed: true, reason: 'exit 0', durationMs: 12, at: '2026-01-02T03:06:05.000Z' },
    outputTail: 'starting\nall good, pw=[redacted]\n',
  });
  assert.equal(db!.maintenance, true);
  assert.equal(db!.lastResult!.passed, false);
  assert.equal(fresh!.healthy, null);
  assert.equal(fresh!.lastResult, null);
  assert.equal(fresh!.outputTail, '');
  assert.equal(fresh!.registered, false);
  assert.equal(fresh!.registration, 'absent');
  // Contact lost: never "registered", whatever the node did meanwhile.
  assert.equal(cut!.registered, false);
  assert.equal(cut!.registration, 'unconfirmed');
  assert.ok(!JSON.stringify(doc).includes('hunter22'));
});

test('blot leaves text alone without a secret', () => {
  assert.equal(blot('a b a', null), 'a b a');
  assert.equal(blot('a b a', ''), 'a b a');
  assert.equal(blot('xaby aby', 'aby'), 'x[redacted] [redacted]');
});

test('the table: one row per service with health, registration, last result, age and the last output line', () => {
  const doc = statusDocument(facts(), 'hunter22');
  const lines = statusTable(doc, T0 + 125_000).trimEnd().split('\n');
  assert.equal(lines[0], 'zk-watcher 9.9.9, pid 4242, up 2m5s; session connected (0x0100abcdef000001); host maintenance off');
  assert.match(lines[1]!, /^SERVICE\s+HEALTH\s+REGISTERED\s+LAST RESULT\s+SINCE\s+OUTPUT$/);
  assert.match(lines[2]!, /^web\s+healthy\s+yes\s+pass 12ms exit 0\s+2m4s\s+all good, pw=\[redacted\]$/);
  assert.match(lines[3]!, /^db\s+unhealthy \(maint\)\s+no\s+fail 3ms exit 3\s+2m3s$/);
  assert.match(lines[4]!, /^new\s+unknown\s+no\s+-\s+2m5s$/);
  assert.match(lines[5]!, /^cut\s+healthy\s+unconfirmed\s+-\s+2m5s$/);
  assert.equal(lines.length, 6);
});

test('age and oneLine', () => {
  const iso = new Date(T0).toISOString();
  assert.equal(age(iso, T0 + 59_000), '59s');
  assert.equal(age(iso, T0 + 3_600_000 + 120_000), '1h2m');
  assert.equal(age(iso, T0 + 50 * 3_600_000), '2d2h');
  assert.equal(age(iso, T0 - 5000), '0s');
  assert.equal(oneLine('a\nb\n\n', 10), 'b');
  assert.equal(oneLine('0123456789abc', 10), '012345678…');
  assert.equal(oneLine('tab\there\x1b[0m', 20), 'tab here [0m');
  assert.equal(oneLine('', 10), '');
});

test('parseStatusDocument accepts a document and names what else it got', () => {
  const doc = statusDocument(facts(), null);
  assert.deepEqual(parseStatusDocument(JSON.stringify(doc)), doc);
  assert.equal(parseStatusDocument('<html>'), 'the answer is not JSON');
  assert.equal(parseStatusDocument('{"services":[]}'), 'the answer is not a zk-watcher status document');
  assert.equal(parseStatusDocument('null'), 'the answer is not a zk-watcher status document');
});
