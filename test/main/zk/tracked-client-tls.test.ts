// TrackedClient over TLS (--zk-tls): a server that takes the TCP connection and then never
// finishes the TLS handshake (hung, or not speaking TLS and waiting for us) is named for what it
// did, not as one that "did not accept a connection" (a firewall or a server that is down).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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
