// The one ZooKeeper session of this agent. It decides which client is ours and when the
// session is over; tracked-client.ts holds the library's client and its guards. Losing
// contact is not losing the session (session-timing.ts): the client keeps trying every
// member with it until a server says it expired or 2 t pass without our reaching one. When
// every member closes our handshake without a word while granting a fresh session, the
// ensemble lost its data: the fresh session is taken at once. Every operation has a
// deadline, and writes go out only while connected.

import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import type { ACL, Client, Stat } from 'node-zookeeper-client';
import { zookeeper } from '../cjs-packages.js';
import type { Logger } from 'pino';
import { failedAtOnce, rebuildDelayMs } from '../../shared/backoff.js';
import { expiredForSureAt, giveUpAt } from '../../shared/session-timing.js';
import { splitConnectString } from '../../shared/servers.js';
import { describeAttemptFailure, unreachableMessage } from '../../shared/zk-unreachable.js';
import type { ZkAclMode } from '../../shared/zk-tls-args.js';
import { useTlsSockets, type ZkTlsSocketOptions } from './nzc-tls.js';
import { TrackedClient } from './tracked-client.js';
import { WriteLimiter } from './write-limiter.js';
import { NODE_EXISTS, NotConnectedError, WriteCancelledError, ZkUnavailableError, zkCode } from './zk-errors.js';

const { ACL: AclClass, Id, Permission, CreateMode } = zookeeper;
/** Parents and the chroot hold empty data, as kazoo's ensure_path wrote it (b''), not null. */
const EMPTY = Buffer.alloc(0);

export interface SessionOptions {
  readonly connectString: string;
  readonly sessionTimeoutMs: number;
  readonly auth: { readonly user: string; readonly password: string } | null;
  /** TLS to every server (absent or null: plain TCP): what each new connection is made with. */
  readonly tls?: (() => ZkTlsSocketOptions) | null;
  /** Our client certificate's subject as ZooKeeper's x509 provider names it (null: none). */
  readonly x509Subject?: string | null;
  /** auto: digest with [auth], else x509 with a client certificate, else open; open: open. */
  readonly aclMode?: ZkAclMode;
  /** Deadline for one ZooKeeper request. */
  readonly opTimeoutMs?: number;
  /** Creates and updates per second (deletes are never held back: they are urgent and cheap). */
  readonly writesPerSecond?: number;
  /** Writes that may go out at once before the rate applies (default: two seconds' worth). */
  readonly writeBurst?: number;
  readonly logger: Logger;
}

/** connecting: no session yet; disconnected: we hold one and are trying to reach it again. */
export type SessionState = 'connecting' | 'connected' | 'disconnected' | 'closed';

export interface SessionEvents {
  /** A server answers; `fresh` when this is a new session (everything must be re-asserted). */
  connected: [sessionId: string, fresh: boolean];
  /** Contact lost; the session may well live on (nothing is confirmed until a server answers). */
  disconnected: [];
  /** The session is gone (a server said it expired, or 2 t passed unheard): nothing we wrote under it can be trusted. */
  lost: [sessionId: string, why: string];
  /** A watch on one of our paths fired. */
  watch: [path: string, type: string];
}

/** Where a session's nodes stand once we stop: gone with a confirmed close, or left until a moment (epoch ms). */
export interface SessionEnd {
  readonly sessionId: string;
  /** The server confirmed the close: its ephemerals are gone with it. */
  readonly closed: boolean;
  /** Epoch ms by which no server holds it any more (null when closed). */
  readonly expiresBy: number | null;
}

export class ZkSession extends EventEmitter<SessionEvents> {
  state: SessionState = 'connecting';
  private current: TrackedClient | null = null;
  /** A fresh client tried beside ours while every member refuses ours. */
  private candidate: TrackedClient | null = null;
  private candidateConnected = false;
  private sessionId: string | null = null;
  /** Every session id this agent process has held: their nodes are ours to take over or delete. */
  readonly ownSessions = new Set<string>();
  /** Sessions given up, and the epoch ms from which no server holds them. */
  private readonly ended = new Map<string, number>();
  private giveUpTimer: NodeJS.Timeout | undefined;
  private waitLogTimer: NodeJS.Timeout | undefined;
  /** A new client after a session that failed at once waits here (backoff.ts). */
  private rebuildTimer: NodeJS.Timeout | undefined;
  /** When the current session was established (performance.now()); null until it is. */
  private establishedAt: number | null = null;
  private fastFailures = 0;
  /** Since when no server has answered us (start counts); null while connected. */
  private unreachableSince: number | null = null;
  private chrootMade: Promise<void> | null = null;
  readonly opTimeoutMs: number;
  private readonly limiter: WriteLimiter;
  private readonly log: Logger;
  readonly acl: ACL[];

  constructor(private readonly options: SessionOptions) {
    super();
    this.log = options.logger.child({ component: 'session' });
    this.opTimeoutMs = options.opTimeoutMs ?? 5000;
    const rate = options.writesPerSecond ?? 500;
    // A burst of two seconds' worth: a host of 1000 services registers them all at once at
    // start, while a longer storm (a fleet re-registering) still goes out at `rate`.
    this.limiter = new WriteLimiter({ ratePerSecond: rate, burst: options.writeBurst ?? 2 * rate });
    const auth = options.auth;
    const subject = options.x509Subject ?? null;
    // nd_service_registry's ACL: digest(user) may do anything, the world may read; with a
    // client certificate and no [auth], its subject takes digest(user)'s place (digest wins: it is what [auth] asks for).
    this.acl =
      options.aclMode === 'open'
        ? AclClass.OPEN_ACL_UNSAFE
        : auth !== null
          ? [new AclClass(Permission.ALL, new Id('digest', digestId(auth.user, auth.password))), new AclClass(Permission.READ, Id.ANYONE_ID_UNSAFE)]
          : subject !== null
            ? [new AclClass(Permission.ALL, new Id('x509', subject)), new AclClass(Permission.READ, Id.ANYONE_ID_UNSAFE)]
            : AclClass.OPEN_ACL_UNSAFE;
  }

  get id(): string | null {
    return this.state === 'connected' ? this.sessionId : null;
  }

  /** The session we hold, connected or not (null before one is granted and after it is given up). */
  get heldId(): string | null {
    return this.state === 'closed' ? null : this.sessionId;
  }

  get connectString(): string {
    return this.options.connectString;
  }

  /** Whether the connect string names a chroot (`host:port/chroot`). */
  get hasChroot(): boolean {
    return splitConnectString(this.options.connectString).chroot !== null;
  }

  /** Requests the library has sent and not had answered, and those it has not sent yet. */
  get queueDepth(): { awaitingAnswer: number; unsent: number } {
    return this.current?.queueDepth ?? { awaitingAnswer: 0, unsent: 0 };
  }

  /** How long no ZooKeeper server has answered (since start, or since the connection was lost); 0 while connected. */
  get unreachableForMs(): number {
    return this.unreachableSince === null ? 0 : performance.now() - this.unreachableSince;
  }

  get negotiatedTimeoutMs(): number {
    return this.current?.timeoutMs ?? this.options.sessionTimeoutMs;
  }

  start(): void {
    this.unreachableSince = performance.now();
    this.current = this.newClient();
    this.scheduleWaitLog(1000);
    this.current.start();
  }

  private newClient(): TrackedClient {
    const tc = new TrackedClient({ connectString: this.options.connectString, sessionTimeoutMs: this.options.sessionTimeoutMs, auth: this.options.auth, tls: this.options.tls ?? null, log: this.log });
    tc.on('connected', () => this.onClientConnected(tc));
    tc.on('disconnected', () => {
      if (tc === this.current) this.onDisconnected();
      // A candidate that lost its connection is no fresh session to move to any more.
      else if (tc === this.candidate) this.candidateConnected = false;
    });
    tc.on('expired', () => {
      if (tc === this.current) this.onLost('the server expired the session');
      else if (tc === this.candidate) this.dropCandidate();
    });
    tc.on('authFailed', () => {
      if (tc === this.candidate) return this.dropCandidate();
      if (tc !== this.current) return;
      this.log.error({ event: 'auth_failed' }, 'ZooKeeper refused our digest credentials ([auth] user/password); retrying with a new session');
      this.onLost('authentication failed');
    });
    tc.on('refusedByAll', () => tc === this.current && this.onRefusedByAll());
    tc.on('watch', (path, type) => tc === this.current && this.emit('watch', path, type));
    return tc;
  }

  private scheduleWaitLog(delayMs: number): void {
    clearTimeout(this.waitLogTimer);
    // A clear, backing-off line while no server answers: ZooKeeper down at start or for long.
    this.waitLogTimer = setTimeout(() => {
      if (this.state === 'connected' || this.state === 'closed') return;
      // Member by member: a name that does not resolve and a refused connection call for different fixes.
      const failures = this.current?.attemptFailures ?? [];
      this.log.warn({ event: 'zk_waiting', servers: this.options.connectString, failures: failures.map(describeAttemptFailure) }, unreachableMessage(this.options.connectString, failures));
      this.scheduleWaitLog(Math.min(delayMs * 2, 60_000));
    }, delayMs);
    this.waitLogTimer.unref();
  }

  private onClientConnected(tc: TrackedClient): void {
    if (this.state === 'closed') return;
    if (tc === this.candidate) {
      if (this.state === 'connected') return this.dropCandidate();
      // A member grants a fresh session while refusing ours. Ours gets one more round of every
      // member; refused by all again, the ensemble has lost our session (onRefusedByAll).
      this.candidateConnected = true;
      this.current?.resetRefusals();
      this.log.warn({ event: 'zk_fresh_session_granted', sessionId: tc.sessionId }, 'a member grants a fresh session while refusing ours; trying ours on every member once more');
      return;
    }
    if (tc !== this.current) return;
    clearTimeout(this.giveUpTimer);
    clearTimeout(this.waitLogTimer);
    this.dropCandidate();
    const id = tc.sessionId ?? '';
    const fresh = id !== this.sessionId;
    if (fresh) this.establishedAt = performance.now();
    this.sessionId = id;
    this.ownSessions.add(id);
    this.state = 'connected';
    this.unreachableSince = null;
    this.log.info({ event: 'zk_connected', sessionId: id, fresh, negotiatedTimeoutMs: tc.timeoutMs }, fresh ? 'ZooKeeper session established' : 'reconnected within the session');
    this.emit('connected', id, fresh);
  }

  private onDisconnected(): void {
    if (this.state === 'closed' || this.state === 'connecting') return;
    this.state = 'disconnected';
    this.unreachableSince ??= performance.now();
    this.log.warn({ event: 'zk_disconnected', sessionId: this.sessionId }, 'lost the connection to ZooKeeper; trying every member with the session');
    this.emit('disconnected');
    this.armGiveUp();
    this.scheduleWaitLog(this.negotiatedTimeoutMs);
  }

  /**
   * The library never reports expiry while it cannot reach a server. Once giveUpAt says so
   * (no server can hold the session any more, or none has spoken to us for 3 t), build a
   * fresh client; a server that answers before then says itself whether the session lives.
   */
  private armGiveUp(): void {
    clearTimeout(this.giveUpTimer);
    const tc = this.current;
    if (tc === null || this.state !== 'disconnected') return;
    const { at, why } = giveUpAt(tc.lastSentAt, tc.lastHeardAt, tc.timeoutMs);
    const left = at - performance.now();
    if (left <= 0) {
      this.onLost(why);
      return;
    }
    this.giveUpTimer = setTimeout(() => this.armGiveUp(), left);
  }

  private onRefusedByAll(): void {
    if (this.state !== 'disconnected') return;
    // Behind one address (a load balancer, a single server) a refusal may be one member not
    // serving yet while others hold our session: lost data cannot be told; the clock decides.
    if (this.current !== null && this.current.serverCount < 2) return;
    if (this.candidate !== null && this.candidateConnected && this.candidate.isConnected) {
      this.adoptCandidate();
      return;
    }
    if (this.candidate !== null) return;
    this.log.warn({ event: 'zk_refused_everywhere', sessionId: this.sessionId }, 'every member closed our handshake without an answer (not serving yet, or its data is older than ours); trying a fresh session beside ours');
    this.candidate = this.newClient();
    this.candidateConnected = false;
    this.candidate.start();
  }

  /** Every member refuses our session and grants a fresh one: the ensemble lost it, with its data. */
  private adoptCandidate(): void {
    const fresh = this.candidate!;
    this.candidate = null;
    this.candidateConnected = false;
    this.endCurrent('every member refused our session while granting a fresh one: the ensemble lost its data (it has seen less than we have)');
    if (this.state === 'closed') {
      fresh.discard();
      return;
    }
    this.current = fresh;
    this.onClientConnected(fresh);
  }

  private dropCandidate(): void {
    const c = this.candidate;
    this.candidate = null;
    this.candidateConnected = false;
    if (c === null) return;
    // Closed properly, so the server does not keep the session we did not take until it expires.
    if (c.isConnected) void c.close(1000);
    else c.discard();
  }

  /** Give up the current session: log, drop its client, and tell the listeners (who may close us). */
  private endCurrent(why: string): void {
    clearTimeout(this.giveUpTimer);
    const old = this.sessionId ?? '';
    this.unreachableSince ??= performance.now();
    // A session that failed as soon as it was made is rebuilt after a growing delay, not in a tight loop.
    const lived = this.establishedAt === null ? null : performance.now() - this.establishedAt;
    this.fastFailures = failedAtOnce(lived, this.negotiatedTimeoutMs) ? this.fastFailures + 1 : 0;
    if (old !== '') this.ended.set(old, Date.now());
    this.current?.discard();
    this.current = null;
    this.sessionId = null;
    this.establishedAt = null;
    this.state = 'connecting';
    this.log.warn({ event: 'zk_session_lost', sessionId: old, why }, `ZooKeeper session lost: ${why}`);
    this.emit('lost', old, why);
  }

  private onLost(why: string): void {
    if (this.state === 'closed') return;
    this.dropCandidate();
    this.endCurrent(why);
    if (this.state !== 'connecting') return; // a 'lost' listener closed the session
    const delayMs = rebuildDelayMs(this.fastFailures, Math.random());
    if (delayMs > 0) this.log.warn({ event: 'zk_rebuild_delayed', newSessionInMs: delayMs }, `the session was lost again right after it was made; starting a new one in ${delayMs} ms`);
    clearTimeout(this.rebuildTimer);
    const rebuild = (): void => {
      if (this.state !== 'connecting' || this.current !== null) return;
      this.current = this.newClient();
      this.current.start();
    };
    if (delayMs === 0) rebuild();
    else this.rebuildTimer = setTimeout(rebuild, delayMs);
  }

  /**
   * Delete nothing; close the session so the server removes our ephemerals, waiting at most
   * `timeoutMs`. Says, for each session we held nodes under, whether they are gone or until when they may stay.
   */
  async close(timeoutMs: number): Promise<SessionEnd[]> {
    clearTimeout(this.giveUpTimer);
    clearTimeout(this.rebuildTimer);
    clearTimeout(this.waitLogTimer);
    const tc = this.current;
    const id = this.sessionId;
    this.state = 'closed';
    this.current = null;
    this.dropCandidate();
    const ends: SessionEnd[] = [...this.ended].map(([sessionId, at]) => ({ sessionId, closed: false, expiresBy: at }));
    if (tc === null) return ends;
    const bound = expiredForSureAt(tc.lastSentAt, tc.timeoutMs);
    const closed = await tc.close(timeoutMs);
    if (id !== null) ends.push({ sessionId: id, closed, expiresBy: closed ? null : Date.now() + Math.max(0, bound - performance.now()) });
    return ends;
  }

  /**
   * The chroot of the connect string (`host:port/chroot`), made when it is missing, through
   * a client without it (persistent, open ACL, as our other ancestors). Called when our topmost parent is missing.
   */
  ensureChroot(): Promise<void> {
    const { servers, chroot } = splitConnectString(this.options.connectString);
    if (chroot === null) return Promise.reject(new Error('no chroot in the connect string'));
    // Shared while in flight only: the ensemble may lose it again (a wipe), and then it is made again.
    this.chrootMade ??= this.makeChroot(servers, chroot).finally(() => {
      this.chrootMade = null;
    });
    return this.chrootMade;
  }

  private async makeChroot(servers: string, chroot: string): Promise<void> {
    const side = zookeeper.createClient(servers, { sessionTimeout: this.options.sessionTimeoutMs, spinDelay: 1000, retries: 0 });
    if (this.options.tls) useTlsSockets(side, this.options.tls);
    if (this.options.auth !== null) side.addAuthInfo('digest', Buffer.from(`${this.options.auth.user}:${this.options.auth.password}`));
    const deadline = <T>(what: string, run: (done: (e: unknown, v?: T) => void) => void): Promise<T> => withDeadline(what, this.opTimeoutMs, run);
    try {
      await deadline<void>(`connect to create the chroot ${chroot}`, (done) => {
        side.once('connected', () => done(null));
        side.connect();
      });
      const parts = chroot.split('/').filter((p) => p !== '');
      for (let i = 1; i <= parts.length; i++) {
        const path = `/${parts.slice(0, i).join('/')}`;
        try {
          await deadline<string>(`create ${path}`, (done) => side.create(path, EMPTY, AclClass.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, (e, p) => done(e, p)));
          this.log.info({ event: 'chroot_created', path }, `created ${path}, part of the connect string's chroot ${chroot}`);
        } catch (e) {
          if (zkCode(e) !== NODE_EXISTS) throw e;
        }
      }
    } finally {
      side.close();
      const manager = (side as unknown as { connectionManager: { socket?: { destroy(): void } } }).connectionManager;
      setTimeout(() => manager.socket?.destroy(), 1000).unref();
    }
  }

  // ---- operations: each with a deadline; writes only while connected ----

  private live(write: boolean): Client {
    const tc = this.current;
    if (tc === null || this.state === 'closed' || (write && this.state !== 'connected')) {
      throw new NotConnectedError(`not connected to ZooKeeper (${this.state})`);
    }
    return tc.client;
  }

  private call<T>(what: string, write: boolean, run: (client: Client, done: (error: unknown, value?: T) => void) => void): Promise<T> {
    let client: Client;
    try {
      client = this.live(write);
    } catch (e) {
      return Promise.reject(e);
    }
    return withDeadline(what, this.opTimeoutMs, (done) => run(client, done));
  }

  /** getData with a watch on the path (fires on delete or data change); null when there is no node. */
  getDataWatched(path: string): Promise<{ data: Buffer; stat: Stat } | null> {
    return this.call(`read ${path}`, false, (c, done) =>
      c.getData(path, this.current!.watch, (e, data, stat) => {
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
    return this.call(`create ${path}`, true, (c, done) => c.create(path, EMPTY, acl, CreateMode.PERSISTENT, (e, p) => done(e, p)));
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

  /**
   * Delete a node another session of ours holds and create ours, in one step consumers cannot
   * see between. Not held back by the write limit: the old session may expire any moment, and
   * the node with it; the takeover is what keeps it visible.
   */
  async replaceEphemeral(path: string, version: number, data: Buffer, proceed?: () => boolean): Promise<void> {
    if (proceed !== undefined && !proceed()) throw new WriteCancelledError(`take over ${path}`);
    return this.call(`take over ${path}`, true, (c, done) =>
      c.transaction().remove(path, version).create(path, data, this.acl, CreateMode.EPHEMERAL).commit((e) => done(e)),
    );
  }
}

/** One ZooKeeper request with a deadline: rejects with ZkUnavailableError when no answer comes within `ms`. */
function withDeadline<T>(what: string, ms: number, run: (done: (error: unknown, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ZkUnavailableError(`${what}: no answer from ZooKeeper within ${ms} ms`)), ms);
    try {
      run((error, value) => {
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

/** The digest ZooKeeper's DigestAuthenticationProvider computes: user:base64(sha1(user:password)). */
export function digestId(user: string, password: string): string {
  return `${user}:${createHash('sha1').update(`${user}:${password}`).digest('base64')}`;
}
