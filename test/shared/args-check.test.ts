// `zk-watcher check` and --strict: the daemon's parser with the check implied.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommandLine } from '../../src/shared/args.js';
import { usageError } from '../../src/shared/usage-error.js';

test('check implies --check-config and allows --strict; the daemon allows --strict only with --check-config', () => {
  const table: [string[], 'check' | null, { checkConfig: boolean; strict: boolean } | 'error'][] = [
    [['-c', 'a.cfg'], 'check', { checkConfig: true, strict: false }],
    [['-c', 'a.cfg', '--strict'], 'check', { checkConfig: true, strict: true }],
    [['--strict', '--status-port', '9647', '--session-timeout', '5'], 'check', { checkConfig: true, strict: true }],
    [['--check-config', '--strict'], null, { checkConfig: true, strict: true }],
    [['--check-config'], null, { checkConfig: true, strict: false }],
    [[], null, { checkConfig: false, strict: false }],
    [['--strict'], null, 'error'],
    [['--strict=yes'], 'check', 'error'],
    [['--bogus'], 'check', 'error'],
  ];
  for (const [argv, subcommand, want] of table) {
    const r = parseCommandLine(argv, 'zk-watcher', subcommand);
    const what = `${subcommand ?? ''} ${argv.join(' ')}`;
    if (want === 'error') {
      assert.equal(r.kind, 'error', what);
      continue;
    }
    assert.equal(r.kind, 'run', what);
    if (r.kind === 'run') assert.deepEqual({ checkConfig: r.options.checkConfig, strict: r.options.strict }, want, what);
  }
  const r = parseCommandLine(['--strict']);
  assert.ok(r.kind === 'error' && r.message.includes('check'), 'the error says where --strict goes');
  assert.deepEqual(parseCommandLine(['--help'], 'zk-watcher', 'check'), { kind: 'help' });
});

test('a usage error is the error and one line saying where the help is', () => {
  assert.equal(usageError('zk-watcher', null, "Unknown option '--nope'"), "zk-watcher: Unknown option '--nope'\nTry 'zk-watcher --help' for more information.\n");
  assert.equal(usageError('zk_watcher', 'status', 'x'), "zk_watcher status: x\nTry 'zk_watcher status --help' for more information.\n");
});

test('the help line names the command as installed, whatever file ran it', () => {
  assert.equal(usageError('cli.js', 'check', 'x'), "zk-watcher check: x\nTry 'zk-watcher check --help' for more information.\n");
});
