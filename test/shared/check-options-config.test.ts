// The check-kind option keys as the config loader reads them: values, and every refusal at
// FILE:LINE naming the key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeEscapes, parseStatusList } from '../../src/shared/check-options.js';
import { checkOptionFields } from '../../src/shared/check-options-print.js';
import { buildConfig } from '../../src/shared/config.js';
import { formatProblem } from '../../src/shared/problems.js';

/** A section whose first lines are `keys` (line 2 onwards). */
const section = (keys: string): string => `[web]\n${keys}refresh: 1\nservice_port: 80\nzookeeper_path: /services/web\n`;
const build = (text: string) => buildConfig([{ file: 'test.cfg', text }]);
const shown = (text: string): string[] => build(text).problems.map(formatProblem);

test('every option is read into the spec, as the worker gets it', () => {
  const { config, problems } = build(
    section(
      [
        'http: https://10.0.0.5:8443/health',
        'http_method: post',
        'http_headers: Host: web.example.com',
        '  Authorization: Bearer t0ken',
        'http_body: {"deep": true}',
        'http_status: 200-299, 301, 5xx',
        'http_expect: "ok"',
        'http_expect_regex: ^ok$',
        'http_follow_redirects: yes',
        'tcp: 10.0.0.5:6379',
        'tcp_send: PING\\r\\n',
        'tcp_expect: +PONG',
        'tcp_tls: true',
        'grpc: [::1]:50051',
        'grpc_service: web.Health',
        'grpc_tls: on',
        'tls_ca: /etc/ssl/internal-ca.pem',
        'tls_server_name: web.example.com',
        '',
      ].join('\n'),
    ),
  );
  assert.deepEqual(problems, []);
  const s = config!.services[0]!;
  assert.deepEqual(s.httpOptions, {
    method: 'POST',
    headers: [['Host', 'web.example.com'], ['Authorization', 'Bearer t0ken']],
    body: '{"deep": true}',
    status: [[200, 299], [301, 301], [500, 599]],
    expect: '"ok"',
    expectRegex: '^ok$',
    followRedirects: true,
  });
  assert.deepEqual(s.tcpOptions, { send: 'PING\\r\\n', expect: '+PONG', tls: true });
  assert.deepEqual(s.grpc, { target: { host: '::1', port: 50051 }, service: 'web.Health', tls: true });
  assert.deepEqual(s.tls, { ca: '/etc/ssl/internal-ca.pem', serverName: 'web.example.com', skipVerify: false });
  assert.equal(s.source.tlsCaLine, 18, 'where tls_ca is, for the loader\'s error about the file');
});

test('without options: a GET passing on 2xx, a bare connect, no grpc and no TLS settings', () => {
  const s = build(section('http: http://h/\ntcp: h:1\n')).config!.services[0]!;
  assert.deepEqual(s.httpOptions, { method: 'GET', headers: [], body: null, status: [[200, 299]], expect: null, expectRegex: null, followRedirects: false });
  assert.deepEqual(s.tcpOptions, { send: null, expect: null, tls: false });
  assert.equal(s.grpc, undefined);
  assert.equal(s.tls, undefined);
  assert.equal(build(section('grpc: h:50051\n')).config!.services[0]!.grpc?.service, '', 'grpc alone is a check; its service defaults to the whole server');
});

const REFUSED: [string, string, string][] = [
  ['an http option without http', 'cmd: true\nhttp_expect: ok\n', "test.cfg:3: [web] http_expect applies to an http check, and this section has none (key: http_expect)"],
  ['a tcp option without tcp', 'cmd: true\ntcp_send: PING\n', 'test.cfg:3: [web] tcp_send applies to a tcp check, and this section has none (key: tcp_send)'],
  ['a grpc option without grpc', 'cmd: true\ngrpc_service: x\n', 'test.cfg:3: [web] grpc_service applies to a grpc check, and this section has none (key: grpc_service)'],
  ['a TLS option without TLS', 'http: http://h/\ntls_ca: /ca.pem\n', 'test.cfg:3: [web] tls_ca applies to an https:// URL, tcp_tls or grpc_tls, and this section has none (key: tls_ca)'],
  ['an unknown method', 'http: http://h/\nhttp_method: FETCH\n', "test.cfg:3: [web] http_method must be one of GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH, got 'FETCH' (key: http_method)"],
  ['a status below 100', 'http: http://h/\nhttp_status: 99\n', "test.cfg:3: [web] http_status '99' is not a status code (100-599), a range like 200-299, or 2xx (key: http_status)"],
  ['a status above 599', 'http: http://h/\nhttp_status: 200, 600\n', "test.cfg:3: [web] http_status '600' is outside the status codes 100-599 (key: http_status)"],
  ['a range backwards', 'http: http://h/\nhttp_status: 299-200\n', "test.cfg:3: [web] http_status '299-200' is a range whose end is below its start (key: http_status)"],
  ['an empty status list', 'http: http://h/\nhttp_status: ,\n', 'test.cfg:3: [web] http_status is empty: write codes or ranges such as 200-299, 301 (key: http_status)'],
  ['a header line without a colon', 'http: http://h/\nhttp_headers: Host web\n', "test.cfg:3: [web] http_headers line 'Host web' is not 'Name: value' (write one header per line, continuation lines indented) (key: http_headers)"],
  ['a header the check sets itself', 'http: http://h/\nhttp_headers: Connection: keep-alive\n', 'test.cfg:3: [web] http_headers cannot set Connection: the check sets it from the request it makes (a fresh connection, closed after the answer) (key: http_headers)'],
  ['Host twice', 'http: http://h/\nhttp_headers: Host: a\n  host: b\n', 'test.cfg:3: [web] http_headers has Host twice (key: http_headers)'],
  ['a header value an HTTP request cannot carry (beyond Latin-1)', 'http: http://h/\nhttp_headers: X-Team: caf\u20ac\n', "test.cfg:3: [web] http_headers header X-Team has '\u20ac', which a request header cannot carry (only Latin-1 text) (key: http_headers)"],
  ['a header name with a space', 'http: http://h/\nhttp_headers: X Y: 1\n', "test.cfg:3: [web] http_headers 'X Y' is not a header name (letters, digits and - only, in practice) (key: http_headers)"],
  ['a regular expression that does not compile', 'http: http://h/\nhttp_expect_regex: (ok\n', 'test.cfg:3: [web] http_expect_regex is not a valid JavaScript regular expression: Invalid regular expression: /(ok/m: Unterminated group (key: http_expect_regex)'],
  ['a body with HEAD', 'http: http://h/\nhttp_method: HEAD\nhttp_body: x\n', 'test.cfg:4: [web] http_body cannot go with http_method HEAD (key: http_body)'],
  ['an expected body with HEAD', 'http: http://h/\nhttp_method: HEAD\nhttp_expect: ok\n', 'test.cfg:4: [web] http_expect cannot go with http_method HEAD: a HEAD answer has no body (key: http_expect)'],
  ['an empty http_expect', 'http: http://h/\nhttp_expect:\n', 'test.cfg:3: [web] http_expect is empty (key: http_expect)'],
  ['redirects neither yes nor no', 'http: http://h/\nhttp_follow_redirects: maybe\n', "test.cfg:3: [web] http_follow_redirects must be yes or no (or true/false, on/off, 1/0), got 'maybe' (key: http_follow_redirects)"],
  ['a relative CA path', 'http: https://h/\ntls_ca: ca.pem\n', "test.cfg:3: [web] tls_ca must be an absolute path, got 'ca.pem' (key: tls_ca)"],
  ['an address as server name', 'http: https://h/\ntls_server_name: 10.0.0.1\n', "test.cfg:3: [web] tls_server_name must be a host name, not an address, got '10.0.0.1' (a certificate's IP address is verified when the target is that address) (key: tls_server_name)"],
  ['a bad escape in tcp_send', 'tcp: h:1\ntcp_send: PING\\q\n', "test.cfg:3: [web] tcp_send has '\\q', which is not an escape: write \\r, \\n, \\t, \\0, \\\\ or \\xHH (key: tcp_send)"],
  ['tcp_tls neither yes nor no', 'tcp: h:1\ntcp_tls: sure\n', "test.cfg:3: [web] tcp_tls must be yes or no (or true/false, on/off, 1/0), got 'sure' (key: tcp_tls)"],
  ['grpc without a port', 'grpc: h\n', "test.cfg:2: [web] grpc 'h' has no port: write HOST:PORT, or [IPv6]:PORT (key: grpc)"],
  ['an empty grpc', 'grpc:\n', 'test.cfg:2: [web] grpc is empty (key: grpc)'],
];

for (const [what, keys, message] of REFUSED) {
  test(`refused at FILE:LINE naming the key: ${what}`, () => {
    const text = section(keys);
    assert.equal(build(text).config, null);
    assert.deepEqual(shown(text), [message]);
  });
}

test('warnings: a body with GET, a CA that skip_verify makes unused; the config stays usable', () => {
  const text = section('http: https://h/\nhttp_body: x\ntls_ca: /ca.pem\ntls_skip_verify: yes\n');
  assert.ok(build(text).config);
  assert.deepEqual(shown(text), [
    'test.cfg:3: warning: [web] http_body is sent with a GET, which most servers ignore; did you mean http_method: POST? (key: http_body)',
    "test.cfg:4: warning: [web] tls_ca '/ca.pem' is not used: tls_skip_verify is on, so no certificate is verified (key: tls_ca)",
  ]);
  assert.equal(build(text).config!.services[0]!.source.tlsCaLine, undefined, 'an unused CA file is not checked at load');
});

test('[DEFAULT] options apply where their kind is, and are ignored elsewhere', () => {
  const text = `[DEFAULT]\nhttp_expect: ok\ntls_skip_verify: yes\n${section('cmd: true\n')}[api]\nhttp: https://h/\nrefresh: 1\nservice_port: 81\nzookeeper_path: /services/api\n`;
  const { config, problems } = build(text);
  assert.deepEqual(problems, []);
  const [web, api] = config!.services;
  assert.deepEqual([web!.httpOptions, web!.tls], [undefined, undefined]);
  assert.deepEqual([api!.httpOptions?.expect, api!.tls?.skipVerify], ['ok', true]);
});

test('a misspelt option is a warning suggesting the key', () => {
  assert.deepEqual(shown(section('http: http://h/\nhttp_expet: ok\n')), ["test.cfg:3: warning: [web] unknown key 'http_expet' is ignored; did you mean 'http_expect'? (key: http_expet)"]);
});

test('status lists: codes, ranges and Nxx', () => {
  const cases: [string, ReturnType<typeof parseStatusList>][] = [
    ['200', [[200, 200]]],
    ['200-299,301', [[200, 299], [301, 301]]],
    [' 2xx , 404 - 404 ', [[200, 299], [404, 404]]],
    ['1XX', [[100, 199]]],
    ['6xx', "'6xx' is not a status code (100-599), a range like 200-299, or 2xx"],
  ];
  for (const [text, want] of cases) assert.deepEqual(parseStatusList(text), want, text);
});

test('escapes: \\r \\n \\t \\0 \\\\ \\xHH, UTF-8 for the rest', () => {
  const cases: [string, number[] | string][] = [
    ['PING\\r\\n', [0x50, 0x49, 0x4e, 0x47, 13, 10]],
    ['a\\tb\\0\\\\', [0x61, 9, 0x62, 0, 0x5c]],
    ['\\x00\\xff\\x7F', [0, 255, 127]],
    ['é', [0xc3, 0xa9]],
    ['\\x4', "has '\\x', which is not an escape: write \\r, \\n, \\t, \\0, \\\\ or \\xHH"],
    ['end\\', "has '\\', which is not an escape: write \\r, \\n, \\t, \\0, \\\\ or \\xHH"],
  ];
  for (const [text, want] of cases) {
    const got = decodeEscapes(text);
    assert.deepEqual(got instanceof Uint8Array ? [...got] : got.problem, want, text);
  }
});

test('--print-config hides the values of headers named as credentials (tokens, API keys, sessions), not of others', () => {
  const s = build(section('http: http://h/\nhttp_headers: X-Health-Token: 1f2e\n  X-Api-Key: k1\n  X-Auth-User: ops\n  X-Session-Id: s1\n  X-Request-Id: r1\n  Accept: text/plain\n')).config!.services[0]!;
  assert.deepEqual(checkOptionFields(s), [['http_headers', '["X-Health-Token: ***","X-Api-Key: ***","X-Auth-User: ***","X-Session-Id: ***","X-Request-Id: r1","Accept: text/plain"]']]);
});

test('--print-config shows the options that differ from the defaults, credential headers as ***', () => {
  const s = build(section('http: https://h/\nhttp_headers: Host: a.example\n  Authorization: Bearer s3cret\n  Cookie: id=1\nhttp_status: 2xx, 301\ntls_skip_verify: yes\ngrpc: h:1\n')).config!.services[0]!;
  assert.deepEqual(checkOptionFields(s), [
    ['http_headers', '["Host: a.example","Authorization: ***","Cookie: ***"]'],
    ['http_status', '"200-299, 301"'],
    ['grpc', '"h:1"'],
    ['grpc_service', '""'],
    ['tls_skip_verify', 'true'],
  ]);
  assert.deepEqual(checkOptionFields(build(section('http: http://h/\n')).config!.services[0]!), [], 'a plain http check shows nothing more');
});

test('--print-config shows the length of http_body, never its text (a POST body may hold a password)', () => {
  const s = build(section('http: http://h/login\nhttp_method: POST\nhttp_body: {"user": "probe", "password": "s3cret-€"}\n')).config!.services[0]!;
  const fields = checkOptionFields(s);
  assert.deepEqual(fields, [['http_method', '"POST"'], ['http_body', '"<43 bytes>"']]);
  assert.ok(!JSON.stringify(fields).includes('s3cret'));
});
