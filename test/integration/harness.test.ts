// Proves the real-ZooKeeper test harness itself: servers, ensembles, the test client,
// the Java CLI, the partition proxy, and that no JVM outlives its test process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import zookeeper from 'node-zookeeper-client';
import { startProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';
import { connectClient, zkCli, type TestClient } from '../support/zk-client.js';
import { startEnsemble, startZooKeeper, stopAll, type ZkServer } from '../support/zookeeper.js';

let zk: ZkServer;
const clients: TestClient[] = [];
const proxies: TcpProxy[] = [];

async function client(cs: string, opts?: Parameters<typeof connectClient>[1]): Promise<TestClient> {
  const c = await connectClient(cs, opts);
  clients.push(c);
  return c;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

before(async () => {
  const t0 = Date.now();
  zk = await startZooKeeper();
  console.log(`# standalone start: ${Date.now() - t0} ms`);
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(proxies.map((p) => p.close()));
  await stopAll();
});

test('standalone: serve, get killed, come back on the same port with the data', async () => {
  assert.equal(zk.connectString, `127.0.0.1:${zk.port}`);
  assert.ok(zk.running);
  assert.equal((await zk.fourLetter('ruok')).trim(), 'imok');
  const mntr = await zk.mntr();
  assert.equal(mntr.zk_server_state, 'standalone');

  const c = await client(zk.connectString, { sessionTimeout: 10_000 });
  assert.match(c.sessionId(), /^[0-9a-f]{16}$/);
  await c.mkdirp('/harness/persist', 'v1');
  assert.equal((await c.getData('/harness/persist'))?.data.toString(), 'v1');
  await c.create('/harness/eph', 'e', zookeeper.CreateMode.EPHEMERAL);
  assert.deepEqual(await c.getChildren('/harness'), ['eph', 'persist']);
  assert.equal(await c.getData('/harness/nope'), null);
  assert.equal(await c.exists('/harness/nope'), null);

  const sessionBefore = c.sessionId();
  const port = zk.port;
  await zk.kill();
  assert.equal(zk.running, false);
  await waitFor(async () => c.state(), (s) => s === 'DISCONNECTED', { what: 'the client to notice the kill' });
  await assert.rejects(zk.fourLetter('ruok', 1000), /ECONNREFUSED/);

  const t0 = Date.now();
  await zk.start();
  console.log(`# standalone restart: ${Date.now() - t0} ms`);
  assert.equal(zk.port, port);
  await waitFor(async () => c.state(), (s) => s === 'SYNC_CONNECTED', { what: 'the client to reconnect' });
  assert.equal((await c.getData('/harness/persist'))?.data.toString(), 'v1');
  // The session survived the restart (it is persisted, and it had not timed out), and so did its ephemeral node.
  assert.equal(c.sessionId(), sessionBefore);
  assert.ok(await c.exists('/harness/eph'));
  assert.deepEqual(c.stateHistory.slice(0, 3), ['SYNC_CONNECTED', 'DISCONNECTED', 'SYNC_CONNECTED']);
});

test('a server whose port is taken does not start: start() rejects with a clear message', async () => {
  await zk.stop();
  assert.equal(zk.running, false);
  const squatter = createServer();
  await new Promise<void>((r) => squatter.listen({ host: '127.0.0.1', port: zk.port }, r));
  try {
    await assert.rejects(zk.start(), /port \d+ on 127\.0\.0\.1 is already in use/);
    assert.equal(zk.running, false);
  } finally {
    await new Promise((r) => squatter.close(r));
  }
  await zk.start();
  assert.ok(zk.running);
});

test('zkCli, the Java CLI, sees what the node client wrote', async () => {
  const r = await zkCli(zk.connectString, ['get', '/harness/persist']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'v1');
  const acl = await zkCli(zk.connectString, ['getAcl', '/harness/persist']);
  assert.match(acl.stdout, /'world,'anyone\n: cdrwa/);
  const missing = await zkCli(zk.connectString, ['get', '/harness/nope']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Node does not exist: \/harness\/nope/);
});

test('proxy: silent stops all traffic, pass restores it; pause holds, refuse refuses', async () => {
  const proxy = await startProxy(zk.port);
  proxies.push(proxy);
  // raw: node-zookeeper-client as is; watched: TestClient's default liveness rule (2/3 of 6 s).
  const raw = await client(proxy.connectString, { sessionTimeout: 20_000, opTimeoutMs: 1500, liveness: false });
  const watched = await client(proxy.connectString, { sessionTimeout: 6000, opTimeoutMs: 1500 });
  assert.ok(await raw.exists('/harness/persist'));
  assert.ok(await watched.exists('/harness/persist'));
  const session = raw.sessionId();
  const watchedSession = watched.sessionId();

  await proxy.setMode('silent');
  await Promise.all([
    assert.rejects(raw.exists('/harness/persist'), /no reply within 1500 ms/),
    waitFor(async () => watched.state(), (s) => s === 'DISCONNECTED', { what: 'liveness to drop the silent link', timeoutMs: 10_000 }),
  ]);
  // The library itself has no read timeout: behind a silent link it still believes it is connected.
  assert.equal(raw.state(), 'SYNC_CONNECTED');
  await proxy.setMode('pass');
  await waitFor(() => raw.exists('/harness/persist'), (s) => s !== null, { what: 'answers after the heal' });
  await waitFor(() => watched.exists('/harness/persist'), (s) => s !== null, { what: 'answers after the heal (watched)' });
  assert.equal(raw.sessionId(), session, 'a short partition keeps the session');
  assert.equal(watched.sessionId(), watchedSession);
  assert.ok(raw.stateHistory.includes('DISCONNECTED'), 'healing a silent link resets its connections');
  await watched.close();

  // pause: a request made during the pause is answered once the link resumes.
  await proxy.setMode('pause');
  const pending = raw.getData('/harness/persist');
  await proxy.setMode('pass');
  assert.equal((await pending)?.data.toString(), 'v1');

  // refuse: the client is cut off and new connections are refused until 'pass'.
  await proxy.setMode('refuse');
  await waitFor(async () => raw.state(), (s) => s === 'DISCONNECTED', { what: 'disconnect on refuse' });
  const refused = await new Promise<string>((resolve) => {
    const s = connect({ host: '127.0.0.1', port: proxy.port });
    s.on('connect', () => resolve('connected'));
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
  assert.equal(refused, 'ECONNREFUSED');
  await proxy.setMode('pass');
  await waitFor(() => raw.exists('/harness/persist'), (s) => s !== null, { what: 'answers after refuse -> pass' });
  assert.equal(raw.sessionId(), session);
});

test('ensemble of 3: a write through one member is read through another', async () => {
  const t0 = Date.now();
  const ens = await startEnsemble(3);
  console.log(`# ensemble start: ${Date.now() - t0} ms`);
  assert.equal(ens.servers.length, 3);
  assert.equal(ens.connectString, ens.servers.map((s) => `127.0.0.1:${s.port}`).join(','));
  const modes = await Promise.all(ens.servers.map(async (s) => (await s.mntr()).zk_server_state));
  assert.deepEqual([...modes].sort(), ['follower', 'follower', 'leader']);
  assert.ok(await ens.leader());

  const a = await client(ens.servers[0]!.connectString);
  const b = await client(ens.servers[2]!.connectString);
  await a.create('/ens', 'hello');
  const got = await waitFor(() => b.getData('/ens'), (v) => v !== null, { what: '/ens via member 3' });
  assert.equal(got?.data.toString(), 'hello');
  await ens.stop();
  assert.ok(ens.servers.every((s) => !s.running));
});

test('no JVM outlives its test process: not on a crash, not on SIGKILL', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zk-harness-orphans-'));
  try {
    const script = join(dir, 'child.mjs');
    const harness = new URL('../support/zookeeper.js', import.meta.url).href;
    writeFileSync(
      script,
      `import { startZooKeeper } from ${JSON.stringify(harness)};
const zk = await startZooKeeper();
console.log('PID ' + zk.pid);
if (process.argv[2] === 'crash') setTimeout(() => { throw new Error('boom'); }, 50);
else setInterval(() => {}, 1000);
`,
    );
    const run = (how: string) =>
      new Promise<{ jvm: number; exit: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [script, how], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let jvm = 0;
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          const m = /PID (\d+)/.exec(out);
          if (m && !jvm) {
            jvm = Number(m[1]);
            if (how === 'sigkill') child.kill('SIGKILL');
          }
        });
        child.stderr.resume();
        child.on('error', reject);
        child.on('exit', (code, signal) => resolve({ jvm, exit: signal ?? String(code) }));
      });
    const [crashed, killed] = await Promise.all([run('crash'), run('sigkill')]);
    assert.ok(crashed.jvm > 0 && killed.jvm > 0, 'both children started a server');
    assert.equal(crashed.exit, '1');
    assert.equal(killed.exit, 'SIGKILL');
    await waitFor(async () => [crashed.jvm, killed.jvm].filter(pidAlive), (alive) => alive.length === 0, {
      what: 'the orphaned JVMs to die',
      timeoutMs: 10_000,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
