import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attemptFailureOf, describeAttemptFailure, isTlsFailure, unreachableMessage, type AttemptFailure } from '../../src/shared/zk-unreachable.js';

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

test('TLS failures (--zk-tls) in words: an untrusted, expired or misnamed server certificate, a plain-TCP port, a refused client certificate', () => {
  const table: [AttemptFailure, string][] = [
    [f('zk1:2281', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'), 'zk1:2281: server certificate does not verify against the CA file (another CA, or a self-signed certificate) (UNABLE_TO_VERIFY_LEAF_SIGNATURE)'],
    [f('zk1:2281', 'CERT_HAS_EXPIRED', 'certificate has expired'), 'zk1:2281: server certificate has expired (CERT_HAS_EXPIRED)'],
    [f('zk1:2281', 'ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"), 'zk1:2281: server certificate does not name this host (or turn off the host name check) (ERR_TLS_CERT_ALTNAME_INVALID)'],
    [f('zk1:2181', 'ZKW_TLS_CLOSED', 'closed the connection during the TLS handshake'), 'zk1:2181: closed the connection during the TLS handshake (no TLS version or cipher in common?, a plain-TCP port, or it refused our client certificate)'],
    [f('zk1:2181', 'ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number'), 'zk1:2181: does not speak TLS (a plain-TCP port?) (ERR_SSL_WRONG_VERSION_NUMBER)'],
    [f('zk1:2281', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'alert'), 'zk1:2281: server requires a client certificate (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED)'],
  ];
  for (const [failure, words] of table) {
    assert.equal(describeAttemptFailure(failure), words);
    assert.equal(isTlsFailure(failure), true, failure.code!);
  }
  assert.equal(isTlsFailure(f('zk1:2281', 'ERR_SSL_SOMETHING_NEW', 'x')), true, 'any OpenSSL error is a TLS one');
  assert.equal(describeAttemptFailure(f('zk1:2181', 'ZKW_SOMETHING_ELSE', 'our own words')), 'zk1:2181: our own words', 'a code of our own making is not shown');
  for (const code of ['ECONNREFUSED', 'ECONNRESET', null]) assert.equal(isTlsFailure(f('zk1:2181', code)), false, String(code));
});
