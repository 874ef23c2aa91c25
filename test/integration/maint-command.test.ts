// `zk-watcher maint`: the real command writes and removes the flag files, and the real
// agent takes the node out of ZooKeeper (seen by an independent client) and says why in
// /status and its log.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startAgent, writeConfig } from '../support/agent.js';
import { openNotifySocket } from '../support/notify-socket.js';
import { freePort } from '../support/ports.js';
import { runCliAsync } from '../support/run-cli.js';
import { waitFor } from '../support/wait.js';
import { useZooKeeper } from '../support/zk-fixture.js';

const NAMES = ['web', 'db'];
const config = NAMES.map((name, i) => `[${name}]\ncmd: true\nrefresh: 1\nservice_port: ${8000 + i}\nservice_hostname: mc.example\nzookeeper_path: /mc/${name}\n`).join('\n');
const nodeOf = (name: string) => `/mc/${name}/mc.example:${8000 + NAMES.indexOf(name)}`;

const dir = mkdtempSync(join(tmpdir(), 'zkw-maint-cmd-'));
const fx = useZooKeeper(() => rmSync(dir, { recursive: true, force: true }));

interface Note {
  reason: string;
  by: string | null;
  at: string | null;
}
interface StatusDoc {
  agent: { hostMaintenance: boolean; hostMaintenanceNote: Note | null };
  services: { name: string; registered: boolean; maintenance: boolean; maintenanceNote: Note | null }[];
}
const present = (name: string) => waitFor(() => fx.observer.exists(nodeOf(name)), (s) => s !== null, { what: `${name}'s node to exist`, timeoutMs: 30_000 });
const absent = (name: string) => waitFor(() => fx.observer.exists(nodeOf(name)), (s) => s === null, { what: `${name}'s node to be gone`, timeoutMs: 30_000 });

test('maint on/off takes a service, then the host, out of ZooKeeper and back, with the reason in /status, the log and STATUS=; a typo is exit 2', async (t) => {
  const maintDir = join(dir, 'maintenance'); // not there yet: maint on makes it
  const cfg = writeConfig(config);
  const port = await freePort();
  const notify = await openNotifySocket();
  t.after(() => notify.close());
  const agent = fx.track(startAgent(['-c', cfg, '-s', fx.zk.connectString, '--status-port', String(port), '--maintenance-dir', maintDir], { ...process.env, NOTIFY_SOCKET: notify.address }));
  const status = async () => (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as StatusDoc;
  const maint = (...args: string[]) => runCliAsync(['maint', ...args, '--maintenance-dir', maintDir, '-c', cfg], { ...process.env, SUDO_USER: 'alice' });
  for (const n of NAMES) await present(n);

  const on = await maint('on', 'web', '--reason', 'deploy 42');
  assert.equal(on.code, 0, on.stderr);
  assert.match(on.stdout, /^web is in maintenance: deploy 42 \(by alice, \d{4}-\d\d-\d\dT[\d:.]+Z\)$/m);
  assert.deepEqual(readdirSync(maintDir), ['web'], 'written under a dot name and renamed: no temporary is left');
  await absent('web');
  assert.notEqual(await fx.observer.exists(nodeOf('db')), null, 'the other service stays');
  const doc = await waitFor(status, (d) => d.services.find((s) => s.name === 'web')?.maintenanceNote !== null, { what: "web's reason in /status" });
  const web = doc.services.find((s) => s.name === 'web')!;
  assert.equal(web.maintenance, true);
  assert.equal(web.maintenanceNote?.reason, 'deploy 42');
  assert.equal(web.maintenanceNote?.by, 'alice');
  assert.equal(doc.services.find((s) => s.name === 'db')?.maintenanceNote, null);
  const logged = await agent.waitForLog((r) => r.event === 'maintenance_on' && r.service === 'web', 'maintenance_on for web');
  assert.equal(logged.reason, 'deploy 42');
  await notify.waitForMessage((m) => m === 'STATUS=2 services, 2 healthy, 1 registered, 1 in maintenance (deploy 42); ZooKeeper connected', 'STATUS= with the reason');

  const listed = await maint();
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^ {2}web: deploy 42 \(by alice, /m);

  const typo = await maint('on', 'wbe', '--reason', 'oops');
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /no service 'wbe' in .*agent\.cfg \(did you mean 'web'\?\); its services: web, db/);
  assert.equal(existsSync(join(maintDir, 'wbe')), false, 'nothing written for a typo');

  const off = await maint('off', 'web');
  assert.equal(off.code, 0, off.stderr);
  await present('web');
  await agent.waitForLog((r) => r.event === 'maintenance_off' && r.service === 'web', 'maintenance_off for web');
  const again = await maint('off', 'web');
  assert.equal(again.code, 0, 'off for what is not in maintenance is done already');
  assert.match(again.stdout, /web was not in maintenance/);

  assert.equal((await maint('on', '--reason', 'rack move')).code, 0);
  for (const n of NAMES) await absent(n);
  const host = await waitFor(status, (d) => d.agent.hostMaintenanceNote !== null, { what: "the host's reason in /status" });
  assert.equal(host.agent.hostMaintenanceNote?.reason, 'rack move');
  assert.ok(host.services.every((s) => s.maintenanceNote?.reason === 'rack move'), 'each service carries the host reason');
  await notify.waitForMessage((m) => m === 'STATUS=2 services, 2 healthy, 0 registered; host in maintenance (rack move); ZooKeeper connected', "STATUS= with the host's reason");
  assert.equal((await maint('off')).code, 0);
  for (const n of NAMES) await present(n);

  agent.signal('SIGTERM');
  assert.equal(await agent.exited, 0);
});

test('a host that boots in maintenance is ready as converged, not at the start-up deadline', async (t) => {
  const maintDir = join(dir, 'boot');
  const on = await runCliAsync(['maint', 'on', '--reason', 'new rack', '--maintenance-dir', maintDir, '-c', writeConfig(config)]);
  assert.equal(on.code, 0, on.stderr);
  const notify = await openNotifySocket();
  t.after(() => notify.close());
  const agent = fx.track(startAgent(['-c', writeConfig(config), '-s', fx.zk.connectString, '--maintenance-dir', maintDir], { ...process.env, NOTIFY_SOCKET: notify.address }));
  await notify.waitForMessage((m) => m === 'READY=1', 'READY=1');
  const ready = await agent.waitForLog((r) => r.event === 'notify_ready', 'notify_ready');
  assert.match(ready.msg, /start-up registrations converged/, 'healthy services in maintenance are settled unregistered');
  await notify.waitForMessage((m) => m === 'STATUS=2 services, 2 healthy, 0 registered; host in maintenance (new rack); ZooKeeper connected', 'STATUS= in maintenance from the start');
  for (const n of NAMES) assert.equal(await fx.observer.exists(nodeOf(n)), null);
  agent.signal('SIGTERM');
  assert.equal(await agent.exited, 0);
});

test('maint: exit 1 when the flag file cannot be written, 2 on a bad command line; a config that cannot be read does not stop it', async () => {
  const cfg = writeConfig(config);
  const notADir = join(dir, 'file');
  writeFileSync(notADir, '');
  const unwritable = await runCliAsync(['maint', 'on', 'web', '--maintenance-dir', join(notADir, 'maintenance'), '-c', cfg]);
  assert.equal(unwritable.code, 1);
  assert.match(unwritable.stderr, /cannot write .*file\/maintenance\/web/);
  const bad = await runCliAsync(['maint', 'maybe']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^zk-watcher maint: 'maybe' is not on or off\nTry 'zk-watcher maint --help' for more information\.\n$/);
  const loose = join(dir, 'loose');
  const noConfig = await runCliAsync(['maint', 'on', 'anything', '--maintenance-dir', loose, '-c', join(dir, 'missing.cfg')]);
  assert.equal(noConfig.code, 0, noConfig.stderr);
  assert.match(noConfig.stderr, /warning: the config cannot be used .*missing\.cfg.*'anything' is not checked against it/);
  assert.deepEqual(readdirSync(loose), ['anything']);
  // A flag file that names no service (a section since removed) can still be removed; a typo for one that is not there cannot.
  const leftOver = await runCliAsync(['maint', 'off', 'anything', '--maintenance-dir', loose, '-c', cfg]);
  assert.equal(leftOver.code, 0, leftOver.stderr);
  assert.deepEqual(readdirSync(loose), []);
  const typo = await runCliAsync(['maint', 'off', 'anything', '--maintenance-dir', loose, '-c', cfg]);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /no service 'anything'/);
});
