// Maintenance flag files: the real agent takes one service, or the whole host, out of
// the registry while its checks keep running, seen by an independent ZooKeeper client.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startAgent, writeConfig, type Agent } from '../support/agent.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';
import { useZooKeeper } from '../support/zk-fixture.js';

const NAMES = ['alpha', 'beta', 'gamma'];
/** Each test's agent registers under its own root, so no test sees another's nodes. */
const configUnder = (root: string) => NAMES.map((name, i) => `[${name}]\ncmd: true\nrefresh: 1\nservice_port: ${8000 + i}\nservice_hostname: mt.example\nzookeeper_path: ${root}/${name}\n`).join('\n');
let root = '';
const nodeOf = (name: string) => `${root}/${name}/mt.example:${8000 + NAMES.indexOf(name)}`;

const dirs: string[] = [];
const fx = useZooKeeper(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function agentWithMaintenance(testRoot: string, files: string[] = []): Promise<{ agent: Agent; dir: string; port: number }> {
  root = testRoot;
  const dir = mkdtempSync(join(tmpdir(), 'zkw-maint-'));
  dirs.push(dir);
  for (const f of files) writeFileSync(join(dir, f), '');
  const port = await freePort();
  const agent = startAgent(['-c', writeConfig(configUnder(testRoot)), '-s', fx.zk.connectString, '--status-port', String(port), '--maintenance-dir', dir]);
  fx.track(agent);
  return { agent, dir, port };
}

async function stopAgent(agent: Agent): Promise<void> {
  agent.signal('SIGTERM');
  assert.equal(await agent.exited, 0);
}

const present = (name: string) => waitFor(() => fx.observer.exists(nodeOf(name)), (s) => s !== null, { what: `${name}'s node to exist`, timeoutMs: 30_000 });
const absent = (name: string) => waitFor(() => fx.observer.exists(nodeOf(name)), (s) => s === null, { what: `${name}'s node to be gone`, timeoutMs: 30_000 });

interface ServiceStatus {
  name: string;
  healthy: boolean | null;
  registered: boolean;
  maintenance: boolean;
}
async function status(port: number): Promise<{ agent: { hostMaintenance: boolean }; services: ServiceStatus[] }> {
  return (await fetch(`http://127.0.0.1:${port}/status`)).json() as never;
}
/** zkwatcher_checks_total{service=NAME,result="pass"} in a /metrics body (0 when absent). */
function passes(body: string, name: string): number {
  const series = `zkwatcher_checks_total{service="${name}",result="pass"} `;
  const line = body.split('\n').find((l) => l.startsWith(series));
  return line === undefined ? 0 : Number(line.slice(series.length));
}
const metrics = async (port: number) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();

test('DIR/<service> takes that service out and leaves the others; removing the file brings it back', async () => {
  const { agent, dir, port } = await agentWithMaintenance('/mt-one');
  for (const n of NAMES) await present(n);
  writeFileSync(join(dir, 'beta'), 'kernel upgrade, ticket OPS-1\n');
  await absent('beta');
  await agent.waitForLog((r) => r.event === 'maintenance_started' && r.service === 'beta', 'beta maintenance_started');
  assert.notEqual(await fx.observer.exists(nodeOf('alpha')), null);
  assert.notEqual(await fx.observer.exists(nodeOf('gamma')), null);
  // Its checks keep running: /status still shows it healthy, in maintenance, not registered.
  const doc = await waitFor(() => status(port), (d) => d.services.find((s) => s.name === 'beta')?.registered === false, { what: 'beta unregistered in /status' });
  assert.deepEqual(
    doc.services.map((s) => [s.name, s.healthy, s.registered, s.maintenance]),
    [['alpha', true, true, false], ['beta', true, false, true], ['gamma', true, true, false]],
  );
  assert.equal(doc.agent.hostMaintenance, false);
  const m = await metrics(port);
  assert.match(m, /^zkwatcher_maintenance\{service="beta"\} 1$/m);
  assert.match(m, /^zkwatcher_maintenance\{service="alpha"\} 0$/m);
  assert.match(m, /^zkwatcher_service_registered\{service="beta"\} 0$/m);

  rmSync(join(dir, 'beta'));
  await present('beta');
  await agent.waitForLog((r) => r.event === 'maintenance_ended' && r.service === 'beta', 'beta maintenance_ended');
  await waitFor(() => status(port), (d) => d.services.every((s) => s.registered && !s.maintenance), { what: 'every service registered, none in maintenance' });
  await stopAgent(agent);
});

test('DIR/all takes the whole host out; removing it brings every service back', async () => {
  const { agent, dir, port } = await agentWithMaintenance('/mt-all');
  for (const n of NAMES) await present(n);
  writeFileSync(join(dir, 'all'), '');
  for (const n of NAMES) await absent(n);
  const doc = await waitFor(() => status(port), (d) => d.agent.hostMaintenance && d.services.every((s) => !s.registered), { what: 'host maintenance in /status' });
  assert.ok(doc.services.every((s) => s.maintenance && s.healthy === true));
  assert.match(await metrics(port), /^zkwatcher_host_maintenance 1$/m);
  await waitFor(async () => agent.logs.filter((r) => r.event === 'maintenance_started').map((r) => r.service).sort(), (s) => s.length === NAMES.length, { what: 'one maintenance_started per service' });
  rmSync(join(dir, 'all'));
  for (const n of NAMES) await present(n);
  await waitFor(() => status(port), (d) => !d.agent.hostMaintenance && d.services.every((s) => s.registered), { what: 'host maintenance over in /status' });
  await stopAgent(agent);
});

test('a host in maintenance at start runs its checks and registers nothing', async () => {
  const { agent, dir, port } = await agentWithMaintenance('/mt-boot', ['all']);
  await agent.waitForLog((r) => r.event === 'zk_connected', 'session established');
  // Two results each after the session is up: had anything wanted a node, it would be asked for by now.
  await waitFor(() => metrics(port), (m) => NAMES.every((n) => passes(m, n) >= 3), { what: 'three passing checks per service', timeoutMs: 30_000 });
  for (const n of NAMES) assert.equal(await fx.observer.exists(nodeOf(n)), null, `${n} was registered while the host was in maintenance`);
  assert.equal(agent.logs.some((r) => r.event === 'maintenance_started'), false, 'services start in maintenance; nothing started');
  rmSync(join(dir, 'all'));
  for (const n of NAMES) await present(n);
  await stopAgent(agent);
});
