// Where a zk_watcher host used to behave differently: the real program (and the package as
// npm installs it) against a real ZooKeeper, seen by an independent client, with a real
// rsyslogd for -l. What the original did is in each test's comment.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, test } from 'node:test';
import zookeeper from 'node-zookeeper-client';
import { runCli, startAgent, startInstalled, writeConfig, type Agent } from '../support/agent.js';
import { startRsyslog } from '../support/rsyslog.js';
import { holdsFor, waitFor } from '../support/wait.js';
import { useZooKeeper } from '../support/zk-fixture.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const dirs: string[] = [];
const fx = useZooKeeper(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const service = (name: string, path: string, port: number, cmd = 'true') =>
  `[${name}]\ncmd: ${cmd}\nrefresh: 0.5\nservice_port: ${port}\nservice_hostname: di.example\nzookeeper_path: ${path}\n`;

const exists = (path: string) => waitFor(() => fx.observer.exists(path), (s) => s !== null, { what: `${path} to exist`, timeoutMs: 30_000 });
const gone = (path: string) => waitFor(() => fx.observer.exists(path), (s) => s === null, { what: `${path} to be deleted`, timeoutMs: 30_000 });

async function stop(a: Agent): Promise<void> {
  a.signal('SIGTERM');
  assert.equal(await a.exited, 0);
}

/** The raw data of a node: null when ZooKeeper holds none (length -1), as kazoo would read None. */
function rawData(path: string): Promise<Buffer | null> {
  return new Promise((resolve, reject) =>
    fx.observer.raw.getData(path, undefined, (e: unknown, data?: Buffer) => (e ? reject(e) : resolve(data ?? null))),
  );
}

// The package as `npm install -g` lays it out: both names in bin/, linked as npm links them.
let installed = '';
before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zkw-install-'));
  dirs.push(dir);
  const npm = (args: string[]) => {
    const r = spawnSync('npm', args, { cwd: REPO, encoding: 'utf8', timeout: 180_000 });
    assert.equal(r.status, 0, `npm ${args.join(' ')}: ${r.stderr}`);
  };
  npm(['pack', '--ignore-scripts', '--silent', '--pack-destination', dir]);
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  // --prefer-offline: the tarballs come from npm's cache, which the suite's `npm ci` filled;
  // npm ci caches no registry metadata, so on a fresh machine that is fetched (--offline failed).
  npm(['install', '-g', '--prefix', join(dir, 'prefix'), '--prefer-offline', '--no-audit', '--no-fund', '--silent', join(dir, tarball)]);
  installed = join(dir, 'prefix', 'bin');
});

test('an unquoted & in cmd (a URL\'s query) is refused with FILE:LINE, the key and the fix, at start and on SIGHUP, and the registered node stays', async () => {
  // What /bin/sh makes of it: the failing test runs in the background, `b=2` passes. zk_watcher ran it without a shell, and it failed.
  const hazard = 'test -e /nonexistent/health?a=1&b=2';
  assert.equal(spawnSync('sh', ['-c', hazard]).status, 0, 'sh -c passes the hazard whatever the first part does');
  const broken = writeConfig(service('web', '/dropin/amp', 1, hazard));
  const refused = runCli(['-c', broken, '-s', fx.zk.connectString]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.ok(refused.stderr.includes(`${broken}:2: [web] cmd has an unquoted '&'`), refused.stderr);
  assert.ok(refused.stderr.includes("test -e '/nonexistent/health?a=1&b=2'") && refused.stderr.includes('(key: cmd)'), refused.stderr);

  const file = writeConfig(service('web', '/dropin/amp', 1));
  const a = fx.track(startAgent(['-c', file, '-s', fx.zk.connectString]));
  await exists('/dropin/amp/di.example:1');
  writeFileSync(file, service('web', '/dropin/amp', 1, hazard));
  a.signal('SIGHUP');
  await a.waitForLog((r) => r.event === 'reload_rejected', 'the reload refused');
  const problem = a.logs.find((r) => r.event === 'config_problem');
  assert.match(String(problem?.problem), new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: \\[web\\] cmd has an unquoted '&'.*\\(key: cmd\\)$`));
  await holdsFor(() => fx.observer.exists('/dropin/amp/di.example:1'), (s) => s !== null, { durationMs: 1500, what: 'the node stays' });
  await stop(a);
});

test('a file without services runs idle with a warning; SIGHUP to an empty, comments-only or [auth]-only file deregisters everything, and services come back on the next', async () => {
  // zk_watcher ran idle on such a file; emptying it is how a host's services are retired.
  const file = writeConfig('');
  const check = runCli(['--check-config', '-c', file]);
  assert.equal(check.code, 0, check.stderr);
  assert.match(check.stderr, /warning: defines no service/);
  const a = fx.track(startAgent(['-c', file, '-s', fx.zk.connectString]));
  await a.waitForLog((r) => r.event === 'zk_connected', 'connected while idle');
  // Problems found at start go to stderr, as --check-config prints them.
  assert.match(a.stderr(), /: warning: defines no service \(no section besides \[auth\]\): the agent runs idle and registers nothing/);
  const auth = '[auth]\nuser: agent\npassword: dropin-secret\n';
  const nodes = ['/dropin/idle/a/di.example:11', '/dropin/idle/b/di.example:12'];
  const full = `${auth}${service('a', '/dropin/idle/a', 11)}${service('b', '/dropin/idle/b', 12)}`;
  // [auth] is read at start only; this agent started without it, so the [auth] round is a second agent.
  for (const emptied of ['', '# retired 2026-12-03\n; nothing here\n', '[DEFAULT]\nrefresh: 5\n']) {
    writeFileSync(file, full.replace(auth, ''));
    a.signal('SIGHUP');
    for (const n of nodes) await exists(n);
    writeFileSync(file, emptied);
    a.signal('SIGHUP');
    for (const n of nodes) await gone(n);
  }
  assert.equal(a.process.exitCode, null, 'still running');
  assert.deepEqual(a.logs.filter((r) => r.event === 'reload_rejected'), []);
  await stop(a);

  const withAuth = writeConfig(full);
  const b = fx.track(startAgent(['-c', withAuth, '-s', fx.zk.connectString]));
  for (const n of nodes) await exists(n);
  writeFileSync(withAuth, auth);
  b.signal('SIGHUP');
  for (const n of nodes) await gone(n);
  assert.deepEqual(b.logs.filter((r) => r.event === 'reload_rejected'), []);
  await stop(b);
});

test('a conf.d emptied of its files and reloaded retires its services: nodes deleted, the agent idle and running', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zkw-confd-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'web.cfg'), service('web', '/dropin/confd', 51));
  const a = fx.track(startAgent(['-c', dir, '-s', fx.zk.connectString]));
  await exists('/dropin/confd/di.example:51');
  rmSync(join(dir, 'web.cfg'));
  a.signal('SIGHUP');
  await gone('/dropin/confd/di.example:51');
  const warned = await a.waitForLog((r) => r.event === 'config_problem' && String(r.problem).startsWith(`${dir}: warning: is a directory with no`), 'the empty directory warned about');
  assert.equal(warned.level, 40);
  assert.deepEqual(a.logs.filter((r) => r.event === 'reload_rejected'), []);
  assert.equal(a.process.exitCode, null, 'still running');
  await stop(a);
});

test('a chroot that does not exist is created with empty data, like every parent; one we may not create is an error naming it', async () => {
  // kazoo's ensure_path wrote b'' into every node it made; we wrote null.
  const a = fx.track(startAgent(['-c', writeConfig(service('web', '/services/web', 21)), '-s', `${fx.zk.connectString}/dropin/made`]));
  await exists('/dropin/made/services/web/di.example:21');
  for (const p of ['/dropin', '/dropin/made', '/dropin/made/services', '/dropin/made/services/web']) {
    const data = await rawData(p);
    assert.ok(data !== null && data.length === 0, `${p} holds empty data, not null: ${String(data)}`);
  }
  await stop(a);

  // World may read /dropin/locked but not create under it.
  await fx.observer.create('/dropin/locked', null, zookeeper.CreateMode.PERSISTENT, [new zookeeper.ACL(zookeeper.Permission.READ, zookeeper.Id.ANYONE_ID_UNSAFE)]);
  const b = fx.track(startAgent(['-c', writeConfig(service('web', '/services/web', 22)), '-s', `${fx.zk.connectString}/dropin/locked/app`]));
  const failed = await b.waitForLog((r) => r.event === 'zk_sync_failed', 'the sync failure');
  assert.match(String(failed.error), /the chroot \/dropin\/locked\/app of the connect string does not exist and could not be created: no permission to create it/);
  assert.equal(await fx.observer.exists('/dropin/locked/app'), null);
  await stop(b);
});

test('a zookeeper_path with a trailing / registers where zk_watcher registered, with a warning naming FILE:LINE', async () => {
  const file = writeConfig(service('web', '/dropin/trail/', 31));
  const a = fx.track(startAgent(['-c', file, '-s', fx.zk.connectString]));
  await exists('/dropin/trail/di.example:31');
  // Found at start: on stderr, as --check-config prints it.
  assert.equal(a.stderr().trim(), `${file}:6: warning: [web] zookeeper_path '/dropin/trail/' is read as '/dropin/trail', as zk_watcher's kazoo did; write it so to silence this (key: zookeeper_path)`);
  assert.deepEqual(await fx.observer.getChildren('/dropin/trail'), ['di.example:31']);
  await stop(a);
});

test('installed as zk_watcher and run with optparse prefixes and -l, as hosts run the original: it registers, and rsyslog files it under the original\'s tag and facility', async () => {
  // The rules a host wrote for zk_watcher (tag zk_watcher, facility syslog: info is <46>).
  const rsyslog = await startRsyslog(
    [
      'if $programname == "zk_watcher" and $syslogfacility-text == "syslog" then { action(type="omfile" file=FILE(zk_watcher.log) template="fields") stop }',
      'if $programname == "zk-watcher" and $syslogfacility-text == "daemon" then { action(type="omfile" file=FILE(zk-watcher.log) template="fields") stop }',
      'action(type="omfile" file=FILE(other.log) template="fields")',
    ].join('\n'),
  );
  try {
    const file = writeConfig(service('web', '/dropin/installed', 41));
    const old = fx.track(startInstalled(join(installed, 'zk_watcher'), ['--conf=' + file, '--serv', fx.zk.connectString, '--verb', '--sys', '--syslog-socket', rsyslog.socket]));
    await exists('/dropin/installed/di.example:41');
    const filed = await waitFor(async () => rsyslog.lines('zk_watcher.log'), (l) => l.some((x) => x.includes('"event":"registered"')), { what: 'the registration in zk_watcher.log' });
    assert.match(filed.find((x) => x.includes('"event":"registered"'))!, /^syslog info zk_watcher +\{"level":30,/);
    assert.ok(filed.some((x) => x.startsWith('syslog debug zk_watcher ')), '--verb turned on debug lines');
    await stop(old);

    // The new name keeps the daemon identity, and the flags choose another.
    const renamed = fx.track(startInstalled(join(installed, 'zk-watcher'), ['-c', file, '-s', fx.zk.connectString, '-l', '--syslog-socket', rsyslog.socket]));
    await waitFor(async () => rsyslog.lines('zk-watcher.log'), (l) => l.some((x) => x.startsWith('daemon info zk-watcher ') && x.includes('"event":"registered"')), { what: 'zk-watcher under daemon' });
    await stop(renamed);
    const chosen = fx.track(startInstalled(join(installed, 'zk_watcher'), ['-c', file, '-s', fx.zk.connectString, '-l', '--syslog-socket', rsyslog.socket, '--syslog-tag', 'web-agent', '--syslog-facility', 'local3']));
    await waitFor(async () => rsyslog.lines('other.log'), (l) => l.some((x) => x.startsWith('local3 info web-agent ') && x.includes('"event":"registered"')), { what: 'web-agent under local3' });
    await stop(chosen);
    assert.deepEqual(rsyslog.lines('other.log').filter((l) => !l.startsWith('local3 ')), [], 'nothing else fell through the rules');
  } finally {
    await rsyslog.close();
  }
});

test('a file that is not UTF-8 is refused with the offending byte and its line, exit 2', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'zkw-latin1-')), 'latin1.cfg');
  dirs.push(join(file, '..'));
  writeFileSync(file, Buffer.concat([Buffer.from('[web]\nrefresh: 1\ncmd: echo caf'), Buffer.from([0xe9]), Buffer.from('\nservice_port: 80\nzookeeper_path: /x\n')]));
  const r = runCli(['-c', file, '-s', fx.zk.connectString]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.split('\n')[0], `${file}:3: is not UTF-8 text: byte 0xe9 (byte 31 of the file, on line 3) does not begin a valid UTF-8 character; save the file as UTF-8`);
});
