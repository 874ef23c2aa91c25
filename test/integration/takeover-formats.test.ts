// What proves a node at our path ours depends on OUR service's format there: a zk_watcher
// service takes over a node whose top-level pid is dead wherever the pid stands (Python 2's
// nd_service_registry wrote keys in hash order); a curator service never trusts a pid, only
// a session this agent process held. The nodes are held by a live foreign session, as a
// killed agent's are until ZooKeeper expires its session.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import zookeeper from 'node-zookeeper-client';
import { startAgent, writeConfig } from '../support/agent.js';
import { waitFor } from '../support/wait.js';
import { connectClient } from '../support/zk-client.js';
import { useZooKeeper } from '../support/zk-fixture.js';

const fx = useZooKeeper();

const PY2 = '/tf/py2/tf.example:7001';
const CUR = '/tf/cur/tf.example:7002';

/** The pid of a process that has exited: no agent runs under it. */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await once(child, 'exit');
  return child.pid!;
}

test('a Python 2 zk_watcher node with a dead pid in the middle is taken over; a curator service leaves a node with a dead pid alone, and says why', async () => {
  const dead = await deadPid();
  const other = await connectClient(fx.zk.connectString);
  try {
    await other.mkdirp('/tf/py2');
    await other.mkdirp('/tf/cur');
    await other.create(PY2, `{"foo": "bar", "pid": ${dead}, "created": "2020-01-02 03:04:05"}`, zookeeper.CreateMode.EPHEMERAL);
    await other.create(CUR, `{"pid":${dead},"name":"cur"}`, zookeeper.CreateMode.EPHEMERAL);
    const cfg = writeConfig(
      '[py2]\ncmd: true\nrefresh: 1\nservice_port: 7001\nservice_hostname: tf.example\nzookeeper_path: /tf/py2\n\n' +
        '[cur]\ncmd: true\nrefresh: 1\nservice_port: 7002\nservice_hostname: tf.example\nzookeeper_path: /tf/cur\nformat: curator\n',
    );
    const agent = fx.track(startAgent(['-c', cfg, '-s', fx.zk.connectString]));
    const session = await agent.waitForLog((r) => r.event === 'zk_connected', 'the agent connected');
    await agent.waitForLog((r) => r.event === 'taken_over' && r.path === PY2, 'the Python 2 node taken over', 30_000);
    const held = await agent.waitForLog((r) => r.event === 'path_held_by_other' && r.path === CUR, "the curator path left to the other session", 30_000);
    assert.match(held.msg, /curator data carries no agent pid, .*it goes when its session ends/);
    assert.equal((await fx.observer.getData(PY2))?.stat.ephemeralOwner.toString('hex'), session.sessionId, "the Python 2 node is the agent's now");
    assert.equal((await fx.observer.getData(CUR))?.stat.ephemeralOwner.toString('hex'), other.sessionId(), 'the curator node is still the other session\'s');
    assert.ok(!agent.logs.some((r) => r.event === 'taken_over' && r.path === CUR), 'never taken over');
    // Once its session ends, the curator node is the agent's to make.
    await other.close();
    await waitFor(() => fx.observer.getData(CUR), (n) => n?.stat.ephemeralOwner.toString('hex') === session.sessionId, { what: "the curator node registered by the agent", timeoutMs: 30_000 });
    agent.signal('SIGTERM');
    assert.equal(await agent.exited, 0);
  } finally {
    await other.close();
  }
});
