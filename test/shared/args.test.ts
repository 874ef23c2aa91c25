import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CONFIG, DEFAULT_SERVERS, parseCommandLine } from '../../src/shared/args.js';
import { connectStringProblem, splitConnectString } from '../../src/shared/servers.js';

function options(argv: string[]) {
  const r = parseCommandLine(argv);
  assert.equal(r.kind, 'run', JSON.stringify(r));
  return (r as Extract<typeof r, { kind: 'run' }>).options;
}

test('defaults are zk_watcher\'s: /etc/zk/config.cfg and localhost:2181', () => {
  const o = options([]);
  assert.deepEqual(o.configPaths, [DEFAULT_CONFIG]);
  assert.equal(o.servers, DEFAULT_SERVERS);
  assert.equal(o.verbose, false);
  assert.equal(o.syslog, false);
  assert.equal(o.sessionTimeoutMs, 10_000);
});

test('zk_watcher\'s short and long flags are accepted in every optparse form', () => {
  for (const argv of [
    ['-c', 'a.cfg', '-s', 'zk1:2181,zk2:2181', '-v', '-l'],
    ['--config', 'a.cfg', '--server', 'zk1:2181,zk2:2181', '--verbose', '--syslog'],
    ['--config=a.cfg', '--server=zk1:2181,zk2:2181', '-vl'],
    ['-ca.cfg', '-szk1:2181,zk2:2181', '-v', '-l'],
  ]) {
    const o = options(argv);
    assert.deepEqual(o.configPaths, ['a.cfg'], argv.join(' '));
    assert.equal(o.servers, 'zk1:2181,zk2:2181');
    assert.equal(o.verbose, true);
    assert.equal(o.syslog, true);
  }
});

test('--help, -h and --version are recognised', () => {
  assert.equal(parseCommandLine(['-h']).kind, 'help');
  assert.equal(parseCommandLine(['--help']).kind, 'help');
  assert.equal(parseCommandLine(['--version']).kind, 'version');
});

test('unknown flags, stray arguments and bad numbers are errors', () => {
  for (const argv of [['--nope'], ['stray'], ['-c'], ['--session-timeout', '0'], ['--session-timeout', 'x'], ['--max-concurrent-checks', '1.5']]) {
    assert.equal(parseCommandLine(argv).kind, 'error', argv.join(' '));
  }
});

test('--session-timeout takes seconds, fractions allowed', () => {
  assert.equal(options(['--session-timeout', '2.5']).sessionTimeoutMs, 2500);
});

test('connect strings: ensembles and a chroot pass; malformed ones are explained', () => {
  assert.equal(connectStringProblem('localhost:2181'), null);
  assert.equal(connectStringProblem('a:1,b:2,c:3/app/zk'), null);
  assert.equal(connectStringProblem('a'), null);
  assert.match(connectStringProblem('a:99999') ?? '', /port/);
  assert.match(connectStringProblem(',') ?? '', /no server/);
  assert.match(connectStringProblem('a:1/bad//chroot') ?? '', /chroot/);
  assert.match(connectStringProblem('a:1:2') ?? '', /host:port/);
});

test('a connect string splits into its hosts and its chroot (none for "/")', () => {
  assert.deepEqual(splitConnectString('a:1,b:2'), { servers: 'a:1,b:2', chroot: null });
  assert.deepEqual(splitConnectString('a:1,b:2/app/zk'), { servers: 'a:1,b:2', chroot: '/app/zk' });
  assert.deepEqual(splitConnectString('a:1/'), { servers: 'a:1', chroot: null });
});

test('unique prefixes of zk_watcher\'s long options are taken as optparse took them', () => {
  for (const argv of [
    ['--conf=a.cfg', '--serv', 'zk1:2181', '--verb', '--sys'],
    ['--co', 'a.cfg', '--se=zk1:2181', '--verbo', '--sy'],
    ['--c', 'a.cfg', '--serve', 'zk1:2181', '--verbose', '--syslo'],
  ]) {
    const o = options(argv);
    assert.deepEqual(o.configPaths, ['a.cfg'], argv.join(' '));
    assert.equal(o.servers, 'zk1:2181', argv.join(' '));
    assert.equal(o.verbose, true, argv.join(' '));
    assert.equal(o.syslog, true, argv.join(' '));
  }
  assert.equal(parseCommandLine(['--he']).kind, 'help');
  assert.equal(parseCommandLine(['--vers']).kind, 'version');
  // A value that looks like an option is still the value.
  assert.deepEqual(options(['--conf', '--serv']).configPaths, ['--serv']);
  assert.deepEqual(options(['-c', '--serv']).configPaths, ['--serv']);
  assert.equal(options(['-vs', '--verb']).servers, '--verb');
  // A value glued to -c or -s is the value, whatever letters it ends in.
  assert.deepEqual([options(['-cservices', '-v']).configPaths, options(['-cservices', '-v']).verbose], [['services'], true]);
  assert.deepEqual([options(['-szk1:2181', '-l']).servers, options(['-szk1:2181', '-l']).syslog], ['zk1:2181', true]);
  assert.deepEqual(options(['-vcchecks']).configPaths, ['checks']);
});

test('an ambiguous prefix names the options it could be; prefixes of our own options are not taken', () => {
  assert.deepEqual(parseCommandLine(['--s', 'x']), { kind: 'error', message: 'option --s is ambiguous: --server, --syslog?' });
  assert.deepEqual(parseCommandLine(['--ve']), { kind: 'error', message: 'option --ve is ambiguous: --verbose, --version?' });
  assert.equal(parseCommandLine(['--sess', '5']).kind, 'error');
  // Our own option names are exact, even where they begin like one of zk_watcher's.
  assert.equal(options(['-l', '--syslog-tag', 'x']).syslogTag, 'x');
});

test('-l\'s identity: zk-watcher/daemon by default, the original\'s zk_watcher/syslog when run as zk_watcher, flags over both', () => {
  assert.deepEqual([options(['-l']).syslogTag, options(['-l']).syslogFacility], ['zk-watcher', 'daemon']);
  const original = parseCommandLine(['-l'], 'zk_watcher');
  assert.ok(original.kind === 'run');
  assert.deepEqual([original.options.syslogTag, original.options.syslogFacility], ['zk_watcher', 'syslog']);
  const chosen = parseCommandLine(['-l', '--syslog-tag', 'web-agent', '--syslog-facility', 'local3'], 'zk_watcher');
  assert.ok(chosen.kind === 'run');
  assert.deepEqual([chosen.options.syslogTag, chosen.options.syslogFacility], ['web-agent', 'local3']);
  assert.match((parseCommandLine(['-l', '--syslog-facility', 'nope']) as { message: string }).message, /--syslog-facility 'nope' is not a syslog facility/);
  assert.match((parseCommandLine(['-l', '--syslog-tag', 'a b']) as { message: string }).message, /--syslog-tag must be/);
  assert.match((parseCommandLine(['--syslog-tag', 'x']) as { message: string }).message, /--syslog-tag needs -l/);
});

test('--duration-histogram: agent by default, service or off on request, anything else an error naming the choices', () => {
  assert.equal(options([]).durationHistogram, 'agent');
  assert.equal(options(['--duration-histogram', 'service']).durationHistogram, 'service');
  assert.equal(options(['--duration-histogram=off']).durationHistogram, 'off');
  const bad = parseCommandLine(['--duration-histogram', 'per-service']);
  assert.equal(bad.kind, 'error');
  assert.match((bad as { message: string }).message, /--duration-histogram must be service, agent or off, got 'per-service'/);
});

test('--status-port: a port serves; off or 0 serves nothing (the unit passes ${ZK_STATUS_PORT} always); anything else is an error', () => {
  assert.equal(options(['--status-port', '9647']).statusPort, 9647);
  assert.equal(options(['--status-port', 'off']).statusPort, null);
  assert.equal(options(['--status-port', '0']).statusPort, null);
  assert.equal(options([]).statusPort, null);
  const bad = parseCommandLine(['--status-port', 'nine']);
  assert.equal(bad.kind, 'error');
});
