// The session owner and the registrar, in-process, against faults a test can only
// make from inside: forced expiry, and a connection cut under a write.

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import zookeeper, { type Client } from 'node-zookeeper-client';
import pino from 'pino';
import { Registrar } from '../../src/main/zk/registrar.js';
import { ZkSession } from '../../src/main/zk/session.js';
import { waitFor } from '../support/wait.js';
import { startProxy } from '../support/tcp-proxy.js';
import { connectClient } from '../support/zk-client.js';
import { startZooKeeper, stopAll } from '../support/zookeeper.js';

// Whatever a test leaves open (a failing assertion skips its own cleanup) must not keep this file running.
const sessions: ZkSession[] = [];
after(async () => {
  await Promise.all(sessions.map((s) => s.close(100)));
  await stopAll();
});

interface Record_ { event?: string; why?: string; sessionId?: string; error?: string }

/** A pino logger whose records the test can read. */
function capturedLogger(): { records: Record_[]; logger: pino.Logger } {
  const records: Record_[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) records.push(JSON.parse(line) as Record_);
      cb();
    },
  });
  return { records, logger: pino({ level: 'info' }, sink) };
}

test('an expired session (closed by a client that joined it) is replaced, and every wanted node comes back under the new one', async () => {
  const zk = await startZooKeeper();
  const { records, logger } = capturedLogger();
  // Through a proxy, so the intruder can close our session while we cannot reach the server:
  // our reconnect then meets an expired session, deterministically.
  const proxy = await startProxy(zk.port);
  const session = new ZkSession({ connectString: proxy.connectString, sessionTimeoutMs: 10_000, auth: null, logger });
  sessions.push(session);
  const registrar = new Registrar(session, logger);
  session.start();
  const paths = ['/expiry/a:1', '/expiry/b:2'];
  for (const p of paths) registrar.set(p, { data: Buffer.from('{"pid":1}') }, logger);
  const observer = await connectClient(zk.connectString);
  for (const p of paths) await waitFor(() => observer.exists(p), (s) => s !== null, { what: `${p} registered` });
  const firstId = session.id!;

  // Join the session with its id and password, then close it: the server ends the session.
  const client = (session as unknown as { current: { client: Client } }).current.client;
  await proxy.setMode('refuse');
  const intruder = zookeeper.createClient(zk.connectString, { sessionTimeout: 10_000 });
  const manager = (intruder as unknown as { connectionManager: { sessionId: Buffer; sessionPassword: Buffer } }).connectionManager;
  manager.sessionId = client.getSessionId();
  manager.sessionPassword = client.getSessionPassword();
  await new Promise<void>((resolve) => {
    intruder.once('connected', () => resolve());
    intruder.connect();
  });
  assert.equal(intruder.getSessionId().toString('hex'), firstId, 'the intruder joined our session');
  await new Promise<void>((resolve) => {
    intruder.once('disconnected', () => resolve());
    intruder.close();
  });
  await proxy.setMode('pass');

  await waitFor(async () => records.find((r) => r.event === 'zk_session_lost'), (r) => r !== undefined, { what: 'the session reported lost' });
  assert.match(records.find((r) => r.event === 'zk_session_lost')!.why ?? '', /expired/);
  for (const p of paths) {
    const node = await waitFor(() => observer.getData(p), (n) => n !== null && n.stat.ephemeralOwner.toString('hex') !== firstId, { what: `${p} back under a new session`, timeoutMs: 20_000 });
    assert.equal(node!.stat.ephemeralOwner.toString('hex'), session.id);
  }
  // The observer can read a node before our client has processed the create's answer.
  await waitFor(async () => registrar.registeredCount, (n) => n === paths.length, { what: 'both counted as registered' });
  await registrar.removeAll(5000);
  await session.close(1000);
  for (const p of paths) assert.equal(await observer.exists(p), null);
  await observer.close();
  await proxy.close();
});

test('CONNECTION_LOSS on a write is settled by reading back, not by a blind retry: the node ends registered exactly once', async () => {
  const zk = await startZooKeeper();
  const observer = await connectClient(zk.connectString);
  await observer.create('/connloss');
  const { records, logger } = capturedLogger();
  const proxy = await startProxy(zk.port);
  // One write a second and no burst: the second create waits in the bucket, long enough to cut the line under it.
  const session = new ZkSession({ connectString: proxy.connectString, sessionTimeoutMs: 10_000, auth: null, logger, writesPerSecond: 1, writeBurst: 1 });
  sessions.push(session);
  const registrar = new Registrar(session, logger);
  session.start();
  await waitFor(async () => session.id, (id) => id !== null, { what: 'connected' });
  registrar.set('/connloss/a:1', { data: Buffer.from('{"pid":1}') }, logger);
  await waitFor(() => observer.exists('/connloss/a:1'), (s) => s !== null, { what: 'a registered' });
  registrar.set('/connloss/b:2', { data: Buffer.from('{"pid":2}') }, logger);
  // b's read has been answered: its create now waits for a token.
  await waitFor(async () => session.queueDepth.awaitingAnswer, (n) => n === 0, { what: "b's read answered" });
  await proxy.setMode('pause');
  await waitFor(async () => session.queueDepth.awaitingAnswer, (n) => n === 1, { what: "b's create sent into the paused line" });
  await proxy.setMode('reset');
  await waitFor(async () => records.find((r) => r.event === 'zk_sync_failed' && String(r.error).includes('CONNECTION_LOSS')), (r) => r !== undefined, { what: 'the create failing with CONNECTION_LOSS' });
  await proxy.setMode('pass');
  const node = await waitFor(() => observer.getData('/connloss/b:2'), (n) => n !== null, { what: 'b registered after reading back', timeoutMs: 20_000 });
  assert.equal(node!.stat.ephemeralOwner.toString('hex'), session.id, 'under the same session');
  assert.equal(node!.stat.version, 0, 'created once, never overwritten');
  assert.ok(!records.some((r) => r.event === 'zk_session_lost'), 'the session survived the cut');
  await waitFor(async () => registrar.registeredCount, (n) => n === 2, { what: 'both counted as registered' });
  await registrar.removeAll(5000);
  await session.close(1000);
  await observer.close();
  await proxy.close();
});
