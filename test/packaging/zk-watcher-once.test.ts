// packaging/zk-watcher-once turns the installed unit (`systemctl cat`) into systemd-run
// properties. Here systemctl and systemd-run are stand-ins on PATH that print the unit and
// record the argv, so the translation itself is checked on every `npm test`; the real
// systemd runs it in `npm run test:systemd` (scenario e).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../../packaging/zk-watcher-once', import.meta.url));
const UNIT = readFileSync(fileURLToPath(new URL('../../../packaging/zk-watcher.service', import.meta.url)), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'zkw-once-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(unitText: string, args: string[]): { code: number | null; argv: string[]; stderr: string } {
  writeFileSync(join(dir, 'unit.txt'), unitText);
  writeFileSync(join(dir, 'systemctl'), `#!/bin/sh\n[ "$1" = cat ] && [ "$2" = -- ] && [ "$3" = zk-watcher.service ] || exit 9\ncat '${join(dir, 'unit.txt')}'\n`);
  writeFileSync(join(dir, 'systemd-run'), `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > '${join(dir, 'argv.txt')}'\nexit 1\n`);
  chmodSync(join(dir, 'systemctl'), 0o755);
  chmodSync(join(dir, 'systemd-run'), 0o755);
  const r = spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8', env: { PATH: `${dir}:${process.env.PATH}` }, timeout: 30_000 });
  return { code: r.status, argv: readFileSync(join(dir, 'argv.txt'), 'utf8').trimEnd().split('\n'), stderr: r.stderr };
}

const properties = (argv: string[]) => argv.filter((a) => a.startsWith('--property=')).map((a) => a.slice('--property='.length));

test('the shipped unit: every sandbox and identity setting is passed on, none of the daemon\'s own, and the exit code is systemd-run\'s', () => {
  const r = run(`# /etc/systemd/system/zk-watcher.service\n${UNIT}`, ['-c', '/etc/zk/config.cfg']);
  assert.equal(r.code, 1, r.stderr);
  const props = properties(r.argv);
  for (const kept of ['User=zk-watcher', 'ProtectSystem=strict', 'PrivateTmp=yes', 'CapabilityBoundingSet=', 'SystemCallFilter=@system-service', 'EnvironmentFile=-/etc/default/zk-watcher', 'StateDirectory=zk-watcher zk-watcher/maintenance', 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6']) {
    assert.ok(props.includes(kept), `${kept} in ${props.join(' | ')}`);
  }
  for (const dropped of ['Type=', 'NotifyAccess=', 'WatchdogSec=', 'Restart=', 'ExecStart=', 'ExecReload=', 'KillMode=', 'TimeoutStopSec=']) {
    assert.ok(!props.some((p) => p.startsWith(dropped)), `${dropped} must not be copied: ${props.join(' | ')}`);
  }
  assert.ok(!props.some((p) => p.startsWith('Description=') || p.startsWith('WantedBy=')), 'only [Service] settings');
  assert.deepEqual(r.argv.slice(r.argv.indexOf('--')), ['--', '/usr/bin/zk-watcher', '--once', '-c', '/etc/zk/config.cfg']);
});

test('a drop-in written the way unit files allow: blanks around =, indented comments, continuation lines, a RuntimeDirectory= that must not be copied', () => {
  const dropIn = ['# /etc/systemd/system/zk-watcher.service.d/override.conf', '[Service]', '  # loosened for a check that writes', 'ReadWritePaths = /var/lib/app', 'Environment=A=1 \\', '  B=2', 'RuntimeDirectory=zk-watcher', ''].join('\n');
  const props = properties(run(UNIT + '\n' + dropIn, []).argv);
  assert.ok(props.includes('ReadWritePaths=/var/lib/app'), props.join(' | '));
  assert.ok(props.some((p) => /^Environment=A=1 +B=2$/.test(p)), props.join(' | '));
  assert.ok(!props.some((p) => p.startsWith('#') || p.startsWith('RuntimeDirectory')), props.join(' | '));
});
