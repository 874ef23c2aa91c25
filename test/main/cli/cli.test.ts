import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythonFqdn, runCli, writeConfig } from '../../support/agent.js';
import { getFqdn } from '../../../src/main/cli/fqdn.js';
import { SEED_EXAMPLE } from '../../support/seed.js';

const SEED = `${SEED_EXAMPLE}
[auth]
user: username
password: s3cr3t-pa55
`;

test('--print-config prints the parsed services as JSON, with the FQDN filled in and never the password', () => {
  const file = writeConfig(SEED);
  const r = runCli(['-c', file, '--print-config']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.stdout.includes('s3cr3t-pa55'));
  const printed = JSON.parse(r.stdout) as { services: Record<string, unknown>[]; auth: unknown };
  const fqdn = pythonFqdn();
  assert.deepEqual(printed.auth, { user: 'username' });
  assert.deepEqual(
    printed.services.map((s) => [s.name, s.cmd, s.refresh, s.service_port, s.service_hostname, s.zookeeper_path, s.znode]),
    [
      ['ssh', '/etc/init.d/sshd status', 60, 22, '123.234.123.123', '/services/ssh', '/services/ssh/123.234.123.123:22'],
      ['apache', '/etc/init.d/apache status', 60, 22, fqdn, '/services/web', `/services/web/${fqdn}:22`],
    ],
  );
  assert.deepEqual(printed.services[0]!.zookeeper_data, { foo: 'bar', bah: 'humbug' });
  assert.deepEqual(printed.services[1]!.zookeeper_data, { foo: 'bar', bah: 'humbug' });
});

test('the default service_hostname is what Python\'s socket.getfqdn() gives', async () => {
  assert.equal(await getFqdn(), pythonFqdn());
});

test('a bad config exits 2 with FILE:LINE messages for every problem and no stack trace', () => {
  const file = writeConfig('[web]\ncmd: true\nrefresh: often\nservice_port: 99999\nzookeeper_path: /w\n');
  const r = runCli(['-c', file, '-s', '127.0.0.1:1']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`${file}:3: \\[web\\] refresh must be a positive number .*\\(key: refresh\\)`));
  assert.match(r.stderr, new RegExp(`${file}:4: \\[web\\] service_port must be .*\\(key: service_port\\)`));
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});

test('a missing config file exits 2 naming the file', () => {
  const r = runCli(['-c', '/nonexistent/zk.cfg']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /\/nonexistent\/zk\.cfg: cannot read the config: no such file or directory/);
});

test('a directory of configs is read in name order; an empty one is an idle config with a warning, as an empty file is', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zkw-confd-'));
  const r0 = runCli(['-c', dir, '--print-config']);
  assert.equal(r0.code, 0, r0.stderr);
  assert.deepEqual((JSON.parse(r0.stdout) as { services: unknown[] }).services, []);
  assert.match(r0.stderr, new RegExp(`^${dir}: warning: is a directory with no \\.cfg, \\.ini, \\.conf files; nothing is read from it$`, 'm'));
  assert.match(r0.stderr, /^the config: warning: defines no service/m);
  assert.equal(runCli(['-c', join(dir, 'missing'), '--print-config']).code, 2, 'a directory that is not there is still an error');
  writeFileSync(join(dir, '20-b.cfg'), '[b]\ncmd: true\nrefresh: 1\nservice_port: 2\nzookeeper_path: /b\nservice_hostname: h\n');
  writeFileSync(join(dir, '10-a.ini'), '[a]\ncmd: true\nrefresh: 1\nservice_port: 1\nzookeeper_path: /a\nservice_hostname: h\n');
  writeFileSync(join(dir, 'notes.txt'), 'not a config');
  const r = runCli(['-c', dir, '--print-config']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual((JSON.parse(r.stdout) as { services: { name: string }[] }).services.map((s) => s.name), ['a', 'b']);

  // The same service in two files: an error that names both.
  writeFileSync(join(dir, '30-c.conf'), '# dropped in by another tool\n[a]\ncmd: true\nrefresh: 1\nservice_port: 3\nzookeeper_path: /c\n');
  const twice = runCli(['-c', dir, '--print-config']);
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, new RegExp(`^${join(dir, '30-c.conf')}:2: section \\[a\\] is defined twice \\(also at ${join(dir, '10-a.ini')}:1\\)`, 'm'));
});

test('bad flags exit 2 with the error and one line pointing at --help (not the whole usage); --help and --version exit 0', () => {
  const bad = runCli(['--no-such-flag']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^zk-watcher: Unknown option '--no-such-flag'[^\n]*\nTry 'zk-watcher --help' for more information\.\n$/);
  assert.equal(bad.stdout, '');
  // Each subcommand points at its own help; the error is the last line but one, whatever it is.
  for (const [argv, name] of [[['--session-timeout', '0'], 'zk-watcher'], [['check', '--nope'], 'zk-watcher check'], [['status', '--nope'], 'zk-watcher status'], [['status', 'extra'], 'zk-watcher status'], [['maint', '--nope'], 'zk-watcher maint'], [['registry', '--nope'], 'zk-watcher registry']] as const) {
    const r = runCli([...argv]);
    assert.equal(r.code, 2, argv.join(' '));
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 2, r.stderr);
    assert.ok(lines[0]!.startsWith(`${name}: `), r.stderr);
    assert.equal(lines[1], `Try '${name} --help' for more information.`);
    assert.doesNotMatch(r.stderr, /Usage:/);
    const help = runCli([...argv.slice(0, name === 'zk-watcher' ? 0 : 1), '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, new RegExp(`^Usage: ${name} `));
  }
  const help = runCli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /-c, --config FILE/);
  const version = runCli(['--version']);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^zk-watcher \d+\.\d+\.\d+\n$/);
});

test('a malformed --server exits 2 before anything starts', () => {
  const file = writeConfig('[web]\ncmd: true\nrefresh: 1\nservice_port: 80\nzookeeper_path: /w\n');
  const r = runCli(['-c', file, '-s', 'a:1/bad//chroot']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--server 'a:1\/bad\/\/chroot': the chroot has an empty segment/);
});

test('a config that holds the [auth] password and is readable by every user gets a warning naming the file and its mode', () => {
  const file = writeConfig(SEED);
  chmodSync(file, 0o644);
  const open = runCli(['-c', file, '--print-config']);
  assert.equal(open.code, 0, open.stderr);
  assert.match(open.stderr, new RegExp(`^${file}:\\d+: warning: \\[auth\\] holds a password, yet the file is readable by every user on this host \\(mode 0644\\); run: chmod o-r ${file}`, 'm'));
  assert.ok(!open.stderr.includes('s3cr3t-pa55'));
  chmodSync(file, 0o640);
  const closed = runCli(['-c', file, '--print-config']);
  assert.equal(closed.code, 0, closed.stderr);
  assert.doesNotMatch(closed.stderr, /readable by every user/);
});
