// A test file's real ZooKeeper, the client that observes it, and the agents it starts:
// started before the file's tests, and everything killed and stopped after them.

import { after, before } from 'node:test';
import type { Agent } from './agent.js';
import { connectClient, type TestClient } from './zk-client.js';
import { startZooKeeper, stopAll, type ZkServer } from './zookeeper.js';

export interface ZooKeeperFixture {
  readonly zk: ZkServer;
  readonly observer: TestClient;
  /** Remembers an agent so that it is SIGKILLed after the file's tests, even a failed one's. */
  track(agent: Agent): Agent;
}

/** Call at a test file's top level; `cleanup` runs after everything else is stopped. */
export function useZooKeeper(cleanup: () => void | Promise<void> = () => {}): ZooKeeperFixture {
  let zk: ZkServer | undefined;
  let observer: TestClient | undefined;
  const agents: Agent[] = [];
  before(async () => {
    zk = await startZooKeeper();
    observer = await connectClient(zk.connectString);
  });
  after(async () => {
    for (const a of agents) a.signal('SIGKILL');
    await observer?.close();
    await stopAll();
    await cleanup();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the ZooKeeper fixture is used before its before() hook ran');
    return value;
  };
  return {
    get zk() { return started(zk); },
    get observer() { return started(observer); },
    track(agent) {
      agents.push(agent);
      return agent;
    },
  };
}
