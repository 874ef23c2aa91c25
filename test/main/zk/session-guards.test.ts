import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createServer, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import pino from 'pino';
import { installClientGuards } from '../../../src/main/zk/nzc-guards.js';
import { ZkSession } from '../../../src/main/zk/session.js';
import { waitFor } from '../../support/wait.js';

const require = createRequire(import.meta.url);

test('error codes the client library does not know (ZooKeeper 3.5+) become exceptions instead of a throw', () => {
  installClientGuards();
  const Exception = require('node-zookeeper-client/lib/Exception.js') as { create(code: number, path?: string): { getCode(): number; getName(): string; message: string } };
  for (const [code, name] of [[-118, 'EPHEMERAL_ON_LOCAL_SESSION'], [-120, 'REQUEST_TIMEOUT'], [-122, 'SESSION_CLOSED_REQUIRE_SASL_AUTH'], [-999, 'UNKNOWN_ERROR_-999']] as const) {
    const e = Exception.create(code, '/x');
    assert.equal(e.getCode(), code);
    assert.equal(e.getName(), name);
    assert.match(e.message, new RegExp(`${name}\\[${code}\\]@/x`));
  }
  assert.equal(Exception.create(-101).getName(), 'NO_NODE', 'known codes are untouched');
});

test('closing the session while no server answers stops every reconnect attempt (no leaked socket)', async () => {
  // A "server" that accepts and hangs up at once: the client keeps retrying against it.
  let accepted = 0;
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    accepted++;
    sockets.add(s);
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const session = new ZkSession({ connectString: `127.0.0.1:${port}`, sessionTimeoutMs: 2000, auth: null, logger: pino({ level: 'silent' }, sink) });
  try {
    session.start();
    await waitFor(async () => accepted, (n) => n >= 2, { what: 'reconnect attempts' });
    await session.close(500);
    // A connect the library began just before close may still be accepted (and is destroyed at
    // once); on a loaded machine that takes a moment. Count from after it.
    await new Promise((r) => setTimeout(r, 500));
    const after = accepted;
    // The library's spin delay is at most 1 s between rounds: 3 s without a new attempt proves it stopped.
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(accepted, after, 'no connection attempt after close');
  } finally {
    // Whatever happened above, nothing of this test may keep the file's process alive.
    await session.close(0);
    for (const s of sockets) s.destroy();
    server.close();
  }
});
