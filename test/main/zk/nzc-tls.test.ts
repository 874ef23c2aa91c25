// The TLS hook (src/main/zk/nzc-tls.ts) copies node-zookeeper-client 1.1.3's
// ConnectionManager.connect() with tls.connect() in place of net.connect(). These fail when the
// library's connect() or the handlers it binds change, so the copy is looked at again.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { zookeeper } from '../../../src/main/cjs-packages.js';
import { TLS_CLOSED_CODE, useTlsSockets } from '../../../src/main/zk/nzc-tls.js';
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
