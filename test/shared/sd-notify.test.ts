import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  notifyMessage,
  notifyTarget,
  pendingConvergence,
  READY_DEADLINE_MS,
  READY_WITHOUT_ZOOKEEPER_MS,
  readiness,
  statusLine,
  watchdogIntervalMs,
  type ServiceView,
  type SessionView,
} from '../../src/shared/sd-notify.js';

const up: ServiceView = { checked: true, healthy: true, registration: 'registered' };
const down: ServiceView = { checked: true, healthy: false, registration: 'absent' };
const unchecked: ServiceView = { checked: false, healthy: null, registration: 'absent' };
const healthyNotYetRegistered: ServiceView = { checked: true, healthy: true, registration: 'absent' };
const unhealthyStillRegistered: ServiceView = { checked: true, healthy: false, registration: 'registered' };
const connected: SessionView = { state: 'connected', unreachableForMs: 0, timeoutMs: 10_000 };

test('NOTIFY_SOCKET: unset, a path, an abstract name, and what is refused', () => {
  assert.deepEqual(notifyTarget({}), { kind: 'none' });
  assert.deepEqual(notifyTarget({ NOTIFY_SOCKET: '' }), { kind: 'none' });
  assert.deepEqual(notifyTarget({ NOTIFY_SOCKET: '/run/systemd/notify' }), { kind: 'socket', address: '/run/systemd/notify' });
  assert.deepEqual(notifyTarget({ NOTIFY_SOCKET: '@/org/freedesktop/systemd1/notify/123' }), { kind: 'socket', address: '@/org/freedesktop/systemd1/notify/123' });
  const relative = notifyTarget({ NOTIFY_SOCKET: 'run/notify' });
  assert.equal(relative.kind, 'invalid');
  assert.match(relative.kind === 'invalid' ? relative.problem : '', /NOTIFY_SOCKET 'run\/notify' is neither an absolute path nor an @abstract name/);
  const long = notifyTarget({ NOTIFY_SOCKET: '/' + 'x'.repeat(107) });
  assert.equal(long.kind, 'invalid');
  assert.equal(notifyTarget({ NOTIFY_SOCKET: '/' + 'x'.repeat(106) }).kind, 'socket');
});

test('the watchdog is fed at half of WATCHDOG_USEC, only for our own pid', () => {
  assert.equal(watchdogIntervalMs({}, 42), null);
  assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '30000000' }, 42), 15_000);
  assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '1000000', WATCHDOG_PID: '42' }, 42), 500);
  assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '1000000', WATCHDOG_PID: '43' }, 42), null);
  assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '1000000', WATCHDOG_PID: '' }, 42), 500);
  assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '0' }, 42), null);
  assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: 'soon' }, 42), null);
  assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '1' }, 42), 1, 'a tiny watchdog still gets a positive interval');
});

test('ready once every service has a first result and its registration settled', () => {
  assert.equal(pendingConvergence([]), null, 'no services: nothing to wait for');
  assert.equal(pendingConvergence([up, down]), null);
  assert.equal(pendingConvergence([up, unchecked, unchecked]), 'waiting for the first check result of 2 of 3 services');
  assert.equal(pendingConvergence([up, healthyNotYetRegistered]), 'waiting for ZooKeeper to confirm 1 of 2 registrations');
  assert.equal(pendingConvergence([unhealthyStillRegistered]), 'waiting for ZooKeeper to confirm 1 of 1 registrations');
  assert.equal(readiness([up, down], 0, connected), 'converged');
  assert.equal(readiness([healthyNotYetRegistered], READY_DEADLINE_MS - 1, connected), null);
  assert.equal(readiness([healthyNotYetRegistered], READY_DEADLINE_MS, connected), 'deadline', 'the deadline makes it ready anyway');
});

test('without ZooKeeper, ready once every check has answered and no server has for a while, so a boot during an outage still starts', () => {
  const noServer = (ms: number): SessionView => ({ state: 'connecting', unreachableForMs: ms, timeoutMs: 10_000 });
  assert.equal(readiness([healthyNotYetRegistered, down], READY_WITHOUT_ZOOKEEPER_MS, noServer(READY_WITHOUT_ZOOKEEPER_MS)), 'zookeeper_unreachable');
  assert.equal(readiness([healthyNotYetRegistered], 60_000 - 1, noServer(READY_WITHOUT_ZOOKEEPER_MS - 1)), null, 'a server slow to answer is waited for');
  assert.equal(readiness([healthyNotYetRegistered, unchecked], 30_000, noServer(30_000)), null, 'a check that has not answered yet is waited for');
  assert.equal(readiness([healthyNotYetRegistered], 30_000, { state: 'connected', unreachableForMs: 0, timeoutMs: 10_000 }), null, 'connected: wait for the registrations themselves');
  assert.equal(readiness([healthyNotYetRegistered], 30_000, { state: 'disconnected', unreachableForMs: 12_000, timeoutMs: 10_000 }), 'zookeeper_unreachable');
});

test('STATUS= reads as a sentence a person can act on', () => {
  assert.equal(statusLine([up, up, down], connected, true), '3 services, 2 healthy, 2 registered; ZooKeeper connected');
  assert.equal(statusLine([up], connected, true), '1 service, 1 healthy, 1 registered; ZooKeeper connected');
  assert.equal(
    statusLine([up, unchecked], { state: 'connecting', unreachableForMs: 3_400, timeoutMs: 10_000 }, false),
    'starting: waiting for the first check result of 1 of 2 services; 2 services, 1 healthy, 1 registered; ZooKeeper connecting (no server for 3 s)',
  );
  assert.equal(
    statusLine([healthyNotYetRegistered], { state: 'disconnected', unreachableForMs: 500, timeoutMs: 10_000 }, true),
    '1 service, 1 healthy, 0 registered; ZooKeeper disconnected',
    'once ready, no start-up words even if a registration is pending',
  );
  const cut: ServiceView = { checked: true, healthy: true, registration: 'unconfirmed' };
  assert.equal(
    statusLine([up, cut, cut], { state: 'disconnected', unreachableForMs: 2_000, timeoutMs: 10_000 }, true),
    '3 services, 3 healthy, 1 registered, 2 unconfirmed; ZooKeeper disconnected (no server for 2 s)',
  );
});

test('a message stays on one line: the helper sends a line per datagram', () => {
  assert.equal(notifyMessage('STATUS', 'a\nb\r\nc'), 'STATUS=a b c');
  assert.equal(notifyMessage('READY', '1'), 'READY=1');
});

test('STATUS= says what is in maintenance and why', () => {
  const maint = (reason: string, registration: ServiceView['registration'] = 'absent'): ServiceView => ({ checked: true, healthy: true, registration, maintenance: true, maintenanceReason: reason });
  const table: [ServiceView[], string | null, string][] = [
    [[up, up, up, maint('deploy 42'), maint('deploy 42')], null, '5 services, 5 healthy, 3 registered, 2 in maintenance (deploy 42); ZooKeeper connected'],
    [[up, maint('')], null, '2 services, 2 healthy, 1 registered, 1 in maintenance; ZooKeeper connected'],
    [[maint('deploy 42'), maint('kernel'), maint('disk')], null, '3 services, 3 healthy, 0 registered, 3 in maintenance (deploy 42; 2 more reasons); ZooKeeper connected'],
    [[maint('deploy 42'), maint('')], null, '2 services, 2 healthy, 0 registered, 2 in maintenance (deploy 42); ZooKeeper connected'],
    [[maint('rack move'), maint('rack move')], 'rack move', '2 services, 2 healthy, 0 registered; host in maintenance (rack move); ZooKeeper connected'],
    [[maint(''), maint('')], '', '2 services, 2 healthy, 0 registered; host in maintenance; ZooKeeper connected'],
    [[maint('x'.repeat(100))], null, `1 service, 1 healthy, 0 registered, 1 in maintenance (${'x'.repeat(59)}…); ZooKeeper connected`],
  ];
  for (const [services, host, line] of table) assert.equal(statusLine(services, connected, true, host), line);
});

test('a healthy service in maintenance is settled unregistered: a host booting in maintenance is ready at once', () => {
  const inMaint: ServiceView = { checked: true, healthy: true, registration: 'absent', maintenance: true, maintenanceReason: '' };
  const inMaintStillRegistered: ServiceView = { ...inMaint, registration: 'registered' };
  assert.equal(pendingConvergence([inMaint, up]), null);
  assert.equal(readiness([inMaint, inMaint], 0, connected), 'converged');
  assert.equal(pendingConvergence([inMaintStillRegistered]), 'waiting for ZooKeeper to confirm 1 of 1 registrations');
});
