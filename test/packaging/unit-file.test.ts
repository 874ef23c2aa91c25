// The shipped systemd files, checked by systemd's own tools (systemd-analyze verify and
// security, systemd-sysusers), not by reading them with our eyes.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CLI } from '../support/agent.js';

const PACKAGING = fileURLToPath(new URL('../../../packaging/', import.meta.url));
const UNIT = readFileSync(join(PACKAGING, 'zk-watcher.service'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'zkw-unit-'));

after(() => rmSync(dir, { recursive: true, force: true }));

/** The unit as installed, but starting the program this checkout built (/usr/bin/zk-watcher is not installed here). */
function unitHere(text = UNIT): string {
  const path = join(dir, 'zk-watcher.service');
  assert.match(text, /^ExecStart=\/usr\/bin\/zk-watcher /m);
  writeFileSync(path, text.replace(/^(ExecStart|ExecReload)=\/usr\/bin\/zk-watcher /gm, `$1=${process.execPath} ${CLI} `));
  return path;
}

function systemdAnalyze(args: string[]): { code: number | null; out: string } {
  const r = spawnSync('/usr/bin/systemd-analyze', args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`systemd-analyze is needed for this test: ${r.error.message}`);
  return { code: r.status, out: r.stdout + r.stderr };
}

/** What systemd-analyze verify says about our unit (it may also talk about the host's units). */
function complaints(path: string): string[] {
  const r = systemdAnalyze(['verify', '--man=no', path]);
  const ours = r.out.split('\n').filter((l) => l.includes('zk-watcher.service'));
  return r.code === 0 ? ours : [...ours, `exit code ${r.code}: ${r.out}`];
}

test('systemd-analyze verify accepts the unit without a single complaint', () => {
  assert.deepEqual(complaints(unitHere()), []);
});

test('the same check notices a broken unit (so the empty answer above means something)', () => {
  const broken = UNIT.replace('LockPersonality=yes', 'LockPersonalty=yes').replace('KillMode=mixed', 'KillMode=sometimes');
  const found = complaints(unitHere(broken));
  assert.ok(found.some((l) => /Unknown key 'LockPersonalty'/.test(l)), found.join('\n'));
  assert.ok(found.some((l) => /kill mode/i.test(l)), found.join('\n'));
});

test('the unit is the daemon the notify protocol and the agent expect', () => {
  const directives = new Map<string, string[]>();
  for (const line of UNIT.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) directives.set(m[1]!, [...(directives.get(m[1]!) ?? []), m[2]!]);
  }
  const one = (key: string) => directives.get(key)?.join(' | ');
  assert.equal(one('Type'), 'notify');
  assert.equal(one('NotifyAccess'), 'all', 'the zkw-notify helper is a child process, not the main pid');
  assert.equal(one('Restart'), 'on-failure');
  assert.equal(one('KillMode'), 'mixed');
  assert.equal(one('ExecReload'), '/usr/bin/zk-watcher --check-config -c /etc/zk/config.cfg $ZK_WATCHER_OPTS | /bin/kill -HUP $MAINPID', 'the config is checked before the agent is signalled');
  assert.equal(/-c (\S+)/.exec(one('ExecStart') ?? '')?.[1], '/etc/zk/config.cfg', 'the reload checks the file the agent reads');
  assert.equal(one('User'), 'zk-watcher');
  assert.equal(directives.has('MemoryDenyWriteExecute'), false, "V8's JIT needs writable and executable memory");
  assert.equal(directives.has('ProtectProc'), false, "checks such as `pgrep` must see other users' processes");
});

test("systemd-analyze security rates the sandbox's exposure low", () => {
  const r = systemdAnalyze(['security', '--offline=yes', unitHere()]);
  const m = /Overall exposure level for zk-watcher\.service: ([0-9.]+)/.exec(r.out);
  assert.ok(m, r.out);
  assert.ok(Number(m[1]) <= 3, `exposure ${m[1]} (was 2.0 when the unit was written)`);
});

test('the sysusers.d file creates the unprivileged user the unit runs as', () => {
  const root = mkdtempSync(join(dir, 'root-'));
  mkdirSync(join(root, 'etc'));
  const r = spawnSync('systemd-sysusers', [`--root=${root}`, join(PACKAGING, 'zk-watcher.sysusers')], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`systemd-sysusers is needed for this test: ${r.error.message}`);
  assert.equal(r.status, 0, r.stderr);
  const passwd = readFileSync(join(root, 'etc/passwd'), 'utf8');
  const entry = passwd.split('\n').find((l) => l.startsWith('zk-watcher:'));
  assert.ok(entry, passwd);
  const [, , uid, , , , shell] = entry.split(':');
  assert.ok(Number(uid) > 0 && Number(uid) < 1000, `a system uid, not root: ${entry}`);
  assert.equal(shell, '/usr/sbin/nologin');
});
