// TrackedClient over TLS (--zk-tls): a server that takes the TCP connection and then never
// finishes the TLS handshake (hung, or not speaking TLS and waiting for us) is named for what it
// did, not as one that "did not accept a connection" (a firewall or a server that is down).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import pino from 'pino';
import { TrackedClient } from '../../../src/main/zk/tracked-client.js';
import { makeTlsFiles } from '../../support/tls-certs.js';
import { waitFor } from '../../support/wait.js';

test('a server that accepts the TCP connection but never finishes the TLS handshake is named so, within the attempt deadline', async () => {
  const sockets = new Set<Socket>();
  const silent = createServer((s) => sockets.add(s.on('error', () => undefined)));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const server = `127.0.0.1:${(silent.address() as { port: number }).port}`;
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const tracked = new TrackedClient({ connectString: server, sessionTimeoutMs: 2000, auth: null, log: pino({ level: 'silent' }, sink), tls: () => ({ ca: null, cert: null, key: null, verifyHostname: true }) });
  tracked.start();
  try {
    const failures = await waitFor(async () => tracked.attemptFailures, (f) => f.length > 0, { what: 'the attempt on the silent server to end', timeoutMs: 30_000 });
    assert.equal(failures[0]!.server, server);
    assert.match(failures[0]!.detail, /^accepted the connection but did not finish the TLS handshake within \d+ ms$/);
  } finally {
    tracked.discard();
    for (const s of sockets) s.destroy();
    silent.close();
  }
});

test('without --zk-tls, a TLS-only port that hangs up on our handshake is named as a possible TLS port', async () => {
  const certs = makeTlsFiles();
  const server = certs.client('localhost', '/CN=localhost');
  const sockets = new Set<Socket>();
  // As ZooKeeper's secureClientPort: our plain ConnectRequest is no TLS hello, and it hangs up.
  const secure = createTlsServer({ cert: readFileSync(server.cert), key: readFileSync(server.key) });
  secure.on('connection', (s: Socket) => sockets.add(s.on('error', () => undefined)));
  secure.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => secure.listen(0, '127.0.0.1', r));
  const address = `127.0.0.1:${(secure.address() as { port: number }).port}`;
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const tracked = new TrackedClient({ connectString: address, sessionTimeoutMs: 10_000, auth: null, log: pino({ level: 'silent' }, sink) });
  tracked.start();
  try {
    const failures = await waitFor(async () => tracked.attemptFailures, (f) => f.length > 0, { what: 'the attempt on the TLS port to end', timeoutMs: 30_000 });
    assert.match(failures[0]!.detail, /closed the connection without answering the handshake \(not serving yet, or a TLS-only port that wants --zk-tls\?\)/);
  } finally {
    tracked.discard();
    for (const s of sockets) s.destroy();
    secure.close();
  }
});

/** A ConnectResponse as ZooKeeper sends it (size, protocol version, timeout, session id, password): enough for the library to be connected. */
function connectResponse(timeoutMs: number): Buffer {
  const b = Buffer.alloc(40);
  b.writeInt32BE(36, 0);
  b.writeInt32BE(0, 4);
  b.writeInt32BE(timeoutMs, 8);
  b.writeBigInt64BE(0x1234n, 12);
  b.writeInt32BE(16, 20);
  return b;
}

test('a TLS failure is named once per outage: the same failure after a connection that worked is logged again', async () => {
  const certs = makeTlsFiles();
  // The CA's server certificate, for localhost and 127.0.0.1.
  const server = { cert: join(certs.dir, 'server.pem'), key: join(certs.dir, 'server.key') };
  const sockets = new Set<Socket>();
  let hangUp = true;
  let connections = 0;
  // While hangUp, each connection is closed before the TLS handshake; else it answers the ConnectRequest as ZooKeeper would.
  const secure = createTlsServer({ cert: readFileSync(server.cert), key: readFileSync(server.key) }, (s) => {
    s.on('error', () => undefined).once('data', () => s.write(connectResponse(4000)));
  });
  secure.on('connection', (s: Socket) => {
    connections++;
    if (hangUp) s.destroy();
    else sockets.add(s.on('error', () => undefined));
  });
  secure.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => secure.listen(0, '127.0.0.1', r));
  const address = `127.0.0.1:${(secure.address() as { port: number }).port}`;
  const lines: { event?: string; server?: string }[] = [];
  const sink = new Writable({ write: (c: Buffer, _e, cb) => (lines.push(JSON.parse(c.toString()) as { event?: string }), cb()) });
  // A short timeout: the library's own connect timer (a share of it) outlives discard() and holds the test file open.
  const tracked = new TrackedClient({ connectString: address, sessionTimeoutMs: 4000, auth: null, log: pino({ level: 'info' }, sink), tls: () => ({ ca: readFileSync(certs.ca), cert: null, key: null, verifyHostname: true }) });
  let connected = 0;
  tracked.on('connected', () => connected++);
  const logged = (): number => lines.filter((l) => l.event === 'zk_tls_failed' && l.server === address).length;
  tracked.start();
  try {
    await waitFor(async () => connections, (n) => n >= 3, { what: 'three attempts on the server that hangs up', timeoutMs: 60_000 });
    assert.equal(logged(), 1, 'named once, not at every attempt');
    hangUp = false;
    await waitFor(async () => connected, (n) => n >= 1, { what: 'a connection that works', timeoutMs: 60_000 });
    hangUp = true;
    for (const s of sockets) s.destroy();
    await waitFor(async () => logged(), (n) => n >= 2, { what: 'the same failure named again after the connection that worked', timeoutMs: 60_000 });
  } finally {
    tracked.discard();
    for (const s of sockets) s.destroy();
    secure.close();
  }
});
