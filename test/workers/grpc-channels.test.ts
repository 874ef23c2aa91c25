// The grpc check's channels, run in this process (not a worker) so the channel limits can be
// lowered: a channel closed while still connecting must not leave its connection behind.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createServer, type Server, type Socket } from 'node:net';
import { after, test } from 'node:test';
import type * as GrpcModule from '@grpc/grpc-js';
import type * as HealthModule from 'grpc-health-check';
import { channelLimits, checkGrpc } from '../../src/workers/grpc-check.js';
import { waitFor } from '../support/wait.js';

const require = createRequire(import.meta.url);
const grpc = require('@grpc/grpc-js') as typeof GrpcModule;
const { HealthImplementation } = require('grpc-health-check') as typeof HealthModule;
const closers: (() => unknown)[] = [];

after(async () => {
  for (const close of closers.reverse()) await close();
});

/** Accepts and never says a word (not HTTP/2, not TLS); counts the connections still open. */
async function silentServer(): Promise<{ port: number; open: Set<Socket> }> {
  const open = new Set<Socket>();
  const server: Server = createServer((s) => {
    open.add(s);
    s.on('close', () => open.delete(s));
    s.on('error', () => {});
    s.resume();
  });
  closers.push(() => new Promise((r) => server.close(r)), () => open.forEach((s) => s.destroy()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, open };
}

async function healthServer(): Promise<number> {
  const server = new grpc.Server();
  new HealthImplementation({ '': 'SERVING' }).addToServer(server);
  closers.push(() => server.forceShutdown());
  return new Promise((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
}

for (const tls of [false, true]) {
  test(`a channel evicted while still connecting${tls ? ' (TLS handshake unanswered)' : ' (HTTP/2 handshake unanswered)'} has its connection closed`, async () => {
    const saved = channelLimits.maxChannels;
    channelLimits.maxChannels = 1;
    try {
      const silent = await silentServer();
      const r = await checkGrpc({ target: { host: '127.0.0.1', port: silent.port }, service: '', tls }, 500, { ca: null, serverName: null, skipVerify: true });
      assert.deepEqual([r.passed, r.reason], [false, 'timed out after 0.5 s']);
      await waitFor(async () => silent.open.size, (n) => n === 1, { what: 'the silent server holding the check\'s connection' });
      // A check of another target: past the limit, the channel still connecting is closed.
      const port = await healthServer();
      const ok = await checkGrpc({ target: { host: '127.0.0.1', port }, service: '', tls: false }, 5000);
      assert.deepEqual([ok.passed, ok.reason], [true, 'SERVING']);
      await waitFor(async () => silent.open.size, (n) => n === 0, { what: 'the evicted channel\'s connection closed (grpc-js alone leaves it open)', timeoutMs: 10_000 });
    } finally {
      channelLimits.maxChannels = saved;
    }
  });
}
