import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommandLine } from '../../src/shared/args.js';
import { DEFAULT_MAINTENANCE_DIR, DEFAULT_STATUS_PORT, parseStatusCommandLine } from '../../src/shared/status-args.js';

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
