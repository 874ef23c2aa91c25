// Registrations through ZooKeeper and network faults, seen from an independent client.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import zookeeper from 'node-zookeeper-client';
import { startAgent, writeConfig, type Agent } from '../support/agent.js';
import { startProxy } from '../support/tcp-proxy.js';
import { holdsFor, waitFor } from '../support/wait.js';
import { connectClient } from '../support/zk-client.js';
import { startEnsemble, startZooKeeper, stopAll } from '../support/zookeeper.js';

const agents: Agent[] = [];
after(async () => {
  for (const a of agents) a.signal('SIGKILL');
  await stopAll();
});

function service(path: string, host: string, port: number): string {
  return `[svc]\ncmd: true\nrefresh: 0.5\nservice_port: ${port}\nservice_hostname: ${host}\nzookeeper_path: ${path}\n`;
}

function agent(args: string[]): Agent {
  const a = startAgent(args);
  agents.push(a);
  return a;
}

test('an agent killed with -9 and restarted at once takes its node over: it never disappears, and survives the old session', async () => {
  const zk = await startZooKeeper();
  const observer = await connectClient(zk.connectString);
  const path = '/takeover/host.example:7';
  const config = writeConfig(service('/takeover', 'host.example', 7));
  const first = agent(['-c', config, '-s', zk.connectString, '--session-timeout', '3']);
  await waitFor(() => observer.exists(path), (s) => s !== null, { what: 'first registration' });
  first.signal('SIGKILL');
  await first.exited;
  const second = agent(['-c', config, '-s', zk.connectString, '--session-timeout', '3']);
  const session = await second.waitForLog((r) => r.event === 'zk_connected', 'second agent connected');
  await second.waitForLog((r) => r.event === 'taken_over', 'the takeover');
  // Past the old session's timeout (3 s): the node must still be there the whole time.
  await holdsFor(() => observer.exists(path), (s) => s !== null, { durationMs: 6000, intervalMs: 20, what: `${path} present` });
  const node = await observer.getData(path);
  assert.equal(node?.stat.ephemeralOwner.toString('hex'), session.sessionId, 'owned by the new agent\'s session');
  assert.match(node!.data.toString(), new RegExp(`^\\{"pid":${second.pid},`));
  second.signal('SIGTERM');
  assert.equal(await second.exited, 0);
  await observer.close();
});

test('the ZooKeeper server we talk to is killed with -9: the client moves to another member within the session and the node never disappears', async () => {
  const ensemble = await startEnsemble(3);
  const path = '/ensemble/host.example:8';
  const a = agent(['-c', writeConfig(service('/ensemble', 'host.example', 8)), '-s', ensemble.connectString, '--session-timeout', '10']);
  const connected = await a.waitForLog((r) => r.event === 'zk_connected', 'connected');
  const sid = `0x${String(connected.sessionId).replace(/^0+/, '')}`;
  // Which member holds the agent's connection: its `cons` lists the session id.
  const serving = await waitFor(
    async () => {
      for (const server of ensemble.servers) if ((await server.fourLetter('cons').catch(() => '')).includes(`sid=${sid}`)) return server;
      return undefined;
    },
    (s) => s !== undefined,
    { what: `the member serving session ${sid}` },
  );
  const other = ensemble.servers.find((s) => s !== serving)!;
  const observer = await connectClient(other.connectString);
  await waitFor(() => observer.exists(path), (s) => s !== null, { what: 'registration' });
  await serving!.kill();
  await a.waitForLog((r) => r.event === 'zk_connected' && r.fresh === false && Number(r.time) > Number(connected.time), 'reconnected within the same session');
  await holdsFor(() => observer.exists(path), (s) => s !== null, { durationMs: 3000, intervalMs: 20, what: `${path} present after the kill` });
  assert.equal((await observer.getData(path))?.stat.ephemeralOwner.toString('hex'), connected.sessionId, 'still the same session\'s node');
  assert.ok(!a.logs.some((r) => r.event === 'zk_session_lost'), 'the session was never lost');
  await observer.close();
  a.signal('SIGTERM');
  assert.equal(await a.exited, 0);
});

test('a silent partition longer than the session timeout: the agent drops the dead connection, gives the session up 3 t after it last heard a server although its handshakes still go out, and re-registers within seconds of the heal', async () => {
  const zk = await startZooKeeper();
  const proxy = await startProxy(zk.port);
  const observer = await connectClient(zk.connectString);
  const path = '/partition/host.example:9';
  const a = agent(['-c', writeConfig(service('/partition', 'host.example', 9)), '-s', proxy.connectString, '--session-timeout', '2']);
  const first = await a.waitForLog((r) => r.event === 'zk_connected', 'connected');
  await waitFor(() => observer.exists(path), (s) => s !== null, { what: 'registration' });
  await proxy.setMode('silent');
  // The server expires the silent session and deletes its node.
  await waitFor(() => observer.exists(path), (s) => s === null, { what: 'the server to expire the partitioned session', timeoutMs: 30_000 });
  await a.waitForLog((r) => r.event === 'zk_connection_dropped', 'the silent connection noticed and dropped');
  // The proxy takes our handshakes and nothing comes back: a session we cannot hear is given up by our clock.
  const lost = await a.waitForLog((r) => r.event === 'zk_session_lost', 'our own clock giving the session up', 30_000);
  assert.equal(lost.sessionId, first.sessionId);
  assert.match(String(lost.why), /no server answered for three times the session timeout \(\d+ ms\) although our packets went out/);
  assert.ok(!a.logs.some((r) => r.event === 'registered' && Number(r.time) > Number(first.time) + 1000), 'nothing claimed registered while partitioned');
  const healed = Date.now();
  await proxy.setMode('pass');
  const node = await waitFor(() => observer.getData(path), (n) => n !== null, { what: 're-registration after the heal', timeoutMs: 30_000 });
  console.log(`# partition healed -> node back: ${Date.now() - healed} ms`);
  assert.notEqual(node!.stat.ephemeralOwner.toString('hex'), first.sessionId, 'a new session owns it');
  assert.ok(a.logs.some((r) => r.event === 'reregister_jitter'), 're-registration after a lost session is jittered');
  await observer.close();
  a.signal('SIGTERM');
  assert.equal(await a.exited, 0);
  await proxy.close();
});

test('--session-timeout is a request: the server\'s negotiated value is the one the agent reports and keeps its clock by', async () => {
  const zk = await startZooKeeper({ maxSessionTimeout: 4000 });
  const a = agent(['-c', writeConfig(service('/negotiated', 'host.example', 10)), '-s', zk.connectString, '--session-timeout', '30']);
  const connected = await a.waitForLog((r) => r.event === 'zk_connected', 'connected');
  assert.equal(connected.negotiatedTimeoutMs, 4000);
  a.signal('SIGTERM');
  assert.equal(await a.exited, 0);
});

test('writes are capped by --max-writes-per-second: 100 registrations at 20/s (a burst of 40) spread over at least 2.5 s of server time', async () => {
  const zk = await startZooKeeper();
  const observer = await connectClient(zk.connectString);
  let config = '';
  for (let i = 0; i < 100; i++) config += service('/capped', 'host.example', 2000 + i).replace('[svc]', `[s${i}]`);
  const a = agent(['-c', writeConfig(config), '-s', zk.connectString, '--max-writes-per-second', '20']);
  const children = await waitFor(() => observer.getChildren('/capped').catch(() => [] as string[]), (c) => c.length === 100, { what: '100 registrations', timeoutMs: 60_000 });
  // ctime is the server's clock at each create: a lower bound the bucket guarantees whatever the machine's load.
  const ctimes = await Promise.all(children.map(async (c) => (await observer.exists(`/capped/${c}`))!.ctime.readBigInt64BE()));
  const spreadMs = Number(ctimes.reduce((a, b) => (b > a ? b : a)) - ctimes.reduce((a, b) => (b < a ? b : a)));
  // 40 at once (the burst: two seconds' worth, less the parent), then 60 more at 20/s: about 3 s.
  assert.ok(spreadMs >= 2500, `creates spread over ${spreadMs} ms`);
  await observer.close();
  a.signal('SIGTERM');
  assert.equal(await a.exited, 0);
});

test('a node at our path held by another live session is never deleted: the agent says so, and registers once it is gone', async () => {
  const zk = await startZooKeeper();
  const observer = await connectClient(zk.connectString);
  const squatter = await connectClient(zk.connectString);
  const path = '/held/host.example:11';
  await observer.mkdirp('/held');
  // Its payload names a live process of this host (the test itself), so it is provably not an orphan of ours.
  await squatter.create(path, Buffer.from(`{"pid":${process.pid}}`), zookeeper.CreateMode.EPHEMERAL);
  const a = agent(['-c', writeConfig(service('/held', 'host.example', 11)), '-s', zk.connectString]);
  await a.waitForLog((r) => r.event === 'path_held_by_other', 'a clear line about the node held by someone else');
  await holdsFor(() => observer.getData(path), (n) => n?.stat.ephemeralOwner.toString('hex') === squatter.sessionId(), { durationMs: 2000, what: 'the other session keeps its node' });
  await squatter.close();
  const session = a.logs.find((r) => r.event === 'zk_connected')!.sessionId;
  await waitFor(() => observer.getData(path), (n) => n?.stat.ephemeralOwner.toString('hex') === session, { what: 'our registration once the other node is gone' });
  await observer.close();
  a.signal('SIGTERM');
  assert.equal(await a.exited, 0);
});
