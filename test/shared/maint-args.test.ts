import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flagFileName, maintenanceListing, parseMaintCommandLine, unknownServiceProblem } from '../../src/shared/maint-args.js';
import { NO_NOTE } from '../../src/shared/maintenance.js';

test('maint: on/off, a service or the whole host, and what is refused', () => {
  const ok = (argv: string[]) => {
    const p = parseMaintCommandLine(argv);
    assert.equal(p.kind, 'run', `${argv.join(' ')}: ${p.kind === 'error' ? p.message : ''}`);
    return p.kind === 'run' ? p.options : assert.fail();
  };
  assert.deepEqual(ok([]), { action: 'show', service: null, reason: '', maintenanceDir: '/var/lib/zk-watcher/maintenance', configPaths: ['/etc/zk/config.cfg'] });
  assert.deepEqual(ok(['on', 'web', '--reason', 'deploy 42', '--maintenance-dir', '/m', '-c', 'a.cfg', '-c', 'b.cfg']), { action: 'on', service: 'web', reason: 'deploy 42', maintenanceDir: '/m', configPaths: ['a.cfg', 'b.cfg'] });
  assert.equal(ok(['on']).service, null, 'no SERVICE: the whole host');
  assert.equal(ok(['off', 'all']).service, null, 'all is the whole host');
  assert.equal(ok(['on', '--reason', 'a\nb\x07']).reason, 'a b', 'one line, no control characters');
  assert.equal(parseMaintCommandLine(['--help']).kind, 'help');
  const errors: [string[], RegExp][] = [
    [['start', 'web'], /'start' is not on or off/],
    [['on', 'web', 'db'], /one SERVICE at a time/],
    [['off', 'web', '--reason', 'x'], /--reason goes with on/],
    [['on', '../etc'], /cannot be a file name/],
    [['on', '.web'], /dot files/],
    [['on', '--maintenance-dir', ''], /--maintenance-dir is empty/],
    [['on', '--bogus'], /Unknown option '--bogus'/],
  ];
  for (const [argv, message] of errors) {
    const p = parseMaintCommandLine(argv);
    assert.equal(p.kind, 'error', argv.join(' '));
    assert.match(p.kind === 'error' ? p.message : '', message, argv.join(' '));
  }
});

test('the flag file is the service, or all for the host', () => {
  assert.equal(flagFileName('web'), 'web');
  assert.equal(flagFileName(null), 'all');
});

test('a SERVICE not in the config is named with a guess and the known services', () => {
  assert.equal(unknownServiceProblem('web', ['web', 'db'], ['/etc/zk/config.cfg']), null);
  assert.equal(unknownServiceProblem('wbe', ['web', 'db'], ['/etc/zk/config.cfg']), "no service 'wbe' in /etc/zk/config.cfg (did you mean 'web'?); its services: web, db");
  assert.equal(unknownServiceProblem('cache', ['web', 'db'], ['a.cfg', 'b.cfg']), "no service 'cache' in a.cfg, b.cfg; its services: web, db");
  assert.equal(unknownServiceProblem('web', [], ['a.cfg']), "no service 'web' in a.cfg; it has no services");
});

test('maint alone lists the host first, then the services, and marks a file that names no service', () => {
  assert.equal(maintenanceListing('/m', [], ['web']), 'nothing is in maintenance (/m has no flag files)\n');
  const files = [
    { name: 'web', note: { reason: 'deploy 42', by: 'alice', at: '2026-12-04T12:30:00.000Z' } },
    { name: 'wbe', note: NO_NOTE },
    { name: 'all', note: { reason: 'rack move', by: null, at: null } },
  ];
  assert.equal(
    maintenanceListing('/m', files, ['web', 'db']),
    'in maintenance (/m):\n  the whole host: rack move\n  wbe: no reason given [not a service of the config: no effect]\n  web: deploy 42 (by alice, 2026-12-04T12:30:00.000Z)\n',
  );
  assert.doesNotMatch(maintenanceListing('/m', files, null), /not a service/, 'no config: nothing to judge by');
});
