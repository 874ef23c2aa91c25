import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildConfig, defaultTimeout, parseZookeeperData } from '../../src/shared/config.js';
import { formatProblem } from '../../src/shared/problems.js';
import { SEED_EXAMPLE } from '../support/seed.js';


function build(text: string, file = 'test.cfg') {
  return buildConfig([{ file, text }]);
}

function errors(text: string): string[] {
  return build(text)
    .problems.filter((p) => p.severity === 'error')
    .map(formatProblem);
}

const SERVICE = (extra = '', name = 'web') =>
  `[${name}]\ncmd: true\nrefresh: 1\nservice_port: 80\nzookeeper_path: /services/web\n${extra}`;

test('the documentation\'s example file gives both services with their values', () => {
  const { config, problems } = build(SEED_EXAMPLE);
  assert.deepEqual(problems, []);
  assert.ok(config);
  assert.deepEqual(
    config.services.map((s) => [s.name, s.cmd, s.refresh, s.servicePort, s.serviceHostname, s.zookeeperPath]),
    [
      ['ssh', '/etc/init.d/sshd status', 60, 22, '123.234.123.123', '/services/ssh'],
      ['apache', '/etc/init.d/apache status', 60, 22, null, '/services/web'],
    ],
  );
  assert.equal(config.auth, null);
});

test('[auth] gives the digest user and password and is not a service', () => {
  const { config } = build(`${SERVICE()}\n[auth]\nuser: username\npassword: 123456\n`);
  assert.equal(config?.services.length, 1);
  assert.deepEqual([config?.auth?.user, config?.auth?.password], ['username', '123456']);
});

test('[DEFAULT] values and %(name)s interpolation apply as configparser applies them', () => {
  const { config, problems } = build(`[DEFAULT]\nrefresh: 5\nbase: /services\n[web]\ncmd: echo 100%%\nservice_port: 80\nzookeeper_path: %(base)s/web\n`);
  assert.deepEqual(problems.filter((p) => p.severity === 'error'), []);
  const web = config?.services[0];
  assert.equal(web?.refresh, 5);
  assert.equal(web?.cmd, 'echo 100%');
  assert.equal(web?.zookeeperPath, '/services/web');
});

test('refresh and timeout may be fractional; timeout defaults from refresh within [10, 90]', () => {
  const { config } = build(SERVICE('timeout: 2.5\n').replace('refresh: 1', 'refresh: 0.5'));
  assert.equal(config?.services[0]?.refresh, 0.5);
  assert.equal(config?.services[0]?.timeout, 2.5);
  assert.deepEqual([defaultTimeout(1), defaultTimeout(30), defaultTimeout(600)], [10, 30, 90]);
});

test('rise and fall default to 1 and can be set', () => {
  assert.deepEqual([build(SERVICE()).config?.services[0]?.rise, build(SERVICE()).config?.services[0]?.fall], [1, 1]);
  const s = build(SERVICE('rise: 3\nfall: 2\n')).config?.services[0];
  assert.deepEqual([s?.rise, s?.fall], [3, 2]);
});

test('a zookeeper_path with a trailing or doubled / is read as kazoo read it, with a warning naming FILE:LINE', () => {
  for (const [written, read] of [['/services/web/', '/services/web'], ['/services//web', '/services/web'], ['/a//b///', '/a/b']] as const) {
    const { config, problems } = build(SERVICE().replace('/services/web', written));
    assert.equal(config?.services[0]?.zookeeperPath, read);
    assert.deepEqual(problems.map(formatProblem), [`test.cfg:5: warning: [web] zookeeper_path '${written}' is read as '${read}', as zk_watcher's kazoo did; write it so to silence this (key: zookeeper_path)`]);
  }
});

test('a file without services (empty, comments, [DEFAULT] or [auth] only) is an idle config with a warning, not an error', () => {
  for (const text of ['', '# nothing here\n; nor here\n', '[DEFAULT]\nrefresh: 5\n', '[auth]\nuser: u\npassword: p\n']) {
    const { config, problems } = build(text);
    assert.deepEqual(config?.services, [], JSON.stringify(text));
    assert.deepEqual(problems.map(formatProblem), ['test.cfg: warning: defines no service (no section besides [auth]): the agent runs idle and registers nothing'], JSON.stringify(text));
  }
  assert.equal(build('[auth]\nuser: u\npassword: p\n').config?.auth?.user, 'u');
  // Across files, one warning naming them all, and only when none of them has a service.
  const two = buildConfig([{ file: 'a.cfg', text: '' }, { file: 'b.cfg', text: '# x\n' }]);
  assert.deepEqual(two.problems.map(formatProblem), ['a.cfg, b.cfg: warning: defines no service (no section besides [auth]): the agent runs idle and registers nothing']);
  assert.deepEqual(buildConfig([{ file: 'a.cfg', text: '' }, { file: 'b.cfg', text: SERVICE() }]).problems, []);
});

test('shell syntax that keeps a check meaningful is accepted in cmd', () => {
  for (const cmd of ["curl -sf 'http://x/?a=1&b=2'", 'curl -sf "http://x/?a=1&b=2"', 'curl -sf http://x/?a=1\\&b=2', 'test -f /x && curl -sf http://x', 'check 2>&1 >/dev/null', 'check >&2', 'cd /opt/app; ./check', 'check || exit 1', 'echo $((6 & 3))', 'check # a comment & more', 'pgrep -f "a & b" | grep -q .', 'test -f /x &&\n  curl -sf http://x', '(sleep 0.2 &) ; echo started', '{ sleep 300 & echo $! > /tmp/p; wait; }', 'test "$(pgrep -f a & echo)" != ""', 'echo `date &` | grep -q .', 'case $(hostname) in web*) check;; *) true;; esac', '[ "$(curl -s "http://h/?a=1&b=2")" = OK ]', 'check & wait $!', 'grep -q ok <<EOF\n  ok & fine\n  EOF', 'if curl -sf http://x\n  then exit 0\n  else exit 1\n  fi']) {
    assert.deepEqual(build(SERVICE().replace('cmd: true', `cmd: ${cmd}`)).problems, [], cmd);
  }
});

// Each broken file: the problems it must report, as FILE:LINE: ... (key: K) substrings.
const BROKEN: [string, string, string[]][] = [
  ['missing required keys', '[web]\ncmd: true\n', ["test.cfg:1: [web] is missing the required key 'refresh' (key: refresh)", "test.cfg:1: [web] is missing the required key 'service_port'", "test.cfg:1: [web] is missing the required key 'zookeeper_path'"]],
  ['empty command', SERVICE().replace('cmd: true', 'cmd:'), ['test.cfg:2: [web] cmd is empty (key: cmd)']],
  ['refresh not a number', SERVICE().replace('refresh: 1', 'refresh: soon'), ["test.cfg:3: [web] refresh must be a positive number of seconds (at most 86400), got 'soon' (key: refresh)"]],
  ['refresh zero', SERVICE().replace('refresh: 1', 'refresh: 0'), ['test.cfg:3: [web] refresh must be a positive number']],
  ['negative timeout', SERVICE('timeout: -1\n'), ['test.cfg:6: [web] timeout must be a positive number']],
  ['port out of range', SERVICE().replace('service_port: 80', 'service_port: 70000'), ["test.cfg:4: [web] service_port must be a whole number from 1 to 65535, got '70000' (key: service_port)"]],
  ['port not a number', SERVICE().replace('service_port: 80', 'service_port: http'), ['test.cfg:4: [web] service_port must be a whole number']],
  ['relative path', SERVICE().replace('/services/web', 'services/web'), ["test.cfg:5: [web] zookeeper_path 'services/web' must be absolute"]],
  ['only slashes', SERVICE().replace('/services/web', '//'), ["zookeeper_path '//' cannot be the root itself"]],
  ['a lone & in cmd', SERVICE().replace('cmd: true', 'cmd: curl -sf http://127.0.0.1:1/health?a=1&b=2'), ["test.cfg:2: [web] cmd has an unquoted '&'", "curl -sf 'http://127.0.0.1:1/health?a=1&b=2'", '(key: cmd)']],
  ['a trailing & in cmd', SERVICE().replace('cmd: true', 'cmd: /etc/init.d/app status &'), ["test.cfg:2: [web] cmd ends with an unquoted '&', so /bin/sh runs '/etc/init.d/app status' in the background", "remove the '&'"]],
  ['a & after a group in cmd', SERVICE().replace('cmd: true', 'cmd: (cd /opt && ./check) & sleep 1'), ["test.cfg:2: [web] cmd has an unquoted '&', so /bin/sh runs '(cd /opt && ./check)' in the background"]],
  ['bash &> in cmd', SERVICE().replace('cmd: true', 'cmd: check &>/dev/null'), ["test.cfg:2: [web] cmd has '&>'"]],
  ['an assignment left after ; in cmd', SERVICE().replace('cmd: true', 'cmd: curl -sf http://x/?a=1;b=2'), ["test.cfg:2: [web] cmd ends with 'b=2' after an unquoted ';'"]],
  ['cmd over two lines', SERVICE().replace('cmd: true', 'cmd: false\n  true'), ['test.cfg:2: [web] cmd continues on another line']],
  ['dot segment', SERVICE().replace('/services/web', '/services/../web'), ['has a . or .. segment']],
  ['hostname with a slash', SERVICE('service_hostname: a/b\n'), ['test.cfg:6: [web] service_hostname contains /']],
  ['bad zookeeper_data', SERVICE('zookeeper_data: just words\n'), ["test.cfg:6: [web] zookeeper_data must be a JSON object or k=v pairs separated by commas; 'just words' is not a k=v pair (key: zookeeper_data)"]],
  ['broken JSON', SERVICE('zookeeper_data: {"a": }\n'), ['looks like JSON but is not valid JSON']],
  ['JSON list', SERVICE('zookeeper_data: [1, 2]\n'), ['must be a JSON object or k=v pairs, got JSON of type array']],
  ['rise zero', SERVICE('rise: 0\n'), ['test.cfg:6: [web] rise must be a whole number from 1 to 1000']],
  ['duplicate section', `${SERVICE()}${SERVICE()}`, ['test.cfg:6:']],
  ['text before the first section', `cmd: true\n${SERVICE()}`, ['test.cfg:1:']],
  ['a lone %', SERVICE().replace('cmd: true', 'cmd: echo 50%'), ['test.cfg:2:', '(key: cmd)']],
  ['auth without password', `${SERVICE()}[auth]\nuser: u\n`, ["[auth] needs both user and password; 'password' is missing"]],
  ['auth user with a colon', `${SERVICE()}[auth]\nuser: a:b\npassword: p\n`, ['[auth] user cannot contain ":"']],
];

for (const [what, text, expected] of BROKEN) {
  test(`refused with a FILE:LINE message: ${what}`, () => {
    const found = errors(text);
    assert.equal(build(text).config, null, 'no config when there are errors');
    for (const e of expected) assert.ok(found.some((f) => f.includes(e)), `expected "${e}" among:\n${found.join('\n')}`);
  });
}

test('every problem of a file is reported at once, not just the first', () => {
  const text = `${SERVICE().replace('refresh: 1', 'refresh: x')}\n${SERVICE('', 'api').replace('service_port: 80', 'service_port: 0')}`;
  const found = errors(text);
  assert.equal(found.length, 2, found.join('\n'));
});

test('a syntax problem does not hide the value problems of the sections that parsed', () => {
  const text = `${SERVICE('cmd: false\n').replace('service_port: 80', 'service_port: 0')}\n${SERVICE('', 'api')}\n[web]\n`;
  assert.deepEqual(errors(text), [
    "test.cfg:6: duplicate key 'cmd' in [web] (first at line 2) (key: cmd)",
    'test.cfg:14: duplicate section [web] (first at line 1)',
    "test.cfg:4: [web] service_port must be a whole number from 1 to 65535, got '0' (key: service_port)",
  ]);
});

test('a service defined in two files is an error naming both', () => {
  const { config, problems } = buildConfig([
    { file: 'a.cfg', text: SERVICE() },
    { file: 'b.cfg', text: SERVICE() },
  ]);
  assert.equal(config, null);
  assert.ok(problems.map(formatProblem).some((m) => m.startsWith('b.cfg:1:') && m.includes('a.cfg:1')));
});

test('an unknown key is a warning that suggests the nearest known key, not an error', () => {
  const { config, problems } = build(SERVICE('refesh_rate: 3\nzookeper_path: /x\n'));
  assert.ok(config);
  const warnings = problems.map(formatProblem);
  assert.ok(warnings.some((w) => w.includes("warning: [web] unknown key 'zookeper_path' is ignored; did you mean 'zookeeper_path'?")), warnings.join('\n'));
});

test('zookeeper_data: JSON objects keep key order; k=v pairs are trimmed; a JSON string is string_value', () => {
  const obj = parseZookeeperData('{"b": 1, "2": 2, "a": "x"}');
  assert.notEqual(typeof obj, 'string');
  assert.deepEqual((obj as unknown as { value: { entries: [string, unknown][] } }).value.entries.map(([k]) => k), ['b', '2', 'a']);
  assert.deepEqual(parseZookeeperData(' foo = bar , bah=humbug,'), {
    kind: 'object',
    value: { kind: 'object', entries: [['foo', { kind: 'str', value: 'bar' }], ['bah', { kind: 'str', value: 'humbug' }]] },
  });
  assert.deepEqual(parseZookeeperData('"hello"'), { kind: 'string', value: 'hello' });
});

// A service with the given check lines instead of cmd.
const CHECKS = (checks: string) => `[web]\n${checks}refresh: 1\nservice_port: 80\nzookeeper_path: /services/web\n`;

test('a section may check with http alone: cmd and tcp are null', () => {
  const { config, problems } = build(CHECKS('http: http://127.0.0.1:8080/health\n'));
  assert.deepEqual(problems, [], 'no warning either: http is a known key');
  const s = config?.services[0];
  assert.deepEqual([s?.cmd, s?.http, s?.tcp], [null, 'http://127.0.0.1:8080/health', null]);
});

test('a section may check with tcp alone: the target is parsed into host and port', () => {
  const { config, problems } = build(CHECKS('tcp: [::1]:6379\n'));
  assert.deepEqual(problems, []);
  const s = config?.services[0];
  assert.deepEqual([s?.cmd, s?.http, s?.tcp], [null, null, { host: '::1', port: 6379 }]);
});

test('a section may set cmd, http and tcp together', () => {
  const { config, problems } = build(CHECKS('cmd: true\nhttp: https://u:pw@web.example.com/ok\ntcp: web.example.com:443\n'));
  assert.deepEqual(problems, []);
  const s = config?.services[0];
  assert.deepEqual([s?.cmd, s?.http, s?.tcp], ['true', 'https://u:pw@web.example.com/ok', { host: 'web.example.com', port: 443 }]);
});

test('[DEFAULT] may give every section the same tcp check', () => {
  const { config } = build(`[DEFAULT]\ntcp: localhost:22\n${CHECKS('')}`);
  assert.deepEqual(config?.services[0]?.tcp, { host: 'localhost', port: 22 });
});

const BROKEN_CHECKS: [string, string, string[]][] = [
  ['no check at all', CHECKS(''), ['test.cfg:1: [web] has no check: set at least one of cmd, http, tcp, grpc']],
  ['empty http', CHECKS('http:\n'), ['test.cfg:2: [web] http is empty (key: http)']],
  ['empty tcp', CHECKS('tcp:\n'), ['test.cfg:2: [web] tcp is empty (key: tcp)']],
  ['an http value that is not a URL', CHECKS('http: localhost:8080/health\n'), ["test.cfg:2: [web] http 'localhost:8080/health' must start with http:// or https:// (key: http)"]],
  ['an http URL without a host', CHECKS('http: http://\n'), ["test.cfg:2: [web] http 'http://' is not a valid URL (key: http)"]],
  ['an ftp URL', CHECKS('http: ftp://files.example.com/\n'), ["test.cfg:2: [web] http 'ftp://files.example.com/' must start with http:// or https:// (key: http)"]],
  ['a bad URL is quoted without its password', CHECKS('http: ftp://u:hunter2@h/\n'), ["http 'ftp://u:***@h/' must start"]],
  ['tcp without a port', CHECKS('tcp: localhost\n'), ["test.cfg:2: [web] tcp 'localhost' has no port: write HOST:PORT, or [IPv6]:PORT (key: tcp)"]],
  ['tcp port 0', CHECKS('tcp: localhost:0\n'), ["test.cfg:2: [web] tcp 'localhost:0' port must be a whole number from 1 to 65535, got '0' (key: tcp)"]],
  ['tcp port 70000', CHECKS('tcp: localhost:70000\n'), ["tcp 'localhost:70000' port must be a whole number from 1 to 65535, got '70000' (key: tcp)"]],
  ['tcp [::1] without a port', CHECKS('tcp: [::1]\n'), ["test.cfg:2: [web] tcp '[::1]' has no port: write [IPv6]:PORT (key: tcp)"]],
  ['tcp host with a space', CHECKS('tcp: a b:80\n'), ["test.cfg:2: [web] tcp 'a b:80' host 'a b' is not a host name or IPv4 address"]],
  ['tcp IPv6 without brackets', CHECKS('tcp: ::1:80\n'), ['IPv6 address without brackets']],
  ['each bad check kind is reported, not just the first', CHECKS('cmd:\nhttp: gopher://x/\ntcp: x\n'), ['test.cfg:2: [web] cmd is empty', 'test.cfg:3: [web] http', 'test.cfg:4: [web] tcp']],
];

for (const [what, text, expected] of BROKEN_CHECKS) {
  test(`check kinds refused with a FILE:LINE message: ${what}`, () => {
    const found = errors(text);
    assert.equal(build(text).config, null, 'no config when there are errors');
    for (const e of expected) assert.ok(found.some((f) => f.includes(e)), `expected "${e}" among:\n${found.join('\n')}`);
  });
}

test('an empty check key still counts as set: the report is "is empty", not "has no check"', () => {
  assert.deepEqual(errors(CHECKS('http:\n')), ['test.cfg:2: [web] http is empty (key: http)']);
});

test('an unknown key in an optional place (zookeper_data) is a warning at FILE:LINE naming the key, with the suggestion, and the config stays usable', () => {
  const { config, problems } = build(SERVICE('zookeper_data: {"weight": 2}\n'));
  assert.ok(config, 'a warning does not make the config unusable');
  assert.deepEqual(problems.map(formatProblem), [
    "test.cfg:6: warning: [web] unknown key 'zookeper_data' is ignored; did you mean 'zookeeper_data'? (key: zookeper_data)",
  ]);
  assert.equal(problems[0]!.severity, 'warning');
});

test('a service_hostname that names the loopback interface is a warning at its line; other names are not', () => {
  for (const host of ['localhost', 'LOCALHOST', 'localhost.localdomain', 'localhost.', 'ip6-localhost', 'web.localhost', '127.0.0.1', '127.0.1.1', '::1']) {
    const { config, problems } = build(SERVICE(`service_hostname: ${host}\n`));
    assert.ok(config, host);
    assert.deepEqual(problems.map(formatProblem), [
      `test.cfg:6: warning: [web] service_hostname '${host}' names the loopback interface: every other host that reads the node connects to itself (key: service_hostname)`,
    ], host);
  }
  for (const host of ['web1.example.com', 'localhost-proxy', 'mylocalhost', '10.0.0.1', '128.0.0.1', 'web']) {
    assert.deepEqual(build(SERVICE(`service_hostname: ${host}\n`)).problems, [], host);
  }
});
