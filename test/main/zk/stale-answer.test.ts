// A connection that ends halfway through an answer leaves nothing behind for the next one:
// a stand-in server sends the first connection half a ConnectResponse and hangs up, then
// answers the second properly. node-zookeeper-client kept the half and parsed the second
// answer behind it (the fleet bench, 3000 hosts, members killed mid-answer: the library threw
// out of the socket's data handler and the process ended).

import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import pino from 'pino';
import { TrackedClient } from '../../../src/main/zk/tracked-client.js';
import { waitFor } from '../../support/wait.js';

/** A ConnectResponse: protocol version 0, the timeout, the session id, a 16-byte password. */
function connectResponse(timeoutMs: number, sessionId: bigint): Buffer {
  const body = Buffer.alloc(4 + 4 + 8 + 4 + 16);
  body.writeInt32BE(0, 0);
  body.writeInt32BE(timeoutMs, 4);
  body.writeBigInt64BE(sessionId, 8);
  body.writeInt32BE(16, 16);
  const packet = Buffer.alloc(4 + body.length);
  packet.writeInt32BE(body.length, 0);
  body.copy(packet, 4);
  return packet;
}

test('after a connection cut mid-answer, the next connection is read from its own first byte', async () => {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const n = ++connections;
    socket.once('data', () => {
      const answer = connectResponse(10_000, 0x1234n + BigInt(n));
      // The first: half an answer, then gone (a server killed while it wrote).
      if (n === 1) socket.end(answer.subarray(0, 10));
      else socket.write(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const errors: unknown[] = [];
  const onUncaught = (e: unknown) => errors.push(e);
  process.on('uncaughtException', onUncaught);
  const tracked = new TrackedClient({ connectString: `127.0.0.1:${port}`, sessionTimeoutMs: 10_000, auth: null, log: pino({ level: 'silent' }) });
  const sessions: string[] = [];
  tracked.on('connected', (id) => sessions.push(id));
  try {
    tracked.start();
    await waitFor(async () => ({ sessions: [...sessions], connections, errors: errors.length }), (s) => s.sessions.length > 0 || s.errors > 0, { what: 'a session from the second connection', timeoutMs: 30_000 });
    assert.deepEqual(errors, []);
    assert.ok(connections >= 2, `connections: ${connections}`);
    // Only the second connection's answer: the session id it carries, read whole.
    assert.deepEqual(sessions, ['0000000000001236']);
  } finally {
    process.off('uncaughtException', onUncaught);
    tracked.discard();
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
