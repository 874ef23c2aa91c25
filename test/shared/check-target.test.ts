import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTcpTarget, httpUrlProblem, parseTcpTarget, redactUrl } from '../../src/shared/check-target.js';

const GOOD_TCP: [string, { host: string; port: number }][] = [
  ['localhost:80', { host: 'localhost', port: 80 }],
  ['db-1.example.com:5432', { host: 'db-1.example.com', port: 5432 }],
  ['db.example.com.:1', { host: 'db.example.com.', port: 1 }],
  ['svc_internal:8080', { host: 'svc_internal', port: 8080 }],
  ['127.0.0.1:65535', { host: '127.0.0.1', port: 65535 }],
  ['0.0.0.0:22', { host: '0.0.0.0', port: 22 }],
  ['[::1]:6379', { host: '::1', port: 6379 }],
  ['[2001:db8::1]:443', { host: '2001:db8::1', port: 443 }],
  ['[::ffff:10.0.0.1]:80', { host: '::ffff:10.0.0.1', port: 80 }],
];

for (const [text, target] of GOOD_TCP) {
  test(`tcp target '${text}' parses to host and port and prints back as written`, () => {
    assert.deepEqual(parseTcpTarget(text), target);
    assert.equal(formatTcpTarget(target), text);
  });
}

// Each bad target: a fragment the reason must contain.
const BAD_TCP: [string, string][] = [
  ['localhost', 'has no port'],
  ['localhost:', "port must be a whole number from 1 to 65535, got ''"],
  ['localhost:0', "got '0'"],
  ['localhost:70000', "got '70000'"],
  ['localhost:http', "got 'http'"],
  ['localhost:-1', "got '-1'"],
  ['localhost:80.5', "got '80.5'"],
  [':80', 'has no host'],
  ['a b:80', "host 'a b' is not a host name"],
  ['bad..name:80', "host 'bad..name' is not a host name"],
  ['-lead.example:80', "host '-lead.example' is not a host name"],
  ['1.2.3:80', "host '1.2.3' is not an IPv4 address"],
  ['256.1.1.1:80', "host '256.1.1.1' is not an IPv4 address"],
  ['010.0.0.1:80', "host '010.0.0.1' is not an IPv4 address"],
  ['::1:80', 'IPv6 address without brackets'],
  ['[::1]', 'has no port: write [IPv6]:PORT'],
  ['[::1]:0', "got '0'"],
  ['[::1]80', 'must be [IPv6]:PORT'],
  ['[::1', 'must be [IPv6]:PORT'],
  ['[zz::1]:80', "'zz::1' in brackets, which is not an IPv6 address"],
  ['[1.2.3.4]:80', 'not an IPv6 address'],
  ['[fe80::1%eth0]:80', 'not an IPv6 address'],
  ['[]:80', 'not an IPv6 address'],
];

for (const [text, fragment] of BAD_TCP) {
  test(`tcp target '${text}' is refused with a reason`, () => {
    const r = parseTcpTarget(text);
    assert.equal(typeof r, 'string', `parsed as ${JSON.stringify(r)}`);
    assert.ok((r as string).includes(fragment), `"${r as string}" should contain "${fragment}"`);
  });
}

test('http URLs with a host and the http or https scheme are fine', () => {
  for (const url of ['http://localhost/', 'https://example.com:8443/health?deep=1', 'http://127.0.0.1:8080', 'http://[::1]:80/x', 'http://user:pw@h/', 'HTTP://H/']) {
    assert.equal(httpUrlProblem(url), null, url);
  }
});

const BAD_HTTP: [string, string][] = [
  ['ftp://example.com/', "'ftp://example.com/' must start with http:// or https://"],
  ['example.com/health', 'must start with http:// or https://'],
  ['http:example.com', 'must start with http:// or https://'],
  ['http://', "'http://' is not a valid URL"],
  ['http://exa mple.com/', 'contains whitespace'],
  ['http://[::1/', 'is not a valid URL'],
  ['http://h:99999/', 'is not a valid URL'],
];

for (const [url, fragment] of BAD_HTTP) {
  test(`http URL '${url}' is refused with a reason`, () => {
    const r = httpUrlProblem(url);
    assert.ok(r?.includes(fragment), `"${r}" should contain "${fragment}"`);
  });
}

test('a refused http URL is quoted without its password', () => {
  const r = httpUrlProblem('ftp://admin:hunter2@example.com/');
  assert.ok(r !== null && !r.includes('hunter2') && r.includes('admin:***@'), r ?? 'null');
  const unparsable = httpUrlProblem('http://admin:hunter2@exa mple.com/');
  assert.ok(unparsable !== null && !unparsable.includes('hunter2'), unparsable ?? 'null');
});

test('redactUrl replaces the password with *** and leaves everything else as written', () => {
  assert.equal(redactUrl('http://admin:hunter2@example.com:8080/health?x=1'), 'http://admin:***@example.com:8080/health?x=1');
  assert.equal(redactUrl('https://:token@example.com/'), 'https://:***@example.com/');
  assert.equal(redactUrl('http://u:p:q@h/'), 'http://u:***@h/');
  assert.equal(redactUrl('http://user@example.com/'), 'http://user@example.com/');
  assert.equal(redactUrl('http://example.com'), 'http://example.com', 'no password: not even normalised');
  assert.equal(redactUrl('http://admin:s3cr3t@bad host/'), 'http://admin:***@bad host/', 'not a URL: still redacted');
  assert.equal(redactUrl('not a url'), 'not a url');
});
