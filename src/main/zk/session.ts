// The one ZooKeeper session of this agent. It owns the node-zookeeper-client
// instance and guards around its gaps: every operation has a deadline, writes go
// out only while connected, the session is treated as lost when no server has
// answered for the negotiated timeout, and a fresh client replaces a dead one.

import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import zookeeper, { type ACL, type Client, type Stat, type Watcher } from 'node-zookeeper-client';
import type { Logger } from 'pino';
import { failedAtOnce, rebuildDelayMs } from '../../shared/backoff.js';
import { installClientGuards } from './nzc-guards.js';
import { WriteLimiter } from './write-limiter.js';
import { WriteCancelledError, ZkUnavailableError } from './zk-errors.js';

installClientGuards();

const { ACL: AclClass, Id, Permission, CreateMode } = zookeeper;

const LIVENESS_TICK_MS = 250;
/** Longest wait for a server's answer to our connect request (capped at a third of the session timeout). */
const HANDSHAKE_TIMEOUT_MS = 2000;

export interface SessionOptions {
  readonly connectString: string;
  readonly sessionTimeoutMs: number;
  readonly auth: { readonly user: string; readonly password: string } | null;
  /** Deadline for one ZooKeeper request. */
  readonly opTimeoutMs?: number;
  /** Creates and updates per second (deletes are never held back: they are urgent and cheap). */
  readonly writesPerSecond?: number;
  readonly logger: Logger;
}

export type SessionState = 'connecting' | 'connected' | 'disconnected' | 'closed';

export interface SessionEvents {
  /** A server answers; `fresh` when this is a new session (everything must be re-asserted). */
  connected: [sessionId: string, fresh: boolean];
  disconnected: [];
  /** The session is gone (expired, or silent for longer than its timeout): nothing we wrote under it can be trusted. */
  lost: [sessionId: string, why: string];
  /** A watch on one of our paths fired. */
  watch: [path: string, type: string];
}

export class ZkSession extends EventEmitter<SessionEvents> {
  state: SessionState = 'connecting';
  private client: Client | null = null;
  private sessionId: string | null = null;
  /** Every session id this agent process has held: their nodes are ours to take over or delete. */
  readonly ownSessions = new Set<string>();
  private lostTimer: NodeJS.Timeout | undefined;
  private livenessTimer: NodeJS.Timeout | undefined;
  /** When the current client last received bytes from a server (performance.now()). */
  private lastHeard = 0;
  /** When its current TCP connection opened; a server that accepts but never answers the handshake is dropped. */
  private socketOpened = 0;
  private waitLogTimer: NodeJS.Timeout | undefined;
  /** A new client after a session that failed at once waits here (backoff.ts). */
  private rebuildTimer: NodeJS.Timeout | undefined;
  /** When the current client's session was established (performance.now()); null until it is. */
  private establishedAt: number | null = null;
  private fastFailures = 0;
  /** Since when no server has answered us (start counts); null while connected. */
  private unreachableSince: number | null = null;
  private generation = 0;
  readonly opTimeoutMs: number;
  private readonly limiter: WriteLimiter;
  private readonly log: Logger;
  readonly acl: ACL[];
  private readonly watcher: Watcher = (event) => this.emit('watch', event.getPath(), event.getName());

  constructor(private readonly options: SessionOptions) {
    super();
    this.log = options.logger.child({ component: 'session' });
    this.opTimeoutMs = options.opTimeoutMs ?? 5000;
    const rate = options.writesPerSecond ?? 500;
    this.limiter = new WriteLimiter({ ratePerSecond: rate, burst: rate });
    const auth = options.auth;
    // nd_service_registry's ACL: digest(user) may do anything, the world may read.
    this.acl =
      auth === null
        ? AclClass.OPEN_ACL_UNSAFE
        : [new AclClass(Permission.ALL, new Id('digest', digestId(auth.user, auth.password))), new AclClass(Permission.READ, Id.ANYONE_ID_UNSAFE)];
  }

  get id(): string | null {
    return this.state === 'connected' ? this.sessionId : null;
  }

  /** Requests the library has sent and not had answered, and those it has not sent yet. */
  get queueDepth(): { awaitingAnswer: number; unsent: number } {
    if (this.client === null) return { awaitingAnswer: 0, unsent: 0 };
    const m = internals(this.client);
    return { awaitingAnswer: m.pendingQueue?.length ?? 0, unsent: m.packetQueue?.queue.length ?? 0 };
  }

  /** How long no ZooKeeper server has answered (since start, or since the connection was lost); 0 while connected. */
  get unreachableForMs(): number {
    return this.unreachableSince === null ? 0 : performance.now() - this.unreachableSince;
  }

  get negotiatedTimeoutMs(): number {
    return this.client?.getSessionTimeout() ?? this.options.sessionTimeoutMs;
  }

  start(): void {
    this.unreachableSince = performance.now();
    this.newClient();
  }

  private newClient(): void {
    const generation = ++this.generation;
    this.establishedAt = null;
    const client = zookeeper.createClient(this.options.connectString, {
      sessionTimeout: this.options.sessionTimeoutMs,
      spinDelay: 1000,
      retries: 0,
    });
    this.client = client;
    this.sessionId = null;
    this.state = 'connecting';
    this.lastHeard = performance.now();
    this.socketOpened = 0;
    const manager = internals(client);
    const onSocketData = manager.onSocketData;
    const onSocketConnected = manager.onSocketConnected;
    // Every byte from a server proves the connection alive: the clock for half-open detection.
    manager.onSocketData = (buffer: Buffer) => {
      if (generation === this.generation) this.lastHeard = performance.now();
      onSocketData.call(manager, buffer);
    };
    manager.onSocketConnected = () => {
      if (generation === this.generation) this.socketOpened = performance.now();
      onSocketConnected.call(manager);
    };
    clearInterval(this.livenessTimer);
    this.livenessTimer = setInterval(() => generation === this.generation && this.checkLiveness(client), LIVENESS_TICK_MS);
    this.livenessTimer.unref();
    if (this.options.auth !== null) {
      client.addAuthInfo('digest', Buffer.from(`${this.options.auth.user}:${this.options.auth.password}`));
    }
    const current = (): boolean => generation === this.generation;
    client.on('connected', () => current() && this.onConnected(client));
    client.on('disconnected', () => current() && this.onDisconnected());
    client.on('expired', () => current() && this.onLost('the server expired the session'));
    client.on('authenticationFailed', () => {
      if (!current()) return;
      this.log.error({ event: 'auth_failed' }, 'ZooKeeper refused our digest credentials ([auth] user/password); retrying with a new session');
      this.onLost('authentication failed');
    });
    this.scheduleWaitLog(1000);
    client.connect();
  }

  private scheduleWaitLog(delayMs: number): void {
    clearTimeout(this.waitLogTimer);
    // A clear, backing-off line while no server answers: ZooKeeper down at start or for long.
    this.waitLogTimer = setTimeout(() => {
      if (this.state === 'connected' || this.state === 'closed') return;
      this.log.warn({ event: 'zk_waiting', servers: this.options.connectString }, `no ZooKeeper server answers at ${this.options.connectString}; still trying`);
      this.scheduleWaitLog(Math.min(delayMs * 2, 60_000));
    }, delayMs);
    this.waitLogTimer.unref();
  }

  private onConnected(client: Client): void {
    clearTimeout(this.lostTimer);
    clearTimeout(this.waitLogTimer);
    const id = client.getSessionId().toString('hex');
    const fresh = id !== this.sessionId;
    if (fresh) this.establishedAt = performance.now();
    this.sessionId = id;
    this.ownSessions.add(id);
    this.state = 'connected';
    this.unreachableSince = null;
    this.log.info({ event: 'zk_connected', sessionId: id, fresh, negotiatedTimeoutMs: client.getSessionTimeout() }, fresh ? 'ZooKeeper session established' : 'reconnected within the session');
    this.emit('connected', id, fresh);
  }

  private onDisconnected(): void {
    if (this.state === 'closed') return;
    this.state = 'disconnected';
    this.unreachableSince ??= performance.now();
    this.log.warn({ event: 'zk_disconnected', sessionId: this.sessionId }, 'lost the connection to ZooKeeper; reconnecting within the session');
    this.emit('disconnected');
    clearTimeout(this.lostTimer);
    // The library never reports expiry while it cannot reach a server: keep our own clock,
    // from the last time a server spoke to us, as the server's own clock runs.
    const timeout = this.negotiatedTimeoutMs;
    const left = Math.max(0, this.lastHeard + timeout - performance.now());
    this.lostTimer = setTimeout(() => this.onLost(`no server answered for the session timeout (${timeout} ms)`), left);
    this.scheduleWaitLog(timeout);
  }

  /**
   * The library has no read timeout. Drop a connection that stays open but carries nothing
   * (half-open, a silent partition) after 2/3 of the session timeout, as Java's client does,
   * and one whose server accepted it but never answered the handshake (ZooKeeper does that
   * while it restarts). The library then reconnects, to another server if there is one.
   */
  private checkLiveness(client: Client): void {
    const now = performance.now();
    const timeout = this.negotiatedTimeoutMs;
    let why: string | null = null;
    if (this.state === 'connected' && now - this.lastHeard > (timeout * 2) / 3) {
      why = `no bytes from ZooKeeper for ${Math.round(now - this.lastHeard)} ms`;
    } else if (this.state !== 'connected' && this.socketOpened > this.lastHeard && now - this.socketOpened > Math.min(HANDSHAKE_TIMEOUT_MS, timeout / 3)) {
      why = `the server accepted the connection but has not answered the handshake for ${Math.round(now - this.socketOpened)} ms`;
    }
    if (why === null) return;
    this.log.warn({ event: 'zk_connection_dropped', why }, `${why}; dropping the connection`);
    this.socketOpened = 0;
    internals(client).socket?.destroy();
  }

  private onLost(why: string): void {
    if (this.state === 'closed') return;
    clearTimeout(this.lostTimer);
    const old = this.sessionId ?? '';
    this.unreachableSince ??= performance.now();
    // A session that failed as soon as it was made is rebuilt after a growing delay, not in a tight loop.
    const lived = this.establishedAt === null ? null : performance.now() - this.establishedAt;
    this.fastFailures = failedAtOnce(lived, this.negotiatedTimeoutMs) ? this.fastFailures + 1 : 0;
    const delayMs = rebuildDelayMs(this.fastFailures, Math.random());
    this.log.warn({ event: 'zk_session_lost', sessionId: old, why, newSessionInMs: delayMs }, delayMs === 0 ? 'ZooKeeper session lost; starting a new one' : `ZooKeeper session lost again right after it was made; starting a new one in ${delayMs} ms`);
    this.discardClient();
    this.state = 'connecting';
    this.emit('lost', old, why);
    if (this.state !== 'connecting') return; // a 'lost' listener closed the session
    clearTimeout(this.rebuildTimer);
    if (delayMs === 0) this.newClient();
    else this.rebuildTimer = setTimeout(() => this.state === 'connecting' && this.newClient(), delayMs);
  }

  /** Drop the current client without waiting on a server that may not be there. */
  private discardClient(): void {
    const client = this.client;
    this.client = null;
    if (client === null) return;
    client.removeAllListeners();
    client.close();
    destroySocket(client);
  }

  /** Delete nothing; close the session so the server removes our ephemerals, waiting at most `timeoutMs`. */
  async close(timeoutMs: number): Promise<void> {
    clearTimeout(this.lostTimer);
    clearTimeout(this.rebuildTimer);
    clearInterval(this.livenessTimer);
    clearTimeout(this.waitLogTimer);
    const client = this.client;
    const wasConnected = this.state === 'connected';
    this.state = 'closed';
    this.generation++;
    if (client === null) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(done, wasConnected ? timeoutMs : 0);
      client.once('disconnected', done);
      client.close();
    });
    client.removeAllListeners();
    destroySocket(client);
  }

  // ---- operations: each with a deadline; writes only while connected ----

  private live(write: boolean): Client {
    if (this.client === null || (write && this.state !== 'connected')) {
      throw new ZkUnavailableError(`not connected to ZooKeeper (${this.state})`);
    }
    return this.client;
  }

  private call<T>(what: string, write: boolean, run: (client: Client, done: (error: unknown, value?: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let client: Client;
      try {
        client = this.live(write);
      } catch (e) {
        reject(e);
        return;
      }
      const timer = setTimeout(() => reject(new ZkUnavailableError(`${what}: no answer from ZooKeeper within ${this.opTimeoutMs} ms`)), this.opTimeoutMs);
      try {
        run(client, (error, value) => {
          clearTimeout(timer);
          if (error) reject(error);
          else resolve(value as T);
        });
      } catch (e) {
        clearTimeout(timer);
        reject(e);
      }
    });
  }

  /** getData with a watch on the path (fires on delete or data change); null when there is no node. */
  getDataWatched(path: string): Promise<{ data: Buffer; stat: Stat } | null> {
    return this.call(`read ${path}`, false, (c, done) =>
      c.getData(path, this.watcher, (e, data, stat) => {
        if (e && (e as { getCode?: () => number }).getCode?.() === zookeeper.Exception.NO_NODE) done(null, null);
        else done(e, e ? undefined : { data: data ?? Buffer.alloc(0), stat: stat! });
      }),
    );
  }

  /**
   * Writes wait for the write limit first; `proceed`, asked once their turn has come, can
   * still call them off (a stop or a changed wish meanwhile), and they reject with WriteCancelledError.
   */
  private async writeTurn(what: string, proceed?: () => boolean): Promise<void> {
    await this.limiter.take(what);
    if (proceed !== undefined && !proceed()) throw new WriteCancelledError(what);
  }

  async createEphemeral(path: string, data: Buffer, proceed?: () => boolean): Promise<string> {
    await this.writeTurn(`create ${path}`, proceed);
    return this.call(`create ${path}`, true, (c, done) => c.create(path, data, this.acl, CreateMode.EPHEMERAL, (e, p) => done(e, p)));
  }

  async createPersistent(path: string, acl: ACL[], proceed?: () => boolean): Promise<string> {
    await this.writeTurn(`create ${path}`, proceed);
    return this.call(`create ${path}`, true, (c, done) => c.create(path, null, acl, CreateMode.PERSISTENT, (e, p) => done(e, p)));
  }

  async setData(path: string, data: Buffer, version: number, proceed?: () => boolean): Promise<Stat> {
    await this.writeTurn(`update ${path}`, proceed);
    return this.call(`update ${path}`, true, (c, done) => c.setData(path, data, version, (e, s) => done(e, s)));
  }

  /** Stop began: every create or update still waiting for the write limit is called off (WriteCancelledError). */
  cancelWaitingWrites(): void {
    this.limiter.cancelAll();
  }

  remove(path: string, version: number): Promise<void> {
    return this.call(`delete ${path}`, true, (c, done) => c.remove(path, version, (e) => done(e)));
  }

  /** Delete a node another session of ours holds and create ours, in one step consumers cannot see between. */
  async replaceEphemeral(path: string, version: number, data: Buffer, proceed?: () => boolean): Promise<void> {
    await this.writeTurn(`take over ${path}`, proceed);
    return this.call(`take over ${path}`, true, (c, done) =>
      c.transaction().remove(path, version).create(path, data, this.acl, CreateMode.EPHEMERAL).commit((e) => done(e)),
    );
  }
}

/** The digest ZooKeeper's DigestAuthenticationProvider computes: user:base64(sha1(user:password)). */
export function digestId(user: string, password: string): string {
  return `${user}:${createHash('sha1').update(`${user}:${password}`).digest('base64')}`;
}

function destroySocket(client: Client): void {
  // The library keeps reconnecting to deliver its close request when no server answers; stop it.
  const manager = internals(client);
  manager.connect = () => undefined;
  manager.state = -3; // ConnectionManager.STATES.SESSION_EXPIRED: its socket-closed handler then does not reconnect
  manager.socket?.destroy();
  // A reconnect already scheduled (its spin delay) assigns a new socket later: destroy that one on arrival.
  let last = manager.socket;
  Object.defineProperty(manager, 'socket', {
    configurable: true,
    get: () => last,
    set: (socket: { destroy(): void }) => {
      socket.destroy();
      last = socket;
    },
  });
}

/** The library's ConnectionManager: the parts we must reach that its API does not expose. */
interface ManagerInternals {
  connect: () => void;
  onSocketData: (buffer: Buffer) => void;
  onSocketConnected: () => void;
  pendingQueue?: unknown[];
  packetQueue?: { queue: unknown[] };
  state: number;
  socket?: { destroy(): void };
}

function internals(client: Client): ManagerInternals {
  return (client as unknown as { connectionManager: ManagerInternals }).connectionManager;
}
