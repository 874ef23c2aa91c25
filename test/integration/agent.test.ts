// The agent end to end: the real program against a real ZooKeeper, observed through
// a second, independent client.

import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import type * as GrpcModule from '@grpc/grpc-js';
import type * as HealthModule from 'grpc-health-check';
import zookeeper from 'node-zookeeper-client';
import { digestId } from '../../src/main/zk/session.js';
import { pythonFqdn, startAgent, writeConfig, type Agent, type LogRecord } from '../support/agent.js';
import { freePort } from '../support/ports.js';
import { openNotifySocket } from '../support/notify-socket.js';
import { processGone } from '../support/processes.js';
import { connectClient } from '../support/zk-client.js';
import { startZooKeeper } from '../support/zookeeper.js';
import { waitFor } from '../support/wait.js';
import { useZooKeeper } from '../support/zk-fixture.js';

const flags = mkdtempSync(join(tmpdir(), 'zkw-flags-'));
const fx = useZooKeeper(() => rmSync(flags, { recursive: true, force: true }));

function agent(config: string, extra: string[] = []): Agent {
  const a = startAgent(['-c', writeConfig(config), '-s', fx.zk.connectString, ...extra]);
  fx.track(a);
  return a;
}

async function stopAgent(a: Agent): Promise<number | string> {
  a.signal('SIGTERM');
  return a.exited;
}

const exists = (path: string) => waitFor(() => fx.observer.exists(path), (s) => s !== null, { what: `${path} to exist` });
const gone = (path: string) => waitFor(() => fx.observer.exists(path), (s) => s === null, { what: `${path} to be gone` });

test('registers the documentation\'s example as nd_service_registry did: path, data, ephemeral owner', async () => {
  const a = agent(`[ssh]
cmd: test -d /
refresh: 60
service_port: 22
service_hostname: 123.234.123.123
zookeeper_path: /seed/services/ssh
zookeeper_data: { "foo": "bar", "bah": "humbug" }
[apache]
cmd: test -d /
refresh: 60
service_port: 22
zookeeper_path: /seed/services/web
zookeeper_data: foo=bar, bah=humbug
`);
  const session = await a.waitForLog((r) => r.event === 'zk_connected', 'session established');
  const ssh = '/seed/services/ssh/123.234.123.123:22';
  const web = `/seed/services/web/${pythonFqdn()}:22`;
  await exists(ssh);
  await exists(web);
  for (const path of [ssh, web]) {
    const node = await fx.observer.getData(path);
    assert.ok(node);
    assert.match(node.data.toString('utf8'), new RegExp(`^\\{"pid":${a.pid},"created":"\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d","foo":"bar","bah":"humbug"\\}$`));
    assert.equal(node.stat.ephemeralOwner.toString('hex'), session.sessionId, 'the agent\'s own session owns the node');
  }
  // The parents are persistent and open, as nd_service_registry made them without [auth].
  const parent = await fx.observer.getData('/seed/services/web');
  assert.equal(parent?.stat.ephemeralOwner.toString('hex'), '0000000000000000');
  assert.equal(await stopAgent(a), 0);
  await gone(ssh);
  await gone(web);
});

test('a check that starts failing loses its node at once, and gets it back when it passes again', async () => {
  const flag = join(flags, 'down');
  const a = agent(`[flip]
cmd: test ! -e ${flag}
refresh: 0.2
service_port: 8080
service_hostname: flip.example
zookeeper_path: /flip
`);
  const path = '/flip/flip.example:8080';
  await exists(path);
  writeFileSync(flag, '');
  await gone(path);
  // The fx.observer can see the delete before the agent's log line about it arrives.
  const failed = await a.waitForLog((r) => r.event === 'check' && r.passed === false, 'the failed check');
  const deregistered = await a.waitForLog((r) => r.event === 'deregistered' && r.path === path, 'the removal');
  const flipMs = Number(deregistered.time) - Number(failed.time);
  console.log(`# check failed -> node deleted: ${flipMs} ms (agent clock)`);
  rmSync(flag);
  await exists(path);
  assert.equal(await stopAgent(a), 0);
});

test('with [auth], our node and its parent carry digest(user) ALL + world READ, and others cannot delete it', async () => {
  const a = agent(`[secure]
cmd: true
refresh: 1
service_port: 443
service_hostname: secure.example
zookeeper_path: /authed/secure
[auth]
user: alice
password: wonderland-9
`);
  const path = '/authed/secure/secure.example:443';
  await exists(path);
  const expected = [
    { perms: 31, scheme: 'digest', id: digestId('alice', 'wonderland-9') },
    { perms: 1, scheme: 'world', id: 'anyone' },
  ];
  // ZooKeeper 3.6+ shows the digest only to a client with ADMIN rights: read the ACL as alice.
  const alice = await connectClient(fx.zk.connectString, { auth: { user: 'alice', password: 'wonderland-9' } });
  try {
    assert.deepEqual(await alice.getACL(path), expected);
    assert.deepEqual(await alice.getACL('/authed/secure'), expected);
  } finally {
    await alice.close();
  }
  assert.deepEqual((await fx.observer.getACL(path))[0], { perms: 31, scheme: 'digest', id: 'alice:x' }, 'anonymous readers see it masked');
  // The ancestor above the direct parent stays open, as nd_service_registry left it.
  assert.deepEqual(await fx.observer.getACL('/authed'), [{ perms: 31, scheme: 'world', id: 'anyone' }]);
  await assert.rejects(fx.observer.remove(path), /NO_AUTH/);
  assert.ok(await fx.observer.exists(path));
  const all = a.logs.map((r) => JSON.stringify(r)).join('\n') + a.stderr();
  assert.ok(!all.includes('wonderland-9'), 'the password never reaches a log line');
  assert.equal(await stopAgent(a), 0);
  await gone(path);
});

test('someone deletes our node: it comes back at once, because we watch it', async () => {
  const a = agent(`[watched]
cmd: true
refresh: 3600
service_port: 1
service_hostname: watched.example
zookeeper_path: /watched
`);
  const path = '/watched/watched.example:1';
  await exists(path);
  await fx.observer.remove(path);
  // refresh is an hour: only the watch can bring it back this soon.
  await waitFor(() => fx.observer.exists(path), (s) => s !== null, { what: 're-created node', timeoutMs: 20_000 });
  assert.equal(await stopAgent(a), 0);
});

test('SIGTERM with many services: every node deleted by us, and the process exits 0', async () => {
  const n = 200;
  let config = '';
  for (let i = 0; i < n; i++) config += `[s${i}]\ncmd: true\nrefresh: 30\nservice_port: ${1000 + i}\nservice_hostname: many.example\nzookeeper_path: /many\n`;
  const a = agent(config);
  await waitFor(() => fx.observer.getChildren('/many').catch(() => []), (c) => c.length === n, { what: `${n} nodes`, timeoutMs: 60_000 });
  const started = Date.now();
  assert.equal(await stopAgent(a), 0);
  console.log(`# SIGTERM with ${n} nodes: exited after ${Date.now() - started} ms`);
  assert.equal(a.logs.filter((r) => r.event === 'deregistered').length, n, 'each node deleted explicitly');
  assert.deepEqual(await fx.observer.getChildren('/many'), []);
  assert.equal(a.logs.find((r) => r.event === 'stopped')?.remaining, 0);
});

test('a hung check does not outlive the agent: SIGTERM kills its process group', async () => {
  const pidFile = join(flags, 'hung.pid');
  const a = agent(`[hung]
cmd: { sleep 300 & echo $! > ${pidFile}; wait; }
refresh: 1
timeout: 300
service_port: 1
service_hostname: hung.example
zookeeper_path: /hung
`);
  await waitFor(async () => existsSync(pidFile), (e) => e, { what: 'the hung check to start' });
  assert.equal(await stopAgent(a), 0);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  await waitFor(async () => processGone(pid), (g) => g, { what: `check process ${pid} to be gone` });
});

test('ZooKeeper down when the agent starts: it keeps trying, says so, and registers once a server answers', async () => {
  const late = await startZooKeeper();
  await late.stop();
  const a = startAgent(['-c', writeConfig(`[late]\ncmd: true\nrefresh: 1\nservice_port: 1\nservice_hostname: late.example\nzookeeper_path: /late\n`), '-s', late.connectString]);
  fx.track(a);
  await a.waitForLog((r) => r.event === 'zk_waiting', 'a line saying ZooKeeper is not answering');
  await late.start();
  const lateObserver = await connectClient(late.connectString);
  try {
    await waitFor(() => lateObserver.exists('/late/late.example:1'), (s) => s !== null, { what: 'registration after the late start', timeoutMs: 30_000 });
  } finally {
    await lateObserver.close();
  }
  assert.equal(await stopAgent(a), 0);
});

test('SIGHUP applies the re-read file: removed services deregister, added ones register, changed data is updated in place', async () => {
  const service = (name: string, data: string) => `[${name}]\ncmd: true\nrefresh: 0.5\nservice_port: 1\nservice_hostname: ${name}.example\nzookeeper_path: /reload\nzookeeper_data: ${data}\n`;
  const file = writeConfig(service('a', 'v=1') + service('b', 'v=1'));
  const a = startAgent(['-c', file, '-s', fx.zk.connectString]);
  fx.track(a);
  await exists('/reload/a.example:1');
  const before = await exists('/reload/b.example:1');
  writeFileSync(file, service('b', 'v=2') + service('c', 'v=1'));
  a.signal('SIGHUP');
  await gone('/reload/a.example:1');
  await exists('/reload/c.example:1');
  const b = await waitFor(() => fx.observer.getData('/reload/b.example:1'), (n) => n !== null && n.data.toString().endsWith('"v":"2"}'), { what: 'b updated' });
  assert.equal(b!.stat.czxid.toString('hex'), before!.czxid.toString('hex'), 'b was updated, not re-created');

  writeFileSync(file, '[b]\ncmd: true\nrefresh: nonsense\n');
  a.signal('SIGHUP');
  await a.waitForLog((r) => r.event === 'reload_rejected', 'the broken file rejected');
  assert.ok(a.logs.some((r) => r.event === 'config_problem' && String(r.problem).startsWith(`${file}:3:`)), 'the problem names FILE:LINE');
  assert.ok(await fx.observer.exists('/reload/b.example:1'));
  assert.ok(await fx.observer.exists('/reload/c.example:1'));
  assert.equal(await stopAgent(a), 0);
});

test('http and tcp checks: live targets register, a dead one does not, and a target that goes away loses its node', async () => {
  let status = 200;
  const web = createHttpServer((_req, res) => res.writeHead(status).end(status === 200 ? 'ok\n' : 'down\n'));
  const db = createNetServer((sock) => sock.resume());
  const [webPort, dbPort, deadPort] = [await freePort(), await freePort(), await freePort()];
  await new Promise<void>((r) => web.listen(webPort, '127.0.0.1', r));
  await new Promise<void>((r) => db.listen(dbPort, '127.0.0.1', r));
  try {
    const section = (name: string, port: number, check: string) =>
      `[${name}]\n${check}\nrefresh: 0.2\ntimeout: 2\nservice_port: ${port}\nservice_hostname: k.example\nzookeeper_path: /kinds/${name}\n`;
    const a = agent(
      section('web', 1, `http: http://127.0.0.1:${webPort}/health`) +
        section('db', 2, `tcp: 127.0.0.1:${dbPort}`) +
        section('both', 3, `cmd: true\ntcp: 127.0.0.1:${dbPort}`) +
        section('deadweb', 4, `http: http://127.0.0.1:${deadPort}/`),
    );
    await Promise.all([exists('/kinds/web/k.example:1'), exists('/kinds/db/k.example:2'), exists('/kinds/both/k.example:3')]);
    const dead = await a.waitForLog((r) => r.service === 'deadweb' && r.healthy === false, 'deadweb judged unhealthy');
    assert.match(String(dead.reason), /connection refused \(ECONNREFUSED\)/);
    assert.equal(await fx.observer.exists('/kinds/deadweb/k.example:4'), null);

    status = 503;
    await gone('/kinds/web/k.example:1');
    const down = await a.waitForLog((r) => r.service === 'web' && r.healthy === false, 'web judged unhealthy');
    assert.equal(down.reason, 'http: 503 (want 200-299)');

    await new Promise((r) => db.close(r));
    // `both` needs its cmd and its tcp target: the command still passes, the port is closed.
    await Promise.all([gone('/kinds/db/k.example:2'), gone('/kinds/both/k.example:3')]);
    const both = await a.waitForLog((r) => r.service === 'both' && r.healthy === false, 'both judged unhealthy');
    assert.match(String(both.reason), /^tcp: connection refused/);
    assert.equal(await stopAgent(a), 0);
  } finally {
    web.closeAllConnections();
    await new Promise((r) => web.close(r));
    if (db.listening) await new Promise((r) => db.close(r));
  }
});

test('grpc health and http options: the node follows the server\'s SERVING / NOT_SERVING, and a body lacking the expected text unregisters', async () => {
  const require = createRequire(import.meta.url);
  const grpc = require('@grpc/grpc-js') as typeof GrpcModule;
  const { HealthImplementation } = require('grpc-health-check') as typeof HealthModule;
  const health = new HealthImplementation({ api: 'SERVING' });
  const server = new grpc.Server();
  health.addToServer(server);
  let body = 'status: ready\n';
  const web = createHttpServer((req, res) => res.writeHead(req.headers.host === 'app.example' ? 200 : 404).end(body));
  const grpcPort = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  const webPort = await freePort();
  await new Promise<void>((r) => web.listen(webPort, '127.0.0.1', r));
  try {
    const a = agent(
      `[api]\ngrpc: 127.0.0.1:${grpcPort}\ngrpc_service: api\nrefresh: 0.2\ntimeout: 2\nservice_port: 1\nservice_hostname: g.example\nzookeeper_path: /grpc/api\n` +
        `[app]\nhttp: http://127.0.0.1:${webPort}/health\nhttp_headers: Host: app.example\nhttp_expect: ready\nrefresh: 0.2\ntimeout: 2\nservice_port: 2\nservice_hostname: g.example\nzookeeper_path: /grpc/app\n`,
    );
    await Promise.all([exists('/grpc/api/g.example:1'), exists('/grpc/app/g.example:2')]);
    health.setStatus('api', 'NOT_SERVING');
    await gone('/grpc/api/g.example:1');
    const down = await a.waitForLog((r) => r.service === 'api' && r.healthy === false, 'api judged unhealthy');
    assert.equal(down.reason, 'grpc: NOT_SERVING');
    health.setStatus('api', 'SERVING');
    await exists('/grpc/api/g.example:1');
    body = 'status: draining\n';
    await gone('/grpc/app/g.example:2');
    const lacking = await a.waitForLog((r) => r.service === 'app' && r.healthy === false, 'app judged unhealthy');
    assert.equal(lacking.reason, 'http: body lacks "ready"');
    assert.equal(await stopAgent(a), 0);
  } finally {
    server.forceShutdown();
    web.closeAllConnections();
    await new Promise((r) => web.close(r));
  }
});

test('rise and fall: a service registers after `rise` passes in a row and is removed after `fall` failures in a row', async () => {
  const flag = join(flags, 'risefall-down');
  writeFileSync(flag, '');
  const a = agent(
    `[rf]\ncmd: test ! -e ${flag}\nrefresh: 0.1\nrise: 3\nfall: 2\nservice_port: 7\nservice_hostname: rf.example\nzookeeper_path: /risefall\n`,
    ['--verbose'],
  );
  const path = '/risefall/rf.example:7';
  const checks = () => a.logs.filter((r) => r.service === 'rf' && r.event === 'check');
  // The first result applies at once: failing, so no node.
  await a.waitForLog((r) => r.service === 'rf' && r.healthy === false, 'the first result (failing)');
  rmSync(flag);
  await exists(path);
  const registered = await a.waitForLog((r) => r.service === 'rf' && r.healthy === true, 'rf healthy');
  const passesBefore = trailingRun(checks().filter((r) => Number(r.time) <= Number(registered.time)), true);
  assert.equal(passesBefore, 3, 'registered on the third pass in a row');

  writeFileSync(flag, '');
  await gone(path);
  const removed = await a.waitForLog((r) => r.service === 'rf' && r.healthy === false && Number(r.time) > Number(registered.time), 'rf unhealthy');
  const failuresBefore = trailingRun(checks().filter((r) => Number(r.time) <= Number(removed.time)), false);
  assert.equal(failuresBefore, 2, 'removed on the second failure in a row');
  assert.equal(await stopAgent(a), 0);
});

/** How many of the last check records had `passed` equal to `passed`, counted back from the end. */
function trailingRun(records: readonly LogRecord[], passed: boolean): number {
  let n = 0;
  for (let i = records.length - 1; i >= 0 && records[i]!.passed === passed; i--) n++;
  return n;
}

test('a hung check and a flooding one beside healthy services: the healthy stay registered, the others time out with a bounded tail', async () => {
  const healthy = Array.from({ length: 5 }, (_, i) => `[ok${i}]\ncmd: true\nrefresh: 0.2\nservice_port: ${100 + i}\nservice_hostname: m.example\nzookeeper_path: /mixed\n`).join('');
  const a = agent(
    healthy +
      `[hung]\ncmd: sleep 600\nrefresh: 0.2\ntimeout: 1\nservice_port: 1\nservice_hostname: m.example\nzookeeper_path: /mixed\n` +
      `[flood]\ncmd: yes flood\nrefresh: 0.2\ntimeout: 1\nservice_port: 2\nservice_hostname: m.example\nzookeeper_path: /mixed\n`,
    ['--stats-interval', '1'],
  );
  await Promise.all(Array.from({ length: 5 }, (_, i) => exists(`/mixed/m.example:${100 + i}`)));
  const hung = await a.waitForLog((r) => r.service === 'hung' && r.healthy === false, 'hung judged unhealthy');
  const flood = await a.waitForLog((r) => r.service === 'flood' && r.healthy === false, 'flood judged unhealthy');
  assert.match(String(hung.reason), /timed out after 1 s; process group killed/);
  assert.match(String(flood.reason), /timed out after 1 s; process group killed/);
  const tail = String(flood.output);
  assert.match(tail, /^\[captured the last \d+ of \d+ bytes\]\n/);
  assert.ok(Buffer.byteLength(tail) < 4200, `the flood's tail is bounded: ${Buffer.byteLength(tail)} bytes`);
  // Several more timeouts of both, while the healthy nodes stay.
  await a.waitForLog((r) => r.event === 'engine_stats' && Number(r.checksTotal) > 60, 'more checks');
  for (let i = 0; i < 5; i++) assert.notEqual(await fx.observer.exists(`/mixed/m.example:${100 + i}`), null);
  assert.equal((await fx.observer.getChildren('/mixed')).length, 5);
  assert.equal(await stopAgent(a), 0);
});

test('SIGHUP make-before-break: a moved node is created before the old one is deleted, an unchanged one is not touched, a renamed section keeps its node', async () => {
  const service = (name: string, port: number) => `[${name}]\ncmd: true\nrefresh: 0.5\nservice_port: ${port}\nservice_hostname: mbb.example\nzookeeper_path: /mbb\n`;
  const file = writeConfig(service('moves', 1) + service('stays', 2) + service('renamed', 3));
  const b = startAgent(['-c', file, '-s', fx.zk.connectString]);
  fx.track(b);
  const stays = await exists('/mbb/mbb.example:2');
  const renamed = await exists('/mbb/mbb.example:3');
  await exists('/mbb/mbb.example:1');

  writeFileSync(file, service('moves', 11) + service('stays', 2) + service('new-name', 3));
  b.signal('SIGHUP');
  await gone('/mbb/mbb.example:1');
  const moved = await exists('/mbb/mbb.example:11');
  // The parent's pzxid is the zxid of its last child change: the delete of :1 came after the create of :11.
  const parent = await fx.observer.exists('/mbb');
  assert.ok(BigInt('0x' + moved!.czxid.toString('hex')) < BigInt('0x' + parent!.pzxid.toString('hex')), 'the new node was created before the old one was deleted');
  await b.waitForLog((r) => r.event === 'reloaded', 'the reload');
  const staysAfter = await fx.observer.exists('/mbb/mbb.example:2');
  const renamedAfter = await fx.observer.exists('/mbb/mbb.example:3');
  assert.equal(staysAfter!.czxid.toString('hex'), stays!.czxid.toString('hex'), 'the unchanged service kept its node');
  assert.equal(staysAfter!.mzxid.toString('hex'), stays!.mzxid.toString('hex'), 'and its data was not rewritten');
  assert.equal(renamedAfter!.czxid.toString('hex'), renamed!.czxid.toString('hex'), 'the renamed section kept its node');
  assert.equal(await stopAgent(b), 0);
});

test('-l logs to syslog through logger(1): one message per event, with the severity of its level', async () => {
  // A unix datagram socket, as a syslog daemon's /dev/log is (the notify test's stand-in serves).
  const sink = await openNotifySocket();
  try {
    const a = startAgent(['-l', '--syslog-socket', sink.address, '-c', writeConfig(`[up]\ncmd: true\nrefresh: 0.5\nservice_port: 1\nservice_hostname: sl.example\nzookeeper_path: /syslog\n[down]\ncmd: false\nrefresh: 0.5\nservice_port: 2\nservice_hostname: sl.example\nzookeeper_path: /syslog\n`), '-s', fx.zk.connectString]);
    fx.track(a);
    await exists('/syslog/sl.example:1');
    // daemon facility (3): info is <30>, warning <28>; logger(1) adds the tag and our pid.
    const info = await sink.waitForMessage((l) => l.includes('"event":"registered"'), 'syslog: the registration');
    assert.match(info.message, new RegExp(`^<30>.*zk-watcher\\[${a.pid}\\]: \\{"level":30,`));
    const warn = await sink.waitForMessage((l) => l.includes('"service":"down"') && l.includes('"healthy":false'), 'syslog: the failing service');
    assert.match(warn.message, /^<28>.*zk-watcher\[\d+\]: \{"level":40,/);
    assert.equal(a.logs.filter((r) => r.event !== 'not_json').length, 0, 'nothing went to stdout');
    assert.equal(await stopAgent(a), 0);
  } finally {
    await sink.close();
  }
});

test('the [auth] password appears in no output, verbose logs included, even when a check prints it; checks do not get the agent-only environment', async () => {
  const password = 'Pa55-w0rd-never-shown';
  const file = writeConfig(
    `[auth]\nuser: agent\npassword: ${password}\n` +
      `[leaky]\ncmd: echo "using ${password}"; exit 1\nrefresh: 0.3\nservice_port: 1\nservice_hostname: sec.example\nzookeeper_path: /secrets\n` +
      `[clean-env]\ncmd: test -z "$CREDENTIALS_DIRECTORY$NOTIFY_SOCKET$WATCHDOG_USEC"\nrefresh: 0.3\nservice_port: 2\nservice_hostname: sec.example\nzookeeper_path: /secrets\n`,
  );
  chmodSync(file, 0o600);
  const a = startAgent(['-v', '-c', file, '-s', fx.zk.connectString], { ...process.env, CREDENTIALS_DIRECTORY: '/run/credentials/zk-watcher.service', NOTIFY_SOCKET: '@zkw-test-none', WATCHDOG_USEC: '60000000' });
  fx.track(a);
  await exists('/secrets/sec.example:2');
  const leaky = await a.waitForLog((r) => r.service === 'leaky' && r.healthy === false, 'leaky judged unhealthy');
  assert.equal(leaky.output, 'using [redacted]\n');
  await a.waitForLog((r) => r.service === 'leaky' && r.event === 'check' && r.level === 20, 'a verbose check record');
  assert.equal(await stopAgent(a), 0);
  const everything = JSON.stringify(a.logs) + a.stderr();
  assert.ok(!everything.includes(password), 'the password is in no log line and not on stderr');
});

test('another user cannot change or delete our nodes; a path whose ACL shuts us out is reported for that service while the others register', async () => {
  const bob = await connectClient(fx.zk.connectString, { auth: { user: 'bob', password: 'builder' } });
  try {
    // bob's own corner of the tree: only bob may create under it.
    await bob.create('/bobs', null, zookeeper.CreateMode.PERSISTENT, [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('digest', digestId('bob', 'builder'))), new zookeeper.ACL(zookeeper.Permission.READ, zookeeper.Id.ANYONE_ID_UNSAFE)]);
    const a = agent(
      `[auth]\nuser: alice\npassword: wonderland-9\n` +
        `[mine]\ncmd: true\nrefresh: 0.5\nservice_port: 1\nservice_hostname: acl.example\nzookeeper_path: /acl-test/mine\n` +
        `[shut-out]\ncmd: true\nrefresh: 0.5\nservice_port: 2\nservice_hostname: acl.example\nzookeeper_path: /bobs/svc\n`,
    );
    const path = '/acl-test/mine/acl.example:1';
    await exists(path);
    const refused = await a.waitForLog((r) => r.service === 'shut-out' && r.event === 'zk_sync_failed', 'the shut-out service reported');
    assert.match(String(refused.error), /no permission/);
    assert.equal(refused.level, 50, 'reported as an error');
    await assert.rejects(bob.setData(path, 'hijacked'), /NO_AUTH/);
    await assert.rejects(bob.remove(path), /NO_AUTH/);
    await assert.rejects(fx.observer.setData(path, 'hijacked'), /NO_AUTH/);
    assert.match((await fx.observer.getData(path))!.data.toString(), /^\{"pid":/, 'our data is untouched');
    assert.equal(await fx.observer.exists('/bobs/svc/acl.example:2'), null);
    assert.equal(await stopAgent(a), 0);
  } finally {
    await bob.close();
  }
});
