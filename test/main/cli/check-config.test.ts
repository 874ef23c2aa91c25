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
