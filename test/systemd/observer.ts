// The systemd test's view of ZooKeeper from outside the container: which of our nodes
// exist, and whether the session that owns each one is connected right now.
//
// Why the owner matters: a restarted ZooKeeper reloads the sessions and ephemeral nodes it
// had, and keeps them for a session timeout even if their agent is dead. A node counts as
// registered only when its ephemeralOwner is a session with a live connection (`cons`).

import zookeeper from 'node-zookeeper-client';
import type { ZkServer } from '../support/zookeeper.js';
import { connectClient, type TestClient } from '../support/zk-client.js';

export interface NodeView {
  readonly path: string;
  /** ephemeralOwner as hex, null when the node does not exist */
  readonly owner: string | null;
  /** the owner has a live connection to the server */
  readonly ownerConnected: boolean;
  /** the node's czxid as hex: it changes when the node is deleted and created again */
  readonly czxid: string | null;
}

const sessionKey = (hex: string): string => BigInt('0x' + hex).toString(16);

export class Observer {
  private client: TestClient | undefined;

  constructor(private readonly zk: ZkServer) {}

  /** A client that survives ZooKeeper restarts: one that failed is dropped, the next call connects anew. */
  private async connected(): Promise<TestClient> {
    if (!this.client) this.client = await connectClient(this.zk.connectString, { connectTimeoutMs: 5000, opTimeoutMs: 5000 });
    return this.client;
  }

  private async withClient<T>(fn: (c: TestClient) => Promise<T>): Promise<T> {
    const client = await this.connected();
    try {
      return await fn(client);
    } catch (e) {
      this.client = undefined;
      await client.close().catch(() => {});
      throw e;
    }
  }

  /** Session ids (hex, no leading zeros) that hold a connection now, from the server's `cons`. */
  async connectedSessions(): Promise<Set<string>> {
    const cons = await this.zk.fourLetter('cons');
    return new Set([...cons.matchAll(/sid=0x([0-9a-f]+)/g)].map((m) => sessionKey(m[1]!)));
  }

  async nodes(paths: readonly string[]): Promise<NodeView[]> {
    const stats = await this.withClient((c) => Promise.all(paths.map((p) => c.exists(p))));
    const live = await this.connectedSessions();
    return paths.map((path, i) => {
      const stat = stats[i];
      if (!stat) return { path, owner: null, ownerConnected: false, czxid: null };
      const owner = stat.ephemeralOwner.toString('hex');
      return { path, owner, ownerConnected: live.has(sessionKey(owner)), czxid: stat.czxid.toString('hex') };
    });
  }

  /** Children of each parent path (none when the parent does not exist). */
  async children(parents: readonly string[]): Promise<Record<string, string[]>> {
    const lists = await this.withClient((c) => Promise.all(parents.map((p) => c.getChildren(p).catch((e: { code?: number }) => (e.code === zookeeper.Exception.NO_NODE ? [] : Promise.reject(e))))));
    return Object.fromEntries(parents.map((p, i) => [p, lists[i]!]));
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.close();
  }
}

/** Every node exists, held by a connected session. */
export const allRegistered = (views: readonly NodeView[]): boolean => views.every((v) => v.owner !== null && v.ownerConnected);
