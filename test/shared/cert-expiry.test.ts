import assert from 'node:assert/strict';
import { test } from 'node:test';
import { certExpiryWarning, timeLeft } from '../../src/shared/cert-expiry.js';

const NOW = new Date('2026-12-04T12:00:00Z');
const after = (ms: number) => new Date(NOW.getTime() + ms);
const DAY = 86_400_000;

test('a client certificate that expires within 14 days is worth a warning naming the file and the date; later ones are not', () => {
  const table: [number, string | null][] = [
    [90 * DAY, null],
    [14 * DAY, null],
    [14 * DAY - 60_000, '--zk-tls-cert /etc/zk/tls/agent.pem: our client certificate for ZooKeeper expires on 2026-12-18T11:59:00.000Z (in 13 days): renew it and reload (SIGHUP); once it has expired, the servers refuse every connection'],
    [2 * DAY, '--zk-tls-cert /etc/zk/tls/agent.pem: our client certificate for ZooKeeper expires on 2026-12-06T12:00:00.000Z (in 2 days): renew it and reload (SIGHUP); once it has expired, the servers refuse every connection'],
    [5 * 3_600_000, '--zk-tls-cert /etc/zk/tls/agent.pem: our client certificate for ZooKeeper expires on 2026-12-04T17:00:00.000Z (in 5 h): renew it and reload (SIGHUP); once it has expired, the servers refuse every connection'],
  ];
  for (const [left, want] of table) assert.equal(certExpiryWarning('--zk-tls-cert /etc/zk/tls/agent.pem', after(left), NOW), want, `${left} ms left`);
  assert.match(certExpiryWarning('ZK_TLS_CERT /tls/c.pem', after(DAY), NOW, 30)!, /^ZK_TLS_CERT \/tls\/c\.pem: .* \(in 24 h\)/);
  assert.equal(certExpiryWarning('x', after(20 * DAY), NOW, 30) === null, false, 'the threshold is a parameter');
});

test('time left in the largest unit that is at least 1 (2 days and more in days)', () => {
  const table: [number, string][] = [
    [30 * DAY + 5, '30 days'],
    [2 * DAY, '2 days'],
    [2 * DAY - 1, '47 h'],
    [3_600_000, '1 h'],
    [3_599_999, '59 min'],
    [0, '0 min'],
    [-5, '0 min'],
  ];
  for (const [ms, want] of table) assert.equal(timeLeft(ms), want, String(ms));
});
