import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blot } from '../../src/shared/secrets.js';
import { age, oneLine, parseStatusDocument, statusDocument, statusTable, statusVerdict, type AgentFacts, type ServiceFacts } from '../../src/shared/status.js';

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

test('the table: one row per service with its znode, health, registration, last result, age and the last output line', () => {
  const doc = statusDocument(facts(), 'hunter22');
  const lines = statusTable(doc, T0 + 125_000).trimEnd().split('\n');
  assert.equal(lines[0], 'zk-watcher 9.9.9, pid 4242, up 2m5s; session connected (0x0100abcdef000001); host maintenance off');
  assert.match(lines[1]!, /^SERVICE\s+ZNODE\s+HEALTH\s+REGISTERED\s+LAST RESULT\s+SINCE\s+OUTPUT$/);
  assert.match(lines[2]!, /^web\s+\/s\/web\/h:80\s+healthy\s+yes\s+pass 12ms exit 0\s+2m4s\s+all good, pw=\[redacted\]$/);
  assert.match(lines[3]!, /^db\s+\/s\/db\/h:5432\s+unhealthy \(maint\)\s+no\s+fail 3ms exit 3\s+2m3s$/);
  assert.match(lines[4]!, /^new\s+\/s\/new\/h:1\s+unknown\s+no\s+-\s+2m5s$/);
  assert.match(lines[5]!, /^cut\s+\/s\/cut\/h:2\s+healthy\s+unconfirmed\s+-\s+2m5s$/);
  // The columns line up: each row's znode starts where the header's ZNODE does.
  const at = lines[1]!.indexOf('ZNODE');
  for (const line of lines.slice(2)) assert.equal(line.indexOf('/s/'), at, line);
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

test('the status document shows when our client certificate for ZooKeeper expires, only with one', () => {
  assert.equal(statusDocument({ ...facts(), zkTlsClientCertValidTo: T0 + 86_400_000 }, null).agent.zkTlsClientCertValidTo, '2026-01-03T03:04:05.000Z');
  assert.ok(!('zkTlsClientCertValidTo' in statusDocument({ ...facts(), zkTlsClientCertValidTo: null }, null).agent));
  assert.ok(!('zkTlsClientCertValidTo' in statusDocument(facts(), null).agent));
  const identity = statusDocument({ ...facts(), zkTlsIdentity: { subject: 'CN=web-01,O=Example', pinned: true } }, null).agent;
  assert.deepEqual([identity.zkTlsSubject, identity.zkTlsSubjectPinned], ['CN=web-01,O=Example', true]);
  assert.ok(!('zkTlsSubject' in statusDocument(facts(), null).agent), 'no subject without a client certificate');
});

test('parseStatusDocument accepts a document and names what else it got', () => {
  const doc = statusDocument(facts(), null);
  assert.deepEqual(parseStatusDocument(JSON.stringify(doc)), doc);
  assert.equal(parseStatusDocument('<html>'), 'the answer is not JSON');
  assert.equal(parseStatusDocument('{"services":[]}'), 'the answer is not a zk-watcher status document');
  assert.equal(parseStatusDocument('null'), 'the answer is not a zk-watcher status document');
});

test('the verdict: 0 all well, 3 not connected (whatever the services), 4 a healthy service outside maintenance not registered', () => {
  const svc = (name: string, healthy: boolean | null, registration: ServiceFacts['registration'], maintenance = false): ServiceFacts => ({
    name, path: `/s/${name}/h:1`, healthy, registration, maintenance, healthSince: T0, lastResult: null,
  });
  const verdict = (sessionState: string, services: ServiceFacts[], hostMaintenance = false) =>
    statusVerdict(statusDocument({ ...facts(), sessionState, hostMaintenance, services }, null));
  const table: [string, ReturnType<typeof verdict>, { code: number; problem: string | null }][] = [
    ['connected, all registered', verdict('connected', [svc('a', true, 'registered'), svc('b', true, 'registered')]), { code: 0, problem: null }],
    ['connected, nothing configured', verdict('connected', []), { code: 0, problem: null }],
    ['unhealthy, unknown and maintenance services need no node', verdict('connected', [svc('a', false, 'absent'), svc('b', null, 'absent'), svc('c', true, 'absent', true)]), { code: 0, problem: null }],
    ['host maintenance covers every service', verdict('connected', [svc('a', true, 'absent')], true), { code: 0, problem: null }],
    ['disconnected', verdict('disconnected', [svc('a', true, 'unconfirmed')]), { code: 3, problem: "the agent's ZooKeeper session is not connected (disconnected)" }],
    ['connecting, nothing registered', verdict('connecting', [svc('a', true, 'absent')]), { code: 3, problem: "the agent's ZooKeeper session is not connected (connecting)" }],
    ['not connected comes first even with nothing to register', verdict('connecting', []), { code: 3, problem: "the agent's ZooKeeper session is not connected (connecting)" }],
    ['one healthy, absent', verdict('connected', [svc('a', true, 'registered'), svc('b', true, 'absent')]), { code: 4, problem: '1 healthy service is not registered (not in maintenance): b' }],
    ['unconfirmed while connected is not registered yet', verdict('connected', [svc('a', true, 'unconfirmed')]), { code: 4, problem: '1 healthy service is not registered (not in maintenance): a' }],
    [
      'many: five names and a count',
      verdict('connected', ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((n) => svc(n, true, 'absent'))),
      { code: 4, problem: '7 healthy services are not registered (not in maintenance): a, b, c, d, e and 2 more' },
    ],
  ];
  for (const [what, got, want] of table) assert.deepEqual(got, want, what);
});
