import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommandLine } from '../../src/shared/args.js';

test('--once, --json and --from-env are off by default and parsed when given', () => {
  const plain = parseCommandLine([]);
  assert.ok(plain.kind === 'run');
  assert.deepEqual([plain.options.once, plain.options.json, plain.options.fromEnv], [false, false, false]);
  const once = parseCommandLine(['--once', '--json', '-c', 'a.cfg']);
  assert.ok(once.kind === 'run');
  assert.deepEqual([once.options.once, once.options.json, once.options.fromEnv], [true, true, false]);
  const env = parseCommandLine(['--from-env', '--once']);
  assert.ok(env.kind === 'run');
  assert.deepEqual([env.options.once, env.options.fromEnv], [true, true]);
});

test('--json without --once is refused, naming the flag', () => {
  assert.deepEqual(parseCommandLine(['--json']), { kind: 'error', message: '--json only goes with --once' });
});

test('--from-env refuses -c and -s: the environment names the service and the server', () => {
  for (const argv of [['--from-env', '-c', 'a.cfg'], ['--from-env', '--server=zk:2181'], ['-ca.cfg', '--from-env']]) {
    const r = parseCommandLine(argv);
    assert.equal(r.kind, 'error', argv.join(' '));
    assert.match((r as { message: string }).message, /--from-env .*cannot be combined with -c\/--config or -s\/--server/);
  }
});
