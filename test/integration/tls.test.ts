// TLS to ZooKeeper (--zk-tls ...), against a real TLS-only ZooKeeper 3.8 (secureClientPort on
// Netty, no clientPort, x509 identities), checked through an independent client (kazoo over
// TLS, test/support/kazoo_tls.py). Certificates are made by openssl once for the file.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, readFileSync, renameSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { runCli, startAgent, writeConfig, type Agent } from '../support/agent.js';
import { freePort } from '../support/ports.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { makeTlsFiles, type TlsFiles } from '../support/tls-certs.js';
import { waitFor } from '../support/wait.js';
import { startEnsemble, startZooKeeper, stopAll, type ZkServer } from '../support/zookeeper.js';

const KAZOO = fileURLToPath(new URL('../../../test/support/kazoo_tls.py', import.meta.url));
const PASSWORD = 'tls-digest-secret-7f3a';
const AGENT_SUBJECT = '/O=zk-watcher test/CN=agent one';
/** As ZooKeeper's X509AuthenticationProvider names it (Java's X500Principal.getName()). */
const AGENT_ID = 'CN=agent one,O=zk-watcher test';

let certs: TlsFiles;
let agentCert: { cert: string; key: string };
let readerCert: { cert: string; key: string };
let zk: ZkServer;
const agents: Agent[] = [];
const servers: Server[] = [];
const proxies: FaultProxy[] = [];

before(async () => {
  certs = makeTlsFiles();
  agentCert = certs.client('agent', AGENT_SUBJECT);
  readerCert = certs.client('reader', '/CN=reader');
  zk = await startZooKeeper({ tls: { keyStore: certs.serverKeyStore, trustStore: certs.ca, clientAuth: 'want' } });
});

after(async () => {
  for (const a of agents) a.signal('SIGKILL');
  for (const s of servers) s.close();
  for (const p of proxies) await p.close();
  await stopAll();
  // No key and no password in anything any agent of this file said.
  const keyBodies = [agentCert, readerCert].map((c) => readFileSync(c.key, 'utf8').split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')));
  for (const a of agents) {
    const output = JSON.stringify(a.logs) + a.stderr();
    assert.ok(!output.includes(PASSWORD), 'the [auth] password is in the output');
    for (const line of keyBodies.flat()) assert.ok(!output.includes(line), 'a private key is in the output');
  }
});

function agent(args: string[]): Agent {
  const a = startAgent([...args, '--log-format', 'json']);
  agents.push(a);
  return a;
}

const service = (path: string, host: string, auth = ''): string => `${auth}[svc]\ncmd: true\nrefresh: 0.5\nservice_port: 1\nservice_hostname: ${host}\nzookeeper_path: ${path}\n`;

type KazooResult = { data: string; acl: [string, string, number][] } | { error: string } | string | string[];

/** kazoo over TLS, as the reader (another certificate of the same CA). */
function kazoo(hosts: string, ops: unknown[][], cert = readerCert): KazooResult[] {
  // Debian's python3, where python3-kazoo is installed (not a pyenv shim's).
  const r = spawnSync('/usr/bin/python3', [KAZOO], { input: JSON.stringify({ hosts, ca: certs.ca, cert: cert.cert, key: cert.key, ops }), encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`kazoo over TLS failed (${r.status ?? r.error?.message}): ${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout) as KazooResult[];
}

const exists = (hosts: string, path: string): Promise<boolean> => Promise.resolve(!('error' in (kazoo(hosts, [['get', path]])[0] as object)));

test('registers over TLS as its certificate: x509:SUBJECT ALL + world READ; another certificate reads but cannot change or delete; zk-watcher registry reads over TLS; SIGTERM deletes over TLS', async () => {
  const config = writeConfig(service('/tls/x509', 'x509.example'));
  const statusPort = String(await freePort());
  const a = agent(['-c', config, '-s', zk.connectString, '--zk-tls-ca', certs.ca, '--zk-tls-cert', agentCert.cert, '--zk-tls-key', agentCert.key, '--status-port', statusPort]);
  const start = await a.waitForLog((r) => r.event === 'zk_tls', 'the TLS line');
  assert.equal(start.subject, AGENT_ID);
  // The test's certificates are valid for two days: within the two weeks the agent warns of, by the file and the date.
  const validTo = new Date(new X509Certificate(readFileSync(agentCert.cert)).validTo);
  const expiring = await a.waitForLog((r) => r.event === 'zk_tls_cert_expiring', 'the expiry warning');
  assert.deepEqual([expiring.cert, expiring.certValidTo], [agentCert.cert, validTo.toISOString()]);
  assert.match(String(expiring.msg), new RegExp(`^--zk-tls-cert ${agentCert.cert}: our client certificate for ZooKeeper expires on ${validTo.toISOString().replaceAll('.', '\\.')} \\(in \\d+ h\\)`));
  // The same date in /metrics (promtool-clean) and /status.
  // The status server may listen a moment after the warning: ask until it answers.
  const metrics = (await waitFor(
    async () => {
      try {
        return await (await fetch(`http://127.0.0.1:${statusPort}/metrics`)).text();
      } catch {
        return null;
      }
    },
    (m) => m !== null,
    { what: 'the status server to answer /metrics', timeoutMs: 30_000 },
  ))!;
  const status = (await (await fetch(`http://127.0.0.1:${statusPort}/status`)).json()) as { agent: { zkTlsClientCertValidTo?: string } };
  assert.ok(metrics.includes(`\nzkwatcher_zk_tls_client_cert_expiry_timestamp_seconds ${validTo.getTime() / 1000}\n`), 'the expiry in /metrics');
  assert.equal(status.agent.zkTlsClientCertValidTo, validTo.toISOString());
  const promtool = spawnSync('promtool', ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
  assert.deepEqual([promtool.status, promtool.stdout + promtool.stderr], [0, ''], 'promtool check metrics');
  const node = '/tls/x509/x509.example:1';
  await waitFor(() => exists(zk.connectString, node), (v) => v, { what: 'the node, read over TLS by kazoo', timeoutMs: 30_000 });
  const [got, set, del, parent] = kazoo(zk.connectString, [['get', node], ['set', node, 'forged'], ['delete', node], ['get', '/tls/x509']]);
  assert.deepEqual((got as { acl: unknown }).acl, [['x509', AGENT_ID, 31], ['world', 'anyone', 1]]);
  assert.match((got as { data: string }).data, /"pid"/);
  assert.deepEqual(set, { error: 'NoAuthError' }, 'another certificate cannot change it');
  assert.deepEqual(del, { error: 'NoAuthError' }, 'another certificate cannot delete it');
  assert.deepEqual((parent as { acl: unknown }).acl, [['x509', AGENT_ID, 31], ['world', 'anyone', 1]], 'the parent we made carries the same ACL');
  // The registry command speaks TLS with the same flags.
  const registry = runCli(['registry', '-c', config, '-s', zk.connectString, '--status-port', statusPort, '--zk-tls-ca', certs.ca, '--zk-tls-cert', readerCert.cert, '--zk-tls-key', readerCert.key]);
  assert.equal(registry.code, 0, registry.stdout + registry.stderr);
  // check (ExecReload=) asks the running agent: a certificate of another subject fails it, as the agent's reload would fail.
  const check = (cert: { cert: string; key: string }) => runCli(['check', '-c', config, '--status-port', statusPort, '--zk-tls-ca', certs.ca, '--zk-tls-cert', cert.cert, '--zk-tls-key', cert.key]);
  const other = check(readerCert);
  assert.equal(other.code, 2, other.stdout + other.stderr);
  assert.match(other.stderr, /--zk-tls-cert \S+reader\.pem: the certificate is for 'CN=reader', but the agent running here \(status port \d+\) is 'CN=agent one,O=zk-watcher test', whom the ACL of its nodes names/);
  const same = check(agentCert);
  assert.equal(same.code, 0, same.stdout + same.stderr);
  a.signal('SIGTERM');
  assert.equal(await a.exited, 0);
  assert.equal(await exists(zk.connectString, node), false, 'deleted at SIGTERM, over TLS');
});

test('a host whose certificate has another subject cannot register under a parent another subject made, and the error names its x509 identity', async () => {
  const owner = agent(['-c', writeConfig(service('/tls/shared', 'first.example')), '-s', zk.connectString, '--zk-tls-ca', certs.ca, '--zk-tls-cert', agentCert.cert, '--zk-tls-key', agentCert.key]);
  await waitFor(() => exists(zk.connectString, '/tls/shared/first.example:1'), (v) => v, { what: 'the first node', timeoutMs: 30_000 });
  const other = agent(['-c', writeConfig(service('/tls/shared', 'second.example')), '-s', zk.connectString, '--zk-tls-ca', certs.ca, '--zk-tls-cert', readerCert.cert, '--zk-tls-key', readerCert.key]);
  // The refusal, not a deadline a loaded machine may meet first.
  const refused = await other.waitForLog((r) => r.event === 'zk_sync_failed' && r.path === '/tls/shared/second.example:1' && /no permission/.test(String(r.error)), 'the refused registration');
  assert.match(String(refused.error), /no permission for our certificate's subject x509:CN=reader/);
  owner.signal('SIGTERM');
  other.signal('SIGTERM');
  assert.equal(await owner.exited, 0);
  assert.equal(await other.exited, 0);
});

test('digest [auth] over TLS works as before (digest wins over the certificate), and --zk-acl open opts out', async () => {
  const auth = `[auth]\nuser: tlsuser\npassword: ${PASSWORD}\n\n`;
  // Its own copies of the files: it is given another certificate below.
  const cert = join(certs.dir, 'digest-agent.pem');
  const key = join(certs.dir, 'digest-agent.key');
  copyFileSync(agentCert.cert, cert);
  copyFileSync(agentCert.key, key);
  const a = agent(['-c', writeConfig(service('/tls/digest', 'digest.example', auth)), '-s', zk.connectString, '--zk-tls-ca', certs.ca, '--zk-tls-cert', cert, '--zk-tls-key', key]);
  const b = agent(['-c', writeConfig(service('/tls/open', 'open.example')), '-s', zk.connectString, '--zk-tls-ca', certs.ca, '--zk-tls-cert', agentCert.cert, '--zk-tls-key', agentCert.key, '--zk-acl', 'open']);
  await waitFor(() => exists(zk.connectString, '/tls/digest/digest.example:1'), (v) => v, { what: 'the digest node', timeoutMs: 30_000 });
  await waitFor(() => exists(zk.connectString, '/tls/open/open.example:1'), (v) => v, { what: 'the open node', timeoutMs: 30_000 });
  const [digest, open] = kazoo(zk.connectString, [['get', '/tls/digest/digest.example:1'], ['get', '/tls/open/open.example:1']]) as { acl: [string, string, number][] }[];
  assert.deepEqual(digest!.acl.map(([scheme, id, perms]) => [scheme, id.split(':')[0], perms]), [['digest', 'tlsuser', 31], ['world', 'anyone', 1]]);
  assert.deepEqual(open!.acl, [['world', 'anyone', 31]]);
  // The digest ACL does not name the certificate's subject: a certificate of another subject is taken on SIGHUP.
  copyFileSync(readerCert.cert, cert);
  copyFileSync(readerCert.key, key);
  a.signal('SIGHUP');
  const reloaded = await a.waitForLog((r) => r.event === 'zk_tls_reloaded' || r.event === 'reload_rejected', 'the TLS files re-read');
  assert.equal(reloaded.subject, 'CN=reader', String(reloaded.why));
  // SIGHUP warns again of the new certificate's expiry (two days, as every test certificate).
  const expiring = await waitFor(async () => a.logs.filter((r) => r.event === 'zk_tls_cert_expiring'), (l) => l.length >= 2, { what: 'the expiry warning at start and at SIGHUP', timeoutMs: 30_000 });
  assert.equal(expiring[1]!.certValidTo, new Date(new X509Certificate(readFileSync(readerCert.cert)).validTo).toISOString());
  a.signal('SIGTERM');
  b.signal('SIGTERM');
  assert.equal(await a.exited, 0);
  assert.equal(await b.exited, 0);
});

test('--from-env: ZK_TLS_CA, ZK_TLS_CERT and ZK_TLS_KEY are the same settings', async () => {
  const env = { ...process.env, ZK_PATH: '/tls/env', SVC_HOST: 'env.example', SVC_PORT: '1', CMD: 'true', REFRESH: '1', ZOOKEEPER_HOST: '127.0.0.1', ZOOKEEPER_PORT: String(zk.port), ZK_TLS_CA: certs.ca, ZK_TLS_CERT: agentCert.cert, ZK_TLS_KEY: agentCert.key };
  const a = startAgent(['--from-env', '--log-format', 'json'], env);
  agents.push(a);
  await waitFor(() => exists(zk.connectString, '/tls/env/env.example:1'), (v) => v, { what: 'the --from-env node', timeoutMs: 30_000 });
  const [node] = kazoo(zk.connectString, [['get', '/tls/env/env.example:1']]) as { acl: unknown }[];
  assert.deepEqual(node!.acl, [['x509', AGENT_ID, 31], ['world', 'anyone', 1]]);
  a.signal('SIGTERM');
  assert.equal(await a.exited, 0);
});

test('over TLS, a silent connection is dropped (half-open), the expired session is replaced and the node made again', async () => {
  // A TCP proxy in front of the TLS port: TLS goes through it untouched, and it can go silent.
  const proxy = await startFaultProxy(zk.port);
  proxies.push(proxy);
  const a = agent(['-c', writeConfig(service('/tls/silent', 'silent.example')), '-s', proxy.connectString, '--zk-tls-ca', certs.ca, '--zk-tls-cert', agentCert.cert, '--zk-tls-key', agentCert.key, '--session-timeout', '2']);
  const node = '/tls/silent/silent.example:1';
  await waitFor(() => exists(zk.connectString, node), (v) => v, { what: 'the node', timeoutMs: 30_000 });
  proxy.setFault('both', { kind: 'hold' });
  await a.waitForLog((r) => r.event === 'zk_connection_dropped', 'the silent connection dropped');
  await a.waitForLog((r) => r.event === 'zk_session_lost', 'the session given up');
  proxy.setFault('both', { kind: 'pass' });
  await a.waitForLog((r) => r.event === 'zk_connected' && r.fresh === true && r !== a.logs.find((x) => x.event === 'zk_connected'), 'a new session');
  await waitFor(() => exists(zk.connectString, node), (v) => v, { what: 'the node made again under the new session', timeoutMs: 30_000 });
  a.signal('SIGTERM');
  assert.equal(await a.exited, 0);
  assert.equal(await exists(zk.connectString, node), false);
});

test('the TLS-only server has no plain port: a plain-text client gets no answer', async () => {
  // A plain client's ConnectRequest (length 44: protocol 0, zxid 0, timeout 10 s, session 0,
  // an empty 16-byte password): a plain port answers it with a session; the TLS port hangs up.
  const request = Buffer.alloc(48);
  request.writeInt32BE(44, 0);
  request.writeInt32BE(10_000, 16);
  request.writeInt32BE(16, 28);
  const answer = await new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    const s = connect({ host: '127.0.0.1', port: zk.port }, () => s.write(request));
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', () => undefined);
    s.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
  assert.equal(answer, '', 'no answer to a plain handshake');
  assert.doesNotMatch(readFileSync(join(zk.dir, 'zoo.cfg'), 'utf8'), /^clientPort=/m);
});

test('a wrong CA and a plain-TCP server are named per server, nothing registers; SIGHUP re-reads the files: an unreadable one is rejected, the right CA then registers', async () => {
  // A plain-TCP "server" as ZooKeeper's plain port treats a TLS hello: it reads it and hangs up.
  const plain = createServer((s) => s.once('data', () => s.destroy()).on('error', () => undefined));
  servers.push(plain);
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  const plainServer = `127.0.0.1:${(plain.address() as { port: number }).port}`;
  const dir = certs.dir;
  const ca = join(dir, 'rotating-ca.pem');
  const key = join(dir, 'rotating.key');
  copyFileSync(certs.otherCa, ca);
  copyFileSync(agentCert.key, key);
  const a = agent(['-c', writeConfig(service('/tls/rotate', 'rotate.example')), '-s', `${plainServer},${zk.connectString}`, '--zk-tls-ca', ca, '--zk-tls-cert', agentCert.cert, '--zk-tls-key', key]);
  const untrusted = await a.waitForLog((r) => r.event === 'zk_tls_failed' && r.server === zk.connectString, 'the TLS server named');
  assert.match(String(untrusted.reason), /does not verify against the CA file/);
  const closed = await a.waitForLog((r) => r.event === 'zk_tls_failed' && r.server === plainServer, 'the plain server named');
  assert.match(String(closed.reason), /closed the connection during the TLS handshake/);
  assert.equal(a.logs.some((r) => r.event === 'zk_connected'), false, 'no session with an untrusted server');
  // Rotation, first with a key that is not there: rejected, the old files stay.
  renameSync(key, `${key}.away`);
  a.signal('SIGHUP');
  const rejected = await a.waitForLog((r) => r.event === 'reload_rejected', 'the rejected reload');
  assert.match(String(rejected.why), /--zk-tls-key .*rotating\.key: cannot read it \(ENOENT\)/);
  renameSync(`${key}.away`, key);
  copyFileSync(certs.ca, ca);
  a.signal('SIGHUP');
  await a.waitForLog((r) => r.event === 'zk_tls_reloaded', 'the TLS files re-read');
  await waitFor(() => exists(zk.connectString, '/tls/rotate/rotate.example:1'), (v) => v, { what: 'the node, after the rotation', timeoutMs: 30_000 });
  a.signal('SIGTERM');
  assert.equal(await a.exited, 0);
});

test('a bad TLS file at start is exit 2 naming the flag and the file', async () => {
  const a = agent(['-c', writeConfig(service('/tls/bad', 'bad.example')), '-s', zk.connectString, '--zk-tls-ca', certs.ca, '--zk-tls-cert', agentCert.cert, '--zk-tls-key', readerCert.key]);
  assert.equal(await a.exited, 2);
  assert.match(a.stderr(), new RegExp(`--zk-tls-key ${readerCert.key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: is not the key of the certificate`));
});

test('a 3-server TLS ensemble: stopping the member we talk to moves the session, and the node stays', async () => {
  const ensemble = await startEnsemble(3, { tls: { keyStore: certs.serverKeyStore, trustStore: certs.ca, clientAuth: 'want' } });
  const a = agent(['-c', writeConfig(service('/tls/failover', 'failover.example')), '-s', ensemble.connectString, '--zk-tls-ca', certs.ca, '--zk-tls-cert', agentCert.cert, '--zk-tls-key', agentCert.key, '--session-timeout', '6']);
  const node = '/tls/failover/failover.example:1';
  await waitFor(() => exists(ensemble.connectString, node), (v) => v, { what: 'the node on the ensemble', timeoutMs: 30_000 });
  // Waited for, not looked up: the log line may reach us after kazoo has seen the node.
  const connected = await a.waitForLog((r) => r.event === 'zk_connected', 'the first session');
  // The member holding our connection lists it in `cons`.
  let ours: ZkServer | undefined;
  for (const s of ensemble.servers) if ((await s.fourLetter('cons')).split('\n').filter((l) => l.includes('sid=0x')).some((l) => l.includes(`sid=0x${String(connected.sessionId).replace(/^0+/, "")},`))) ours = s;
  assert.ok(ours !== undefined, 'one member holds our connection');
  await ours.stop();
  await a.waitForLog((r) => r.event === 'zk_connected' && r.fresh === false, 'reconnected within the session on another member');
  assert.equal(await exists(ensemble.connectString, node), true);
  a.signal('SIGTERM');
  assert.equal(await a.exited, 0);
});
