import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatProblem } from '../../src/shared/problems.js';
import { defaultGatewayFromRouteTable, expandVariables, settingsFromEnv, type EnvFacts } from '../../src/shared/from-env.js';

const NO_FACTS: EnvFacts = { defaultGateway: null, hostnameFile: null };
const REQUIRED = { ZK_PATH: '/ssh_services', SVC_HOST: 'web1.example.com', SVC_PORT: '22', CMD: 'nc -z -w 1 127.0.0.1 22' };

function ok(env: Record<string, string>, facts: EnvFacts = NO_FACTS) {
  const r = settingsFromEnv(env, facts);
  assert.ok(r.ok, JSON.stringify(r));
  return r;
}

function errors(env: Record<string, string>, facts: EnvFacts = NO_FACTS): string[] {
  const r = settingsFromEnv(env, facts);
  assert.equal(r.ok, false);
  return (r as Extract<typeof r, { ok: false }>).problems.map(formatProblem);
}

test('the four required variables make one [service] with the original image\'s defaults', () => {
  const { settings, notes } = ok(REQUIRED, { defaultGateway: '172.17.0.1', hostnameFile: null });
  assert.equal(settings.config.services.length, 1);
  const s = settings.config.services[0]!;
  assert.deepEqual(
    [s.name, s.cmd, s.refresh, s.servicePort, s.serviceHostname, s.zookeeperPath, s.http, s.tcp],
    ['service', REQUIRED.CMD, 30, 22, 'web1.example.com', '/ssh_services', null, null],
  );
  assert.equal(settings.config.auth, null);
  assert.equal(settings.servers, '172.17.0.1:2181', 'ZOOKEEPER_HOST defaults to the default gateway (DOCKER_HOST_IP)');
  assert.equal(settings.verbose, false);
  assert.equal(settings.waitTimeS, 0);
  assert.equal(settings.drainTimeS, 0);
  assert.match(notes.join('\n'), /default gateway 172\.17\.0\.1/);
});

test('the optional variables are applied; VERBOSE is on for any non-empty value, as `[ ! -z "$VERBOSE" ]` was', () => {
  const { settings } = ok({ ...REQUIRED, REFRESH: '5', ZOOKEEPER_HOST: 'zk.internal', ZOOKEEPER_PORT: '2281', VERBOSE: 'false', WAIT_TIME: '2.5', DRAIN_TIME: '10' });
  assert.equal(settings.config.services[0]!.refresh, 5);
  assert.equal(settings.servers, 'zk.internal:2281');
  assert.equal(settings.verbose, true);
  assert.equal(settings.waitTimeS, 2.5);
  assert.equal(settings.drainTimeS, 10);
});

test('without ZOOKEEPER_HOST and without a default gateway the agent\'s own default host is used', () => {
  assert.equal(ok(REQUIRED).settings.servers, 'localhost:2181');
});

test('each missing required variable is named; an empty one counts as missing', () => {
  const messages = errors({ SVC_HOST: 'h', CMD: '' });
  assert.deepEqual(messages, [
    'environment variable ZK_PATH: is required by --from-env and is not set',
    'environment variable SVC_PORT: is required by --from-env and is not set',
    'environment variable CMD: is required by --from-env and is not set',
  ]);
});

test('SVC_HOST may come from /tmp/hostname, as the entrypoint allowed', () => {
  const { SVC_HOST: _drop, ...rest } = REQUIRED;
  const { settings, notes } = ok(rest, { defaultGateway: null, hostnameFile: 'docker-host-7\n' });
  assert.equal(settings.config.services[0]!.serviceHostname, 'docker-host-7');
  assert.match(notes.join('\n'), /\/tmp\/hostname/);
});

test('bad values go through the INI rules and are named by their variable, all at once', () => {
  const messages = errors({ ...REQUIRED, SVC_PORT: 'http', REFRESH: '-1', ZK_PATH: 'relative', ZOOKEEPER_PORT: 'x', DRAIN_TIME: 'soon' });
  assert.ok(messages.includes("environment variable ZOOKEEPER_PORT: must be a whole number from 1 to 65535, got 'x'"), messages.join('\n'));
  assert.ok(messages.includes("environment variable DRAIN_TIME: must be a number of seconds from 0 to 86400, got 'soon'"), messages.join('\n'));
  assert.ok(messages.some((m) => /^environment variable SVC_PORT: \[service\] service_port must be a whole number/.test(m)), messages.join('\n'));
  assert.ok(messages.some((m) => /^environment variable REFRESH: \[service\] refresh must be a positive number/.test(m)), messages.join('\n'));
  assert.ok(messages.some((m) => /^environment variable ZK_PATH: \[service\] zookeeper_path 'relative'/.test(m)), messages.join('\n'));
  assert.equal(messages.length, 5);
});

test('a missing variable does not hide the problems of the others: every bad variable is reported at once', () => {
  const messages = errors({ SVC_HOST: 'web1.example.com', SVC_PORT: 'http', REFRESH: '-1', CMD: 'true\nfalse', ZOOKEEPER_PORT: '0' });
  assert.ok(messages.includes('environment variable ZK_PATH: is required by --from-env and is not set'), messages.join('\n'));
  assert.ok(messages.includes('environment variable CMD: must be a single line'), messages.join('\n'));
  assert.ok(messages.includes("environment variable ZOOKEEPER_PORT: must be a whole number from 1 to 65535, got '0'"), messages.join('\n'));
  assert.ok(messages.some((m) => /^environment variable SVC_PORT: \[service\] service_port must be a whole number/.test(m)), messages.join('\n'));
  assert.ok(messages.some((m) => /^environment variable REFRESH: \[service\] refresh must be a positive number/.test(m)), messages.join('\n'));
  // Nothing about the stand-ins that took the missing and multi-line variables' places.
  assert.equal(messages.length, 5, messages.join('\n'));
});

test('a multi-line value and a bad ZOOKEEPER_HOST are refused by name', () => {
  assert.deepEqual(errors({ ...REQUIRED, CMD: 'true\n[other]' }), ['environment variable CMD: must be a single line']);
  assert.match(errors({ ...REQUIRED, ZOOKEEPER_HOST: 'a:1:2' }).join('\n'), /^environment variable ZOOKEEPER_HOST: 'a:1:2' does not make a ZooKeeper address/);
});

test('a % in CMD reaches the check as written (configparser interpolation does not apply)', () => {
  assert.equal(ok({ ...REQUIRED, CMD: "date +%s && printf '%(x)s'" }).settings.config.services[0]!.cmd, "date +%s && printf '%(x)s'");
});

test('SVC_PORT expands $VAR and ${VAR} as the entrypoint\'s `eval echo` did', () => {
  const env = { ...REQUIRED, SVC_PORT: '$APACHE_PORT_80_TCP_PORT', APACHE_PORT_80_TCP_PORT: '8080' };
  assert.equal(ok(env).settings.config.services[0]!.servicePort, 8080);
  assert.equal(expandVariables('${A}0', { A: '8' }), '80');
  assert.deepEqual(errors({ ...REQUIRED, SVC_PORT: '$UNSET_PORT' }), ["environment variable SVC_PORT: '$UNSET_PORT' expands to nothing (its variables are not set)"]);
});

test('the default gateway is read from /proc/net/route text', () => {
  const table = [
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
    'eth0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
    'eth0\t00000000\t010011AC\t0003\t0\t0\t0\t00000000\t0\t0\t0',
  ].join('\n');
  assert.equal(defaultGatewayFromRouteTable(table), '172.17.0.1');
  assert.equal(defaultGatewayFromRouteTable(table.split('\n').slice(0, 2).join('\n')), null);
  assert.equal(defaultGatewayFromRouteTable(''), null);
});

test('STATUS_PORT moves the status server or turns it off; unset, the command line decides; a bad one is named', () => {
  assert.equal(ok(REQUIRED).settings.statusPort, undefined);
  assert.equal(ok({ ...REQUIRED, STATUS_PORT: '9648' }).settings.statusPort, 9648);
  assert.equal(ok({ ...REQUIRED, STATUS_PORT: '0' }).settings.statusPort, null);
  assert.equal(ok({ ...REQUIRED, STATUS_PORT: 'off' }).settings.statusPort, null);
  // As the HEALTHCHECK's shell test reads it: OFF or a padded port would be a healthcheck asking nowhere.
  for (const bad of ['OFF', ' 9648']) assert.match(errors({ ...REQUIRED, STATUS_PORT: bad }).join('\n'), /^environment variable STATUS_PORT: must be a port/);
  assert.deepEqual(errors({ ...REQUIRED, STATUS_PORT: '70000' }), ["environment variable STATUS_PORT: must be a port from 1 to 65535, or 0 or off for no status server, got '70000'"]);
});

test('ZK_FORMAT sets the registry format (format = ...), checked and named as a config key is; unset, zk_watcher', () => {
  assert.equal(ok(REQUIRED).settings.config.services[0]!.format, undefined, 'zk_watcher, as before');
  for (const kind of ['curator', 'nerve', 'serverset', 'zk_watcher'] as const) {
    assert.equal(ok({ ...REQUIRED, ZK_FORMAT: kind }).settings.config.services[0]!.format?.kind ?? 'zk_watcher', kind);
  }
  assert.deepEqual(errors({ ...REQUIRED, ZK_FORMAT: 'curater' }), [
    "environment variable ZK_FORMAT: [service] format 'curater' is not one of zk_watcher, curator, nerve, serverset; did you mean 'curator'? (key: format)",
  ]);
  assert.deepEqual(errors({ ...REQUIRED, ZK_FORMAT: 'nerve\ncurator' }), ['environment variable ZK_FORMAT: must be a single line']);
});

test('HTTP, TCP and GRPC set a check of their kind, with or without CMD; their option variables are the keys of their names', () => {
  const { CMD: _cmd, ...noCmd } = REQUIRED;
  const cases: [string, Record<string, string>, (s: ReturnType<typeof ok>['settings']['config']['services'][number]) => unknown, unknown][] = [
    ['HTTP alone', { ...noCmd, HTTP: 'http://127.0.0.1:8080/health' }, (s) => [s.cmd, s.http], [null, 'http://127.0.0.1:8080/health']],
    ['TCP alone', { ...noCmd, TCP: '127.0.0.1:6379' }, (s) => [s.cmd, s.tcp === null ? null : 'set'], [null, 'set']],
    ['GRPC with a service and TLS', { ...noCmd, GRPC: '127.0.0.1:50051', GRPC_SERVICE: 'web', GRPC_TLS: 'yes' }, (s) => [s.cmd, s.grpc?.service, s.grpc?.tls], [null, 'web', true]],
    ['GRPC without GRPC_SERVICE asks for the server as a whole', { ...noCmd, GRPC: '127.0.0.1:50051' }, (s) => s.grpc?.service, ''],
    ['CMD and HTTP: both must pass', { ...REQUIRED, HTTP: 'http://127.0.0.1/' }, (s) => [s.cmd, s.http], [REQUIRED.CMD, 'http://127.0.0.1/']],
    ['HTTP_STATUS', { ...noCmd, HTTP: 'http://h/', HTTP_STATUS: '2xx, 503' }, (s) => s.httpOptions?.status.length, 2],
    ['HTTP_EXPECT', { ...noCmd, HTTP: 'http://h/', HTTP_EXPECT: '"status":"UP"' }, (s) => s.httpOptions?.expect, '"status":"UP"'],
    ['HTTP_HEADERS, one header', { ...noCmd, HTTP: 'http://h/', HTTP_HEADERS: 'Host: web.example.com' }, (s) => s.httpOptions?.headers, [['Host', 'web.example.com']]],
    ['HTTP_HEADERS, one per line', { ...noCmd, HTTP: 'http://h/', HTTP_HEADERS: 'Host: web.example.com\nX-Probe: 100%\n' }, (s) => s.httpOptions?.headers, [['Host', 'web.example.com'], ['X-Probe', '100%']]],
    ['TLS_SKIP_VERIFY and TLS_SERVER_NAME', { ...noCmd, HTTP: 'https://h/', TLS_SKIP_VERIFY: 'yes', TLS_SERVER_NAME: 'web.internal' }, (s) => [s.tls?.skipVerify, s.tls?.serverName], [true, 'web.internal']],
    ['TLS_CA', { ...noCmd, HTTP: 'https://h/', TLS_CA: '/etc/ssl/private-ca.pem' }, (s) => s.tls?.ca, '/etc/ssl/private-ca.pem'],
  ];
  for (const [what, env, pick, want] of cases) assert.deepEqual(pick(ok(env).settings.config.services[0]!), want, what);
});

test('the check kind variables are judged by the INI rules and named; without CMD, HTTP, TCP or GRPC, CMD is required', () => {
  const { CMD: _cmd, ...noCmd } = REQUIRED;
  const cases: [string, Record<string, string>, RegExp][] = [
    ['nothing to check', noCmd, /^environment variable CMD: is required by --from-env and is not set$/],
    ['a bad GRPC target', { ...noCmd, GRPC: 'no-port' }, /^environment variable GRPC: \[service\] grpc /],
    ['GRPC_SERVICE without GRPC', { ...REQUIRED, GRPC_SERVICE: 'web' }, /^environment variable GRPC_SERVICE: \[service\] grpc_service /],
    ['a bad HTTP_STATUS', { ...noCmd, HTTP: 'http://h/', HTTP_STATUS: '2xx, 99' }, /^environment variable HTTP_STATUS: \[service\] http_status /],
    ['a bad header on the second line', { ...noCmd, HTTP: 'http://h/', HTTP_HEADERS: 'Host: a\nContent-Length: 3' }, /^environment variable HTTP_HEADERS: \[service\] http_headers /],
    ['HTTP_EXPECT on two lines', { ...noCmd, HTTP: 'http://h/', HTTP_EXPECT: 'a\nb' }, /^environment variable HTTP_EXPECT: must be a single line$/],
    ['TLS_SKIP_VERIFY without https', { ...noCmd, HTTP: 'http://h/', TLS_SKIP_VERIFY: 'yes' }, /^environment variable TLS_SKIP_VERIFY: \[service\] tls_skip_verify /],
  ];
  for (const [what, env, want] of cases) {
    const messages = errors(env);
    assert.equal(messages.length, 1, `${what}: ${messages.join('\n')}`);
    assert.match(messages[0]!, want, what);
  }
});
