// The TLS hook (src/main/zk/nzc-tls.ts) copies node-zookeeper-client 1.1.3's
// ConnectionManager.connect() with tls.connect() in place of net.connect(). These fail when the
// library's connect() or the handlers it binds change, so the copy is looked at again.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { zookeeper } from '../../../src/main/cjs-packages.js';
import { TLS_CLOSED_CODE, useTlsSockets } from '../../../src/main/zk/nzc-tls.js';
import { readFileSync } from 'node:fs';
import { createServer as createTlsServer } from 'node:tls';
import { makeTlsFiles } from '../../support/tls-certs.js';
import { waitFor } from '../../support/wait.js';

const require = createRequire(import.meta.url);

/** The library's connect(), whitespace folded: what nzc-tls.ts's copy was made from. */
const LIBRARY_CONNECT =
  "function () { var self = this; self.setState(STATES.CONNECTING); self.findNextServer(function (server) { self.socket = net.connect(server); self.connectTimeoutHandler = setTimeout( self.onSocketConnectTimeout.bind(self), self.connectTimeout ); // Disable the Nagle algorithm. self.socket.setNoDelay(); self.socket.on('connect', self.onSocketConnected.bind(self)); self.socket.on('data', self.onSocketData.bind(self)); self.socket.on('drain', self.onSocketDrain.bind(self)); self.socket.on('close', self.onSocketClosed.bind(self)); self.socket.on('error', self.onSocketError.bind(self)); }); }";

test("the library's connect() is still the one the TLS hook copies, with the handlers it binds", () => {
  const ConnectionManager = require('node-zookeeper-client/lib/ConnectionManager.js') as { prototype: Record<string, unknown>; STATES: Record<string, number> };
  assert.equal(String(ConnectionManager.prototype.connect).replace(/\s+/g, ' '), LIBRARY_CONNECT);
  for (const name of ['setState', 'findNextServer', 'onSocketConnectTimeout', 'onSocketConnected', 'onSocketData', 'onSocketDrain', 'onSocketClosed', 'onSocketError']) {
    assert.equal(typeof ConnectionManager.prototype[name], 'function', name);
  }
  assert.equal(ConnectionManager.STATES.CONNECTING, 1, 'the state nzc-tls.ts sets');
  const client = zookeeper.createClient('127.0.0.1:1');
  assert.ok('connectionManager' in client, 'the client holds its manager where the hook looks');
});

test('a server that hangs up during the TLS handshake (a plain-TCP port) reaches the library as ZKW_TLS_CLOSED', async () => {
  const sockets = new Set<Socket>();
  const plain = createServer((s) => {
    sockets.add(s);
    s.once('data', () => s.destroy());
  });
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  const client = zookeeper.createClient(`127.0.0.1:${(plain.address() as { port: number }).port}`, { retries: 0, spinDelay: 100 });
  const manager = (client as unknown as { connectionManager: { onSocketError(e: NodeJS.ErrnoException): void } }).connectionManager;
  const codes: (string | undefined)[] = [];
  const original = manager.onSocketError;
  manager.onSocketError = (e) => {
    codes.push(e.code);
    original.call(manager, e);
  };
  useTlsSockets(client, () => ({ ca: null, cert: null, key: null, verifyHostname: true }));
  try {
    client.connect();
    await waitFor(async () => codes, (c) => c.length > 0, { what: 'a socket error' });
    assert.equal(codes[0], TLS_CLOSED_CODE);
  } finally {
    client.close();
    (client as unknown as { connectionManager: { socket?: { destroy(): void } } }).connectionManager.socket?.destroy();
    for (const s of sockets) s.destroy();
    plain.close();
  }
});

test('the host name check: a server certificate that does not name the host is refused, unless told not to check', async () => {
  const certs = makeTlsFiles();
  // A certificate for zk.example only, served on 127.0.0.1.
  const other = certs.client('zk.example', '/CN=zk.example');
  const accepted = new Set<{ destroy(): void }>();
  const server = createTlsServer({ cert: readFileSync(other.cert), key: readFileSync(other.key) }, (s) => accepted.add(s.on('error', () => undefined)));
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = `127.0.0.1:${(server.address() as { port: number }).port}`;
  const attempt = async (verifyHostname: boolean): Promise<string> => {
    const client = zookeeper.createClient(address, { retries: 0, spinDelay: 100 });
    const manager = (client as unknown as { connectionManager: { connect(): void; onSocketError(e: NodeJS.ErrnoException): void; onSocketConnected(): void; socket?: { destroy(): void } } }).connectionManager;
    let outcome = '';
    // The first outcome ends the attempt: no reconnect after it; the library's own handlers still run (they clear its timer).
    const { onSocketError, onSocketConnected } = manager;
    const settle = (what: string): void => {
      outcome ||= what;
      manager.connect = () => undefined;
    };
    manager.onSocketError = (e) => {
      settle(String(e.code));
      onSocketError.call(manager, e);
    };
    manager.onSocketConnected = () => {
      settle('secure');
      onSocketConnected.call(manager);
    };
    useTlsSockets(client, () => ({ ca: readFileSync(certs.ca), cert: null, key: null, verifyHostname }));
    try {
      client.connect();
      await waitFor(async () => outcome, (o) => o !== '', { what: 'the TLS handshake' });
      return outcome;
    } finally {
      client.close();
      manager.socket?.destroy();
    }
  };
  try {
    assert.equal(await attempt(true), 'ERR_TLS_CERT_ALTNAME_INVALID');
    assert.equal(await attempt(false), 'secure');
  } finally {
    for (const s of accepted) s.destroy();
    server.close();
  }
});
