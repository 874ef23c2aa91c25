// The one place that reaches into node-zookeeper-client's internals, against a real
// ZooKeeper: thousands of answers that arrive in a few reads are all delivered, and the
// rest of a read is no longer copied once per answer.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Writable } from 'node:stream';
import pino from 'pino';
import { zookeeper } from '../../src/main/cjs-packages.js';
import { TrackedClient } from '../../src/main/zk/tracked-client.js';
import { startZooKeeper, stopAll, type ZkServer } from '../support/zookeeper.js';
import { waitFor } from '../support/wait.js';

let zk: ZkServer;
const OPEN_ACL = zookeeper.ACL.OPEN_ACL_UNSAFE;
const PERSISTENT = zookeeper.CreateMode.PERSISTENT;

before(async () => {
  zk = await startZooKeeper();
});

after(async () => {
  await stopAll();
});

test('5,000 answers in a few reads: every callback gets its own answer, and the rest of a read is not copied once per answer', async () => {
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const tracked = new TrackedClient({ connectString: zk.connectString, sessionTimeoutMs: 10_000, auth: null, log: pino({ level: 'silent' }, sink) });
  let connected = false;
  tracked.on('connected', () => (connected = true));
  tracked.start();
  const concat = Buffer.concat;
  try {
    await waitFor(async () => connected, (c) => c, { what: 'connected' });
    await new Promise<void>((resolve, reject) => tracked.client.create('/answers', null, OPEN_ACL, PERSISTENT, (e) => (e ? reject(e) : resolve())));
    // The library's old way: for each further answer of a read, Buffer.concat([rest, empty]).
    let copiesOfTheRest = 0;
    Buffer.concat = ((list: readonly Uint8Array[], length?: number) => {
      if (list.length === 2 && list[1]!.length === 0) copiesOfTheRest++;
      return concat.call(Buffer, list, length);
    }) as typeof Buffer.concat;
    const N = 5000;
    const answers = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        new Promise<string>((resolve) =>
          // Every other path exists: answers differ, so one delivered to the wrong callback shows.
          tracked.client.exists(i % 2 === 0 ? '/answers' : `/answers/none-${i}`, undefined, (e, stat) => resolve(e ? `error ${String(e)}` : stat ? 'there' : 'absent')),
        ),
      ),
    );
    Buffer.concat = concat;
    answers.forEach((a, i) => assert.equal(a, i % 2 === 0 ? 'there' : 'absent', `answer ${i}`));
    assert.equal(copiesOfTheRest, 0, 'the rest of a read was copied for each answer in it');
  } finally {
    Buffer.concat = concat;
    tracked.discard();
  }
});
