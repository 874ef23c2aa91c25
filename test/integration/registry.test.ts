// `zk-watcher registry`: what ZooKeeper holds for this host against what the running agent
// wants, read by the real command from a real ZooKeeper and the real agent's /status.
// Disagreements are made as they happen in incidents: a node created behind the agent's
// back, the agent cut off from ZooKeeper while the server expires its session, no agent.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import zookeeper from 'node-zookeeper-client';
import { nodeName } from '../../src/shared/formats/index.js';
import { startAgent, writeConfig } from '../support/agent.js';
import { freePort } from '../support/ports.js';
import { runCliAsync } from '../support/run-cli.js';
import { startProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';
import { connectClient } from '../support/zk-client.js';
import { useZooKeeper } from '../support/zk-fixture.js';

const config = ['[web]\ncmd: true\n', '[down]\ncmd: false\n']
  .map((head, i) => `${head}refresh: 1\nservice_port: ${8000 + i}\nservice_hostname: rg.example\nzookeeper_path: /rg/${i === 0 ? 'web' : 'down'}\n`)
  .join('\n');
const WEB = '/rg/web/rg.example:8000';
const DOWN = '/rg/down/rg.example:8001';

const fx = useZooKeeper();

interface Report {
  agree: boolean;
  strays: { path: string; owner: string | null; heldByAgent: boolean }[];
  agent: { answered: boolean; sessionId?: string | null };
  services: { name: string; path: string; node: { owner: string | null; data: string } | null; nodesInPath: number | null; flags: string[] }[];
}

test('registry: agreement, a stale node made behind the agent, a node lost while the agent is cut off, and no agent', async () => {
  const cfg = writeConfig(config);
  const port = await freePort();
  const proxy = await startProxy(fx.zk.port);
  const agent = fx.track(startAgent(['-c', cfg, '-s', proxy.connectString, '--session-timeout', '2', '--status-port', String(port), '--maintenance-dir', '/nonexistent/zkw-registry']));
  const registry = async (): Promise<{ code: number | null; report: Report; stderr: string }> => {
    const r = await runCliAsync(['registry', '-c', cfg, '-s', fx.zk.connectString, '--status-port', String(port), '--json']);
    let report: Report;
    try {
      report = JSON.parse(r.stdout) as Report;
    } catch {
      throw new Error(`registry printed no JSON (exit ${r.code}): ${r.stdout}${r.stderr}`);
    }
    return { code: r.code, report, stderr: r.stderr };
  };
  const flagsOf = (report: Report, name: string) => report.services.find((s) => s.name === name)?.flags;
  await waitFor(() => fx.observer.exists(WEB), (s) => s !== null, { what: "web's node", timeoutMs: 30_000 });
  await waitFor(async () => ((await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as { services: { name: string; healthy: boolean | null }[] }).services.every((s) => s.healthy !== null), (v) => v, { what: 'a verdict for every service' });

  // They agree: web present and owned by the agent's session, down absent.
  const agreed = await registry();
  assert.equal(agreed.code, 0, agreed.stderr);
  assert.equal(agreed.report.agree, true);
  const web = agreed.report.services.find((s) => s.name === 'web')!;
  assert.equal(web.path, WEB);
  assert.equal(web.node?.owner, agreed.report.agent.sessionId, "the node's owner is the agent's session");
  assert.match(web.node?.data ?? '', /"pid":\d+/);
  assert.equal(agreed.report.services.find((s) => s.name === 'down')?.node, null);
  const table = await runCliAsync(['registry', '-c', cfg, '-s', fx.zk.connectString, '--status-port', String(port)]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^agree: ZooKeeper .* holds what the agent wants$/m);

  // Another client registers the unhealthy service (stale, and not the agent's), and this host on a port no service has (stray).
  const other = await connectClient(fx.zk.connectString);
  try {
    await other.mkdirp('/rg/down');
    await other.create(DOWN, '{"pid":1}', zookeeper.CreateMode.EPHEMERAL);
    await other.create('/rg/web/rg.example:9999', '{"pid":1}', zookeeper.CreateMode.EPHEMERAL);
    const stale = await registry();
    assert.equal(stale.code, 3, stale.stderr);
    assert.equal(stale.report.agree, false);
    assert.deepEqual(flagsOf(stale.report, 'down'), ['STALE', 'FOREIGN OWNER']);
    assert.deepEqual(flagsOf(stale.report, 'web'), []);
    assert.deepEqual(stale.report.strays.map((n) => [n.path, n.owner, n.heldByAgent]), [['/rg/web/rg.example:9999', other.sessionId(), false]]);
    const text = await runCliAsync(['registry', '-c', cfg, '-s', fx.zk.connectString, '--status-port', String(port)]);
    assert.equal(text.code, 3);
    assert.match(text.stdout, /^down .*STALE, FOREIGN OWNER/m);
    assert.match(text.stdout, /^STRAY \/rg\/web\/rg\.example:9999: owner 0x[0-9a-f]{16}, no service wants it/m);
    assert.match(text.stdout, /^DISAGREE: 1 of 2 services flagged, and 1 stray node$/m);
  } finally {
    await other.close();
  }
  await waitFor(() => fx.observer.exists(DOWN), (s) => s === null, { what: "the other client's node gone with its session" });
  assert.equal((await registry()).code, 0, 'agreement again once they are gone');

  // The agent is cut off; the server expires its session and web's node with it. The agent still wants it: missing.
  await proxy.setMode('refuse');
  await waitFor(() => fx.observer.exists(WEB), (s) => s === null, { what: "web's node gone with the agent's session", timeoutMs: 30_000 });
  const missing = await registry();
  assert.equal(missing.code, 3, missing.stderr);
  assert.deepEqual(flagsOf(missing.report, 'web'), ['MISSING']);
  await proxy.setMode('pass');
  await waitFor(() => fx.observer.exists(WEB), (s) => s !== null, { what: "web's node back", timeoutMs: 30_000 });

  // No agent: nothing should be registered, and nothing is.
  agent.signal('SIGTERM');
  assert.equal(await agent.exited, 0);
  const alone = await registry();
  assert.equal(alone.code, 0, alone.stderr);
  assert.equal(alone.report.agent.answered, false);
  assert.ok(alone.report.services.every((s) => s.node === null));
  // ... and a node left behind with no agent to want it is stale.
  await fx.observer.create(WEB, '{"pid":1}');
  const left = await registry();
  assert.equal(left.code, 3, left.stderr);
  assert.deepEqual(flagsOf(left.report, 'web'), ['STALE']);
  assert.equal(left.report.services.find((s) => s.name === 'web')?.node?.owner, null, 'a persistent node has no owner');
  await fx.observer.remove(WEB);
  await proxy.close();
});

test('registry: a ServerSet member_ node whose data names this host is a stray; one for another host is not, nor is a junk host made from a member_ name', async () => {
  const cfg = writeConfig('[ss]\ncmd: true\nrefresh: 1\nservice_port: 8002\nservice_hostname: rg.example\nzookeeper_path: /rg/ss\nformat: serverset\n');
  const member = (host: string, port: number) => JSON.stringify({ serviceEndpoint: { host, port }, additionalEndpoints: {}, status: 'ALIVE' });
  await fx.observer.mkdirp('/rg/ss');
  // A name the old code took for ours: our member_ name less its last character (its 'host'), and a port.
  const ours = nodeName({ kind: 'serverset' }, 'rg.example', 8002);
  const made = ['/rg/ss/member_1000000000000000001', '/rg/ss/member_1000000000000000002', `/rg/ss/${ours.slice(0, -1)}:1`];
  await fx.observer.create(made[0]!, member('rg.example', 8003));
  await fx.observer.create(made[1]!, member('other.example', 8002));
  await fx.observer.create(made[2]!, '{}');
  try {
    // No agent listens at this port: nothing should be registered, and the old port's member is this host's.
    const r = await runCliAsync(['registry', '-c', cfg, '-s', fx.zk.connectString, '--status-port', String(await freePort()), '--json']);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout) as Report;
    assert.deepEqual(report.strays.map((n) => [n.path, n.owner]), [[made[0], null]]);
    assert.equal(report.services[0]?.node, null, 'our own member_ node is absent');
  } finally {
    for (const path of made) await fx.observer.remove(path);
  }
});

test('registry: exit 2 on a bad command line or a config with errors', async () => {
  const bad = await runCliAsync(['registry', '--status-port', 'x']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--status-port must be a port/);
  const broken = await runCliAsync(['registry', '-c', writeConfig('[web]\nrefresh: 1\n'), '-s', fx.zk.connectString]);
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /the config has errors/);
});

test('registry: something at the status port that does not answer as an agent is a failure (exit 1), not "no agent" (which would call every node STALE)', async () => {
  const cfg = writeConfig(config);
  // A listener that takes the connection and never answers, then one that answers 500.
  const silent = createServer(() => {});
  const erroring = createServer((_req, res) => res.writeHead(500).end('no'));
  const listen = (s: ReturnType<typeof createServer>) => new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));
  try {
    for (const [server, why] of [[silent, /no answer within 5000 ms/], [erroring, /HTTP 500/]] as const) {
      const port = await listen(server);
      const r = await runCliAsync(['registry', '-c', cfg, '-s', fx.zk.connectString, '--status-port', String(port)]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, why);
      assert.match(r.stderr, new RegExp(`cannot read the agent's /status at 127\\.0\\.0\\.1:${port}`));
      assert.doesNotMatch(r.stdout, /STALE/);
    }
  } finally {
    silent.closeAllConnections();
    erroring.closeAllConnections();
    await Promise.all([silent, erroring].map((s) => new Promise((r) => s.close(r))));
  }
});
