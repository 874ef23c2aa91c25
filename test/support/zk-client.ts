// The tests' own, independent view of ZooKeeper: a small promise wrapper over
// node-zookeeper-client (every operation times out), plus zkCli(), which runs
// ZooKeeper's Java CLI as a completely separate client implementation.
//
// node-zookeeper-client notes (1.1.3), relevant when reading test failures:
//  * Requests made while disconnected are queued and sent after reconnecting; if the
//    socket drops with requests in flight they fail with CONNECTION_LOSS.
//  * It has no read timeout at all: once TCP is up it waits forever, both for the
//    ConnectResponse and, when connected, for replies (it only sends pings). So a client
//    behind a half-open partition stays "SYNC_CONNECTED" with hanging requests, and a
//    client whose TCP connection a just-(re)starting ZooKeeper accepted but never serves
//    (this happens with 3.8 here, see harness.test.ts) stays CONNECTING forever.
//    TestClient therefore adds a liveness rule (`liveness`, on by default), like the Java
//    client's: drop the socket so the library reconnects if nothing is read for 2/3 of the
//    session timeout while connected, or for 1.5 s after sending the ConnectRequest.
//    Every operation also has its own timeout.
//  * After the server expires the session the client emits 'expired' and then reports
//    DISCONNECTED for ever (its internal state is CLOSED); requests fail with
//    CONNECTION_LOSS, not SESSION_EXPIRED. stateHistory shows the EXPIRED step.
//  * close() needs a server answer to finish; close() here waits at most 2 s and then
//    destroys the socket so no test process is kept alive by a dead connection.
import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import zookeeper, { type ACL, type Client, type Stat } from 'node-zookeeper-client';
import { cliLog4jConfig, ensureZooKeeperInstalled, JVM_FLAGS, trackProcess, ZK_CLASSPATH } from './zookeeper.js';
import { useTlsSockets, type ZkTlsSocketOptions } from '../../src/main/zk/nzc-tls.js';

export type { Stat } from 'node-zookeeper-client';

/** An ACL entry as plain data, e.g. { perms: 31, scheme: 'world', id: 'anyone' }. */
export interface AclEntry {
  perms: number;
  scheme: string;
  id: string;
}

export interface ConnectOptions {
  /** requested session timeout, ms; default 10000 (the test servers grant 1000..60000) */
  sessionTimeout?: number;
  /** digest credentials added before connecting */
  auth?: { user: string; password: string };
  /** how long to wait for the first connection, ms; default 15000 */
  connectTimeoutMs?: number;
  /** per-operation timeout, ms; default 10000 */
  opTimeoutMs?: number;
  /**
   * Java-client-like liveness (default true): drop the socket when nothing has been read
   * for 2/3 of the session timeout while connected (1.5 s while awaiting the
   * ConnectResponse), so the library reconnects.
   * false = the library's raw behaviour (waits forever on a silent connection).
   */
  liveness?: boolean;
  /** TLS to a TLS-only server (src/main/zk/nzc-tls.ts, the agent's own hook); default plain TCP */
  tls?: ZkTlsSocketOptions;
}

export interface TestClient {
  /** the underlying node-zookeeper-client Client (watchers, transactions...) */
  readonly raw: Client;
  /** stat, or null if the node does not exist */
  exists(path: string): Promise<Stat | null>;
  /** data and stat, or null if the node does not exist */
  getData(path: string): Promise<{ data: Buffer; stat: Stat } | null>;
  /** the node's ACL as plain entries; rejects (NO_NODE) if it does not exist */
  getACL(path: string): Promise<AclEntry[]>;
  /** child names, sorted; rejects (NO_NODE) if the node does not exist */
  getChildren(path: string): Promise<string[]>;
  /** creates a node (default: empty data, PERSISTENT, OPEN_ACL_UNSAFE); resolves with the created path */
  create(path: string, data?: Buffer | string | null, mode?: number, acls?: ACL[]): Promise<string>;
  /** creates the node and any missing ancestors (persistent, open ACL) */
  mkdirp(path: string, data?: Buffer | string | null): Promise<string>;
  /** deletes a node (any version by default) */
  remove(path: string, version?: number): Promise<void>;
  /** sets data (any version by default); resolves with the new stat */
  setData(path: string, data: Buffer | string | null, version?: number): Promise<Stat>;
  /** the session id as 16 hex digits, e.g. '0100001227ab0000' */
  sessionId(): string;
  /** current client state name: 'SYNC_CONNECTED', 'DISCONNECTED', 'EXPIRED', 'AUTH_FAILED', ... */
  state(): string;
  /** every state change seen since connecting, in order (starts with 'SYNC_CONNECTED') */
  readonly stateHistory: readonly string[];
  /** closes the session (waits at most 2 s for the server, then drops the socket) */
  close(): Promise<void>;
}

interface ConnectionManagerInternals {
  state: number;
  socket?: Socket;
  sessionTimeout: number;
  connectTimeoutHandler?: NodeJS.Timeout | null;
}
// ConnectionManager.STATES in 1.1.3
const CM_CONNECTING = 1;
const CM_CONNECTED = 2;
const CM_CLOSED = -2;

function toBuffer(data: Buffer | string | null | undefined): Buffer | null {
  if (data === undefined || data === null) return null;
  return typeof data === 'string' ? Buffer.from(data) : data;
}

function isNoNode(err: unknown): boolean {
  return (err as { code?: number } | null)?.code === zookeeper.Exception.NO_NODE;
}

class TestClientImpl implements TestClient {
  readonly stateHistory: string[] = [];
  private readonly cm: ConnectionManagerInternals;
  private livenessTimer: NodeJS.Timeout | undefined;
  private watched: { socket: Socket; bytesRead: number; since: number } | undefined;

  constructor(
    readonly raw: Client,
    private readonly opTimeoutMs: number,
    liveness: boolean,
  ) {
    this.cm = (raw as unknown as { connectionManager: ConnectionManagerInternals }).connectionManager;
    raw.on('state', (s: { name: string }) => this.stateHistory.push(s.name));
    if (liveness) {
      this.livenessTimer = setInterval(() => this.checkLiveness(), 100);
      this.livenessTimer.unref();
    }
  }

  /** Drops a socket that has read nothing for too long (see ConnectOptions.liveness). */
  private checkLiveness(): void {
    const { socket, state } = this.cm;
    if (!socket || socket.destroyed || socket.connecting || (state !== CM_CONNECTING && state !== CM_CONNECTED)) {
      this.watched = undefined;
      return;
    }
    const now = Date.now();
    if (!this.watched || this.watched.socket !== socket || this.watched.bytesRead !== socket.bytesRead) {
      this.watched = { socket, bytesRead: socket.bytesRead, since: now };
      return;
    }
    const readTimeout = (this.cm.sessionTimeout * 2) / 3;
    // A loopback handshake answers in milliseconds; a server that has not answered the
    // ConnectRequest after 1.5 s is one that never will (see the header), so retry sooner.
    const limit = state === CM_CONNECTING ? Math.min(1500, readTimeout) : readTimeout;
    if (now - this.watched.since > Math.max(300, limit)) {
      this.watched = undefined;
      socket.destroy(); // the library sees the close and reconnects
    }
  }

  private call<T>(what: string, fn: (cb: (err: Error | null, value?: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        reject(new Error(`zk-client: ${what}: no reply within ${this.opTimeoutMs} ms (client state ${this.state()})`));
      }, this.opTimeoutMs);
      try {
        fn((err, value) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (err) reject(err);
          else resolve(value as T);
        });
      } catch (e) {
        settled = true;
        clearTimeout(timer);
        reject(e);
      }
    });
  }

  exists(path: string): Promise<Stat | null> {
    return this.call<Stat | null>(`exists ${path}`, (cb) => this.raw.exists(path, undefined, (e, stat) => cb(e, stat ?? null)));
  }

  getData(path: string): Promise<{ data: Buffer; stat: Stat } | null> {
    return this.call<{ data: Buffer; stat: Stat } | null>(`getData ${path}`, (cb) =>
      this.raw.getData(path, undefined, (e, data, stat) => {
        if (e && isNoNode(e)) cb(null, null);
        else if (e) cb(e);
        else cb(null, { data: data ?? Buffer.alloc(0), stat: stat! });
      }),
    );
  }

  getACL(path: string): Promise<AclEntry[]> {
    return this.call<AclEntry[]>(`getACL ${path}`, (cb) =>
      this.raw.getACL(path, (e, acls) =>
        cb(e, (acls ?? []).map((a) => ({ perms: a.permission, scheme: a.id.scheme, id: a.id.id }))),
      ),
    );
  }

  getChildren(path: string): Promise<string[]> {
    return this.call<string[]>(`getChildren ${path}`, (cb) =>
      this.raw.getChildren(path, undefined, (e, children) => cb(e, [...(children ?? [])].sort())),
    );
  }

  create(path: string, data?: Buffer | string | null, mode: number = zookeeper.CreateMode.PERSISTENT, acls: ACL[] = zookeeper.ACL.OPEN_ACL_UNSAFE): Promise<string> {
    return this.call<string>(`create ${path}`, (cb) => this.raw.create(path, toBuffer(data), acls, mode, (e, p) => cb(e, p)));
  }

  mkdirp(path: string, data?: Buffer | string | null): Promise<string> {
    return this.call<string>(`mkdirp ${path}`, (cb) =>
      this.raw.mkdirp(path, toBuffer(data), zookeeper.ACL.OPEN_ACL_UNSAFE, zookeeper.CreateMode.PERSISTENT, (e, p) => cb(e, p)),
    );
  }

  remove(path: string, version = -1): Promise<void> {
    return this.call<void>(`remove ${path}`, (cb) => this.raw.remove(path, version, (e) => cb(e)));
  }

  setData(path: string, data: Buffer | string | null, version = -1): Promise<Stat> {
    return this.call<Stat>(`setData ${path}`, (cb) => this.raw.setData(path, toBuffer(data), version, (e, stat) => cb(e, stat)));
  }

  sessionId(): string {
    return this.raw.getSessionId().toString('hex');
  }

  state(): string {
    return this.raw.getState().name;
  }

  async close(): Promise<void> {
    clearInterval(this.livenessTimer);
    const cm = this.cm;
    if (cm.state === CM_CLOSED) return;
    this.raw.close();
    const deadline = Date.now() + 2000;
    while (cm.state !== CM_CLOSED && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (cm.state !== CM_CLOSED) cm.socket?.destroy(); // in CLOSING state the library will not reconnect
    // The library leaves this timer behind when a connect attempt fails; it would keep the process alive.
    if (cm.connectTimeoutHandler) clearTimeout(cm.connectTimeoutHandler);
  }
}

/** Connects a test client; resolves once connected (rejects after connectTimeoutMs or on auth failure). */
export async function connectClient(connectString: string, opts: ConnectOptions = {}): Promise<TestClient> {
  const { sessionTimeout = 10_000, auth, connectTimeoutMs = 15_000, opTimeoutMs = 10_000, liveness = true, tls } = opts;
  const raw = zookeeper.createClient(connectString, { sessionTimeout, spinDelay: 200, retries: 0 });
  if (tls) useTlsSockets(raw, () => tls);
  if (auth) raw.addAuthInfo('digest', Buffer.from(`${auth.user}:${auth.password}`));
  const client = new TestClientImpl(raw, opTimeoutMs, liveness);
  await new Promise<void>((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      raw.removeListener('connected', onConnected);
      raw.removeListener('authenticationFailed', onAuthFailed);
    };
    const onConnected = () => {
      cleanup();
      resolve();
    };
    const onAuthFailed = () => {
      cleanup();
      void client.close();
      reject(new Error(`zk-client: authentication failed connecting to ${connectString}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      void client.close();
      reject(new Error(`zk-client: could not connect to ${connectString} within ${connectTimeoutMs} ms (state ${client.state()})`));
    }, connectTimeoutMs);
    raw.once('connected', onConnected);
    raw.once('authenticationFailed', onAuthFailed);
    raw.connect();
  });
  return client;
}

export interface ZkCliResult {
  /** stdout without the CLI's connection chatter ("Connecting to", "WATCHER::", "WatchedEvent ...") */
  stdout: string;
  /** stdout as printed */
  rawStdout: string;
  /** warnings/errors (log4j at WARN) and command errors such as "Node does not exist: /x" */
  stderr: string;
  /** exit code: 0 on success, 1 on a failed command; null if it had to be killed (timeout) */
  code: number | null;
}

const CLI_CHATTER = [/^Connecting to /, /^WATCHER::\s*$/, /^WatchedEvent state:/];

/**
 * Runs one command with ZooKeeper's own Java CLI, e.g.
 * zkCli(cs, ['getAcl', '/x']) or zkCli(cs, ['stat', '/x']) (ephemeralOwner = 0x...).
 * Every call is a fresh JVM with a fresh session (about 0.6 s); killed after timeoutMs (default 30 s).
 */
export function zkCli(connectString: string, args: string[], opts: { timeoutMs?: number } = {}): Promise<ZkCliResult> {
  ensureZooKeeperInstalled();
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const java = process.env.ZK_TEST_JAVA || 'java';
  return new Promise((resolve, reject) => {
    const child = spawn(
      java,
      [
        ...JVM_FLAGS.map((f) => (f === '-Xmx128m' ? '-Xmx64m' : f)),
        `-Dlog4j.configuration=file:${cliLog4jConfig()}`,
        '-cp',
        ZK_CLASSPATH,
        'org.apache.zookeeper.ZooKeeperMain',
        '-server',
        connectString,
        ...args,
      ],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    trackProcess(child);
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`zkCli: cannot run ${java}: ${e.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      const lines = out.split('\n').filter((l) => !CLI_CHATTER.some((re) => re.test(l)));
      while (lines.length && lines[0]!.trim() === '') lines.shift();
      resolve({ stdout: lines.join('\n'), rawStdout: out, stderr: err, code });
    });
  });
}
