import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommandLine } from '../../src/shared/args.js';
import { DEFAULT_MAINTENANCE_DIR, DEFAULT_STATUS_PORT, defaultAgentPort, parseStatusCommandLine } from '../../src/shared/status-args.js';
import { parseRegistryCommandLine } from '../../src/shared/registry.js';

test('the agent: no status server by default, loopback by default, the maintenance directory default', () => {
  const r = parseCommandLine([]);
  assert.equal(r.kind, 'run');
  if (r.kind !== 'run') return;
  assert.equal(r.options.statusPort, null);
  assert.equal(r.options.statusAddress, '127.0.0.1');
  assert.equal(r.options.maintenanceDir, DEFAULT_MAINTENANCE_DIR);
  const s = parseCommandLine(['--status-port', '9100', '--status-address', '::1', '--maintenance-dir', '/run/m']);
  assert.ok(s.kind === 'run');
  assert.equal(s.options.statusPort, 9100);
  assert.equal(s.options.statusAddress, '::1');
  assert.equal(s.options.maintenanceDir, '/run/m');
});

test('the agent: bad status flags are errors naming the flag', () => {
  for (const [argv, flag] of [
    [['--status-port', '-1'], '--status-port'],
    [['--status-port', '65536'], '--status-port'],
    [['--status-port', 'http'], '--status-port'],
    [['--status-port', '1.5'], '--status-port'],
    [['--status-address', 'localhost'], '--status-address'],
    [['--maintenance-dir', ''], '--maintenance-dir'],
  ] as const) {
    const r = parseCommandLine([...argv]);
    assert.equal(r.kind, 'error', argv.join(' '));
    if (r.kind === 'error') assert.ok(r.message.includes(flag), r.message);
  }
});

test('zk-watcher status: flags, defaults and errors', () => {
  assert.deepEqual(parseStatusCommandLine(['--status-port', '9100']), { kind: 'run', options: { port: 9100, address: '127.0.0.1', json: false } });
  assert.deepEqual(parseStatusCommandLine(['--status-port', '9100', '--status-address', '10.0.0.1', '--json']), { kind: 'run', options: { port: 9100, address: '10.0.0.1', json: true } });
  assert.deepEqual(parseStatusCommandLine(['-h']), { kind: 'help' });
  // No flags: the packaged unit's status server, so `zk-watcher status` works as installed.
  assert.deepEqual(parseStatusCommandLine([]), { kind: 'run', options: { port: DEFAULT_STATUS_PORT, address: '127.0.0.1', json: false } });
  assert.equal(DEFAULT_STATUS_PORT, 9647);
  assert.deepEqual(parseStatusCommandLine(['--json']), { kind: 'run', options: { port: 9647, address: '127.0.0.1', json: true } });
  for (const argv of [['--status-port', 'x'], ['--status-port', '1', '--bogus'], ['--status-port', '1', 'extra'], ['--status-port', '1', '--status-address', 'a b']]) {
    assert.equal(parseStatusCommandLine(argv).kind, 'error', argv.join(' '));
  }
});

test('status/registry ask $ZK_STATUS_PORT, else the unit defaults file\'s ZK_STATUS_PORT, else 9647; values that are no port are passed over', () => {
  const rows: [string | undefined, string | null, number][] = [
    [undefined, null, 9647],
    ['9700', null, 9700],
    ['9700', 'ZK_STATUS_PORT=9800\n', 9700],
    [undefined, '# comment\nZK_SERVERS=a:2181\nZK_STATUS_PORT=9800\n', 9800],
    [undefined, 'ZK_STATUS_PORT="9801"  # moved\n', 9801],
    [undefined, "export ZK_STATUS_PORT='9802'\n", 9802],
    [undefined, 'ZK_STATUS_PORT=9800\nZK_STATUS_PORT=9803\n', 9803],
    [undefined, 'ZK_STATUS_PORT=off\n', 9647],
    [undefined, '#ZK_STATUS_PORT=9800\n', 9647],
    ['off', 'ZK_STATUS_PORT=9804\n', 9804],
    ['', null, 9647],
  ];
  for (const [env, file, want] of rows) assert.equal(defaultAgentPort(env, file), want, `${env} / ${file}`);
  const parsed = parseStatusCommandLine([], 9800);
  assert.equal(parsed.kind === 'run' && parsed.options.port, 9800);
  const flagWins = parseStatusCommandLine(['--status-port', '9901'], 9800);
  assert.equal(flagWins.kind === 'run' && flagWins.options.port, 9901);
  const registry = parseRegistryCommandLine([], 9800);
  assert.equal(registry.kind === 'run' && registry.options.statusPort, 9800);
});
