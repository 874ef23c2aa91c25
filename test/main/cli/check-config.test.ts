// --check-config (what the unit's ExecReload= runs before it signals the agent) and the
// config rule that needs the host's name: two sections may not register the same node.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pythonFqdn, runCli, writeConfig } from '../../support/agent.js';

const section = (name: string, port: number, host = '') => `[${name}]\ncmd: true\nrefresh: 1\nservice_port: ${port}\n${host === '' ? '' : `service_hostname: ${host}\n`}zookeeper_path: /same\n`;

test('--check-config: a usable config exits 0 and says how many services it has, on stdout', () => {
  const r = runCli(['--check-config', '-c', writeConfig(section('a', 1) + section('b', 2))]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'zk-watcher: the config can be used: 2 services\n');
  assert.equal(r.stderr, '');
});

test('--check-config: a broken config exits 2 with every FILE:LINE problem, and the flags the unit passes are accepted', () => {
  const file = writeConfig(section('a', 1) + '[b]\ncmd: true\nrefresh: soon\nservice_port: 99999\nzookeeper_path: /same\n');
  const r = runCli(['--check-config', '-c', file, '--status-port', '9999', '--session-timeout', '5']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`^${file}:8: .*refresh.*\\(key: refresh\\)$`, 'm'));
  assert.match(r.stderr, new RegExp(`^${file}:9: .*\\(key: service_port\\)$`, 'm'));
  assert.match(r.stderr, /the config has errors; it cannot be used$/m);
  assert.equal(r.stdout, '');
});

test('two sections that name the same node are refused at start, naming both with FILE:LINE', () => {
  const file = writeConfig(section('a', 80, 'web.example') + section('b', 81, 'web.example') + section('c', 80, 'web.example'));
  for (const flags of [['--check-config'], ['--once'], ['--print-config'], ['-s', '127.0.0.1:1']]) {
    const r = runCli([...flags, '-c', file]);
    assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^${file}:13: \\[c\\] registers the same node /same/web.example:80 as \\[a\\] \\(${file}:1\\); give each section its own zookeeper_path, service_hostname or service_port$`, 'm'), flags.join(' '));
  }
});

test("the same node through the host's default name and an explicit one is the same node", () => {
  const fqdn = pythonFqdn();
  const file = writeConfig(section('a', 80) + section('b', 80, fqdn));
  const r = runCli(['--check-config', '-c', file]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`\\[b\\] registers the same node /same/${fqdn.replace(/\./g, '\\.')}:80 as \\[a\\]`));
});

test('a FIFO among the config files is refused at once instead of blocking the read (and the exit) for ever', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zkw-fifo-'));
  writeFileSync(join(dir, '10.cfg'), section('a', 1));
  assert.equal(spawnSync('mkfifo', [join(dir, '20.cfg')]).status, 0);
  const r = runCli(['--check-config', '-c', dir]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`^${join(dir, '20.cfg')}: is not a regular file`, 'm'));
});

test('check: the same verdict as --check-config, and the flags ExecReload= passes (the daemon\'s) are accepted', () => {
  const good = writeConfig(section('a', 1) + section('b', 2));
  for (const argv of [['check', '-c', good], ['check', '-c', good, '--status-port', '9647', '--session-timeout', '5', '--strict'], ['--check-config', '-c', good]]) {
    const r = runCli(argv);
    assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, 'zk-watcher: the config can be used: 2 services\n');
    assert.equal(r.stderr, '');
  }
  const broken = writeConfig(section('a', 1) + '[b]\ncmd: true\nrefresh: soon\nservice_port: 2\nzookeeper_path: /same\n');
  const r = runCli(['check', '-c', broken]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`^${broken}:8: .*\\(key: refresh\\)$`, 'm'));
  assert.match(r.stderr, /the config has errors; it cannot be used$/m);
});

test('check --strict: a typo in an optional key (zookeper_data) is a warning naming FILE:LINE, the key and the fix; --strict makes it exit 2', () => {
  const file = writeConfig(section('a', 1) + section('b', 2).replace('zookeeper_path', 'zookeper_data: {"weight": 3}\nzookeeper_path'));
  const warning = `${file}:10: warning: [b] unknown key 'zookeper_data' is ignored; did you mean 'zookeeper_data'? (key: zookeper_data)\n`;
  const lenient = runCli(['check', '-c', file]);
  assert.equal(lenient.code, 0, lenient.stderr);
  assert.equal(lenient.stderr, warning);
  assert.equal(lenient.stdout, 'zk-watcher: the config can be used: 2 services (1 warning)\n');
  for (const argv of [['check', '--strict', '-c', file], ['--check-config', '--strict', '-c', file]]) {
    const strict = runCli(argv);
    assert.equal(strict.code, 2, argv.join(' '));
    assert.equal(strict.stderr, warning + 'zk-watcher: the config has a warning, and --strict refuses it\n');
    assert.equal(strict.stdout, '');
  }
  const daemon = runCli(['--strict', '-c', file]);
  assert.equal(daemon.code, 2, '--strict means nothing to the daemon');
  assert.match(daemon.stderr, /^zk-watcher: --strict only goes with check/);
});

test('check: a service_hostname of localhost is a warning at its line (every other host would connect to itself); --strict refuses it', () => {
  const file = writeConfig(section('a', 1, 'localhost') + section('b', 2, '127.0.0.1') + section('c', 3, 'c.example'));
  const r = runCli(['check', '-c', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`^${file}:5: warning: \\[a\\] service_hostname 'localhost' names the loopback interface: every other host that reads the node connects to itself \\(key: service_hostname\\)$`, 'm'));
  assert.match(r.stderr, new RegExp(`^${file}:11: warning: \\[b\\] service_hostname '127\\.0\\.0\\.1' names the loopback interface`, 'm'));
  assert.doesNotMatch(r.stderr, /\[c\]/);
  assert.equal(r.stdout, 'zk-watcher: the config can be used: 3 services (2 warnings)\n');
  const strict = runCli(['check', '--strict', '-c', file]);
  assert.equal(strict.code, 2);
  assert.match(strict.stderr, /the config has 2 warnings, and --strict refuses them\n$/);
});
