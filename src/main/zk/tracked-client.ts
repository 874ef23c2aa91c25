// One node-zookeeper-client instance, with the guards around its gaps. This is the one file
// that reaches into the library's internals (its ConnectionManager). The library has no
// read timeout, pings only every t/3, gives each server t/n to accept a TCP connection and
// then waits for a handshake answer for ever. Here: pings every t/10 (sent by our liveness
// tick, on the agent's one chore clock; the library's own is a fallback), a silent connection is
// dropped after t/2, each attempt on a member has a deadline from session-timing.ts, and a
// member that closes our handshake without a word is noted (the ensemble lost its data, or
// is not serving yet). It measures what the session owner decides by: when a server last
// spoke, when we last sent, and the round trip.

import { EventEmitter } from 'node:events';
import type { Client, Watcher } from 'node-zookeeper-client';
import { zookeeper } from '../cjs-packages.js';
import type { Logger } from 'pino';
import { attemptDeadlineMs, livenessTickMs, nextRttMs, pingDue, pingIntervalMs, silenceLimitMs, stallMs } from '../../shared/session-timing.js';
import { choreClock, type CancelChore } from '../ops/chore-clock.js';
import { installClientGuards } from './nzc-guards.js';
import { attemptFailureOf, describeAttemptFailure, isTlsFailure, type AttemptFailure } from '../../shared/zk-unreachable.js';
import { useTlsSockets, type ZkTlsSocketOptions } from './nzc-tls.js';

installClientGuards();

/** ConnectionManager.STATES */
const CONNECTING = 1;
const SESSION_EXPIRED = -3;
const CLOSE_SESSION_OP = -11;
const PING_XID = -2;

export interface TrackedClientOptions {
  readonly connectString: string;
  readonly sessionTimeoutMs: number;
  readonly auth: { readonly user: string; readonly password: string } | null;
  readonly log: Logger;
  /** TLS to every server, with what this gives when each connection is made (absent: plain TCP). */
  readonly tls?: (() => ZkTlsSocketOptions) | null;
}

export interface TrackedClientEvents {
  connected: [sessionId: string];
  disconnected: [];
  expired: [];
  authFailed: [];
  /** Every member closed our handshake without answering since contact was lost. */
  refusedByAll: [];
  watch: [path: string, type: string];
}

export class TrackedClient extends EventEmitter<TrackedClientEvents> {
  readonly client: Client;
  private readonly manager: ManagerInternals;
  private readonly log: Logger;
  private connected = false;
  private discarded = false;
  /** When a server last sent us a byte (performance.now()). */
  private heardAt: number;
  /** The same, moved on by the time this process was stalled: what silence is judged by. */
  private silentSince: number;
  private sentAt: number;
  private lastTickAt: number;
  private rtt: number | null = null;
  private pingSentAt: number | null = null;
  private cancelLiveness: CancelChore | undefined;
  /** When we last asked the server for a ping (ours or the library's). */
  private lastPingAt = -Infinity;
  /** The period the liveness tick was armed with: a stall is judged by it, and pings fall on its grid. */
  private tickMs = 0;
  private timersStopped = false;
  /** Inside the library's data handler (see the onSocketData hook). */
  private parsing = false;
  // One attempt on one member: its number, deadline timer, and what happened in it.
  private attempt = 0;
  private attemptTimer: NodeJS.Timeout | undefined;
  private attemptServer = '';
  private handshakeSent = false;
  private answered = false;
  private droppedByUs = false;
  /** This attempt failed in TLS (its failure says why; it is no refusal of our session). */
  private tlsFailed = false;
  /** server + reason of each TLS failure logged, so a bad member is named once per outage, not at every round. */
  private readonly tlsLogged = new Set<string>();
  private attemptsSinceContact = 0;
  private timedOutInARow = 0;
  private readonly refusedBy = new Set<string>();
  /** How the last attempt on each member ended, since contact (the library hides socket errors). */
  private readonly failures = new Map<string, AttemptFailure>();
  private readonly watcher: Watcher = (event) => this.emit('watch', event.getPath(), event.getName());

  constructor(private readonly options: TrackedClientOptions) {
    super();
    this.log = options.log;
    this.client = zookeeper.createClient(options.connectString, { sessionTimeout: options.sessionTimeoutMs, spinDelay: 1000, retries: 0 });
    this.manager = (this.client as unknown as { connectionManager: ManagerInternals }).connectionManager;
    const now = performance.now();
    this.heardAt = now;
    this.silentSince = now;
    this.sentAt = now;
    this.lastTickAt = now;
    if (options.tls) useTlsSockets(this.client, options.tls);
    this.hook();
    if (options.auth !== null) this.client.addAuthInfo('digest', Buffer.from(`${options.auth.user}:${options.auth.password}`));
    const live = (): boolean => !this.discarded;
    this.client.on('connected', () => live() && this.onConnected());
    this.client.on('disconnected', () => live() && this.onDisconnected());
    this.client.on('expired', () => live() && this.emit('expired'));
    this.client.on('authenticationFailed', () => live() && this.emit('authFailed'));
    this.armLiveness();
  }

  /** One tick at a time, each as long as the silence so far allows (livenessTickMs). */
  private armLiveness(): void {
    if (this.timersStopped) return;
    this.tickMs = livenessTickMs(performance.now() - this.silentSince, this.timeoutMs);
    // On the grid of its period: it shares its wakeups with the agent's other chores.
    this.cancelLiveness = choreClock.onGrid(this.tickMs, () => {
      this.cancelLiveness = undefined;
      // discard() stops the timers too.
      if (this.timersStopped) return;
      this.checkLiveness();
      this.armLiveness();
    });
  }

  start(): void {
    this.client.connect();
  }

  get watch(): Watcher {
    return this.watcher;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Hex session id once a server granted one (it stays while we reconnect within it). */
  get sessionId(): string | null {
    const id = this.client.getSessionId().toString('hex');
    return /^0+$/.test(id) ? null : id;
  }

  get timeoutMs(): number {
    return this.client.getSessionTimeout();
  }

  get lastHeardAt(): number {
    return this.heardAt;
  }

  /** When we last sent the server anything (now, while connected). */
  get lastSentAt(): number {
    return this.connected ? performance.now() : this.sentAt;
  }

  get rttMs(): number | null {
    return this.rtt;
  }

  get queueDepth(): { awaitingAnswer: number; unsent: number } {
    return { awaitingAnswer: this.manager.pendingQueue?.length ?? 0, unsent: this.manager.packetQueue?.queue.length ?? 0 };
  }

  /** How the last attempt on each member failed, since we last had a connection (empty while connected). */
  get attemptFailures(): AttemptFailure[] {
    return [...this.failures.values()];
  }

  /** The member count of the connect string. */
  get serverCount(): number {
    return this.manager.servers.length;
  }

  /**
   * Close the session so the server removes our ephemerals; resolves true when the server
   * confirmed it, false when it did not answer within `timeoutMs` (or we were not connected).
   */
  async close(timeoutMs: number): Promise<boolean> {
    if (this.discarded) return false;
    const wasConnected = this.connected;
    this.stopTimers();
    let confirmed = false;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wasConnected ? timeoutMs : 0);
      // The library queues its close request without a callback: give it one, to learn the answer.
      const queue = this.manager.queue;
      this.manager.queue = (request, callback) =>
        queue.call(this.manager, request, (error: unknown, ...rest: unknown[]) => {
          if (request.header?.type === CLOSE_SESSION_OP) {
            confirmed = error === null || error === undefined;
            clearTimeout(timer);
            resolve();
          }
          callback?.(error, ...rest);
        });
      this.client.once('disconnected', () => {
        clearTimeout(timer);
        resolve();
      });
      this.client.close();
    });
    this.discard();
    return confirmed;
  }

  /** Drop this client without waiting on a server that may not be there. */
  discard(): void {
    if (this.discarded) return;
    this.discarded = true;
    this.stopTimers();
    this.client.removeAllListeners();
    // The library keeps reconnecting to deliver its close request when no server answers; stop it.
    const manager = this.manager;
    manager.connect = () => undefined;
    manager.state = SESSION_EXPIRED; // its socket-closed handler then does not reconnect
    // Its connect deadline would otherwise hold the process up to a timeout/servers longer at exit.
    clearTimeout(manager.connectTimeoutHandler ?? undefined);
    manager.socket?.destroy();
    // A reconnect already scheduled (its spin delay) assigns a new socket later: destroy that one on arrival.
    let last = manager.socket;
    Object.defineProperty(manager, 'socket', {
      configurable: true,
      get: () => last,
      set: (socket: NonNullable<ManagerInternals['socket']>) => {
        socket.destroy();
        last = socket;
      },
    });
  }

  /** Count refusals afresh (a fresh session was just granted beside ours: only refusals after that count). */
  resetRefusals(): void {
    this.refusedBy.clear();
  }

  private stopTimers(): void {
    this.timersStopped = true;
    this.cancelLiveness?.();
    clearTimeout(this.attemptTimer);
  }

  private onConnected(): void {
    this.connected = true;
    this.refusedBy.clear();
    this.failures.clear();
    // A failure that comes back after a success (a certificate expired months on) is news again.
    this.tlsLogged.clear();
    this.attemptsSinceContact = 0;
    this.timedOutInARow = 0;
    clearTimeout(this.attemptTimer);
    this.emit('connected', this.sessionId ?? '');
  }

  private onDisconnected(): void {
    if (this.connected) this.sentAt = performance.now();
    this.connected = false;
    this.emit('disconnected');
  }

  /** Drop the connection (the library then tries the next member). */
  private drop(why: string): void {
    this.log.warn({ event: 'zk_connection_dropped', why }, `${why}; dropping the connection`);
    this.droppedByUs = true;
    clearTimeout(this.manager.connectTimeoutHandler ?? undefined);
    this.manager.socket?.destroy();
  }

  private checkLiveness(): void {
    const now = performance.now();
    const stalled = stallMs(now - this.lastTickAt, this.tickMs);
    this.lastTickAt = now;
    if (stalled > 0) {
      // We were not running (SIGSTOP, a frozen VM): nobody could read. Ask the server now.
      this.silentSince += stalled;
      this.log.warn({ event: 'process_stalled', ms: Math.round(stalled) }, `this process did not run for ${Math.round(stalled)} ms; pinging ZooKeeper`);
      if (this.connected) this.ping();
      return;
    }
    const limit = silenceLimitMs(this.timeoutMs);
    if (this.connected && now - this.silentSince > limit) {
      this.drop(`no bytes from ZooKeeper for ${Math.round(now - this.silentSince)} ms`);
      return;
    }
    // The ping goes out in this wakeup, not one of its own: every multiple of t/10 is a tick.
    if (this.connected && pingDue(now, this.lastPingAt, this.tickMs, this.timeoutMs)) this.ping();
  }

  private ping(): void {
    // The library's ping re-arms the socket's idle timer with one more 'timeout' listener;
    // drop the armed ones first, or each stall would add a ping to every idle interval.
    this.manager.socket?.removeAllListeners('timeout');
    this.manager.onSocketTimeout();
  }

  /** Wraps the library's handlers; each is looked up (and bound) when a socket is made, so instance properties take effect. */
  private hook(): void {
    const m = this.manager;
    const { onSocketData, onSocketConnected, onSocketClosed, onSocketError, onSocketTimeout, findNextServer, updateTimeout } = m;
    // The library swallows socket errors: keep each member's, so "no server answers" can say why.
    m.onSocketError = (error: NodeJS.ErrnoException) => {
      if (!this.discarded && !this.connected) {
        const failure = attemptFailureOf(this.attemptServer, error);
        this.failures.set(this.attemptServer, failure);
        if (isTlsFailure(failure)) this.noteTlsFailure(failure);
      }
      onSocketError.call(m, error);
    };
    m.updateTimeout = (timeout: number) => {
      updateTimeout.call(m, timeout);
      // Our liveness tick pings every t/10; the library's idle-socket ping only if that stops.
      m.pingTimeout = 2 * pingIntervalMs(timeout);
      // A shorter t than the tick armed for (a new session on a server that grants less): re-arm for it now.
      if (!this.discarded && this.cancelLiveness !== undefined && livenessTickMs(0, timeout) < this.tickMs) {
        this.cancelLiveness();
        this.armLiveness();
      }
    };
    m.findNextServer = (callback) =>
      findNextServer.call(m, (server) => {
        if (!this.discarded) this.beginAttempt(server);
        callback(server);
      });
    m.onSocketConnected = () => {
      // A new connection is a new byte stream: what the last one left half-read (a server killed
      // mid-answer) would be taken for the start of this one's ConnectResponse, and the library
      // would then throw out of the socket's data handler (seen in the fleet bench at 3000 hosts).
      m.pendingBuffer = null;
      if (!this.discarded) {
        // The library writes the ConnectRequest now: the server may touch our session with it.
        this.sentAt = performance.now();
        this.handshakeSent = true;
      }
      onSocketConnected.call(m);
    };
    m.onSocketData = (buffer: Buffer) => {
      // The library parses one answer per call and calls itself again (through this property)
      // with an empty buffer for the rest of a read, which it then copies: thousands of answers
      // in one read (10,000 deletes at SIGTERM) made that quadratic, and held the main thread
      // for a second at a time. The rest goes back to it from this loop instead, uncopied.
      if (this.parsing) {
        if (buffer.length === 0) return;
      }
      if (!this.discarded) this.heard(buffer);
      this.parsing = true;
      try {
        onSocketData.call(m, buffer);
        while (m.pendingBuffer != null && completeAnswer(m.pendingBuffer)) {
          const rest = m.pendingBuffer;
          m.pendingBuffer = null;
          onSocketData.call(m, rest);
        }
      } finally {
        this.parsing = false;
      }
    };
    m.onSocketClosed = (hadError: boolean) => {
      if (!this.discarded) this.attemptClosed();
      onSocketClosed.call(m, hadError);
    };
    m.onSocketTimeout = () => {
      this.lastPingAt = performance.now();
      this.pingSentAt ??= this.lastPingAt;
      onSocketTimeout.call(m);
    };
  }

  private heard(buffer: Buffer): void {
    const now = performance.now();
    this.heardAt = now;
    this.silentSince = now;
    this.answered = true;
    // A ping's answer opens a buffer of its own on an idle connection: header xid -2.
    if (this.pingSentAt !== null && buffer.length >= 8 && buffer.readInt32BE(4) === PING_XID) {
      this.rtt = nextRttMs(this.rtt, now - this.pingSentAt);
      this.pingSentAt = null;
    } else if (this.manager.state === CONNECTING && this.handshakeSent) {
      this.rtt = nextRttMs(this.rtt, now - this.sentAt);
    }
  }

  /** A member whose TLS fails is named at once (the others may well serve us meanwhile). */
  private noteTlsFailure(failure: AttemptFailure): void {
    this.tlsFailed = true;
    const key = `${failure.server} ${failure.code}`;
    if (this.tlsLogged.has(key)) return;
    this.tlsLogged.add(key);
    const reason = describeAttemptFailure(failure);
    this.log.warn({ event: 'zk_tls_failed', server: failure.server, reason }, `TLS to ZooKeeper failed: ${reason}; trying the other servers`);
  }

  private beginAttempt(server: { host: string; port: number | string }): void {
    const attempt = ++this.attempt;
    this.attemptsSinceContact++;
    this.attemptServer = `${server.host}:${server.port}`;
    this.handshakeSent = false;
    this.answered = false;
    this.droppedByUs = false;
    this.tlsFailed = false;
    this.pingSentAt = null;
    const servers = this.serverCount;
    const id = this.sessionId;
    const t = this.timeoutMs;
    const deadline = attemptDeadlineMs({
      timeoutMs: t,
      leftMs: id === null ? null : this.heardAt + t - performance.now(),
      untried: servers - ((this.attemptsSinceContact - 1) % servers),
      rttMs: this.rtt,
      timedOutInARow: this.timedOutInARow,
    });
    // The library's own TCP connect timer gets the same deadline; ours also covers the handshake.
    this.manager.connectTimeout = deadline;
    clearTimeout(this.attemptTimer);
    this.attemptTimer = setTimeout(() => {
      if (attempt !== this.attempt || this.connected || this.discarded) return;
      this.timedOutInARow++;
      // Over TLS the handshake is sent once TLS is up: a TCP connection that is up without it is a TLS handshake that did not finish.
      const tlsStuck = !this.handshakeSent && this.options.tls != null && this.manager.socket?.connecting === false;
      const detail = this.handshakeSent ? `accepted the connection but did not answer the handshake within ${deadline} ms` : tlsStuck ? `accepted the connection but did not finish the TLS handshake within ${deadline} ms` : `did not accept a connection within ${deadline} ms`;
      this.failures.set(this.attemptServer, { server: this.attemptServer, code: null, detail });
      this.drop(this.handshakeSent ? `${this.attemptServer} accepted the connection but has not answered the handshake for ${deadline} ms` : `${this.attemptServer} ${detail}`);
    }, deadline);
    this.attemptTimer.unref();
  }

  private attemptClosed(): void {
    // The attempt is over: its deadline must not fire into the library's wait before the next one.
    clearTimeout(this.attemptTimer);
    if (this.connected || !this.handshakeSent || this.answered || this.droppedByUs || this.tlsFailed) return;
    // The member took our ConnectRequest and hung up: it refuses this session (its data is
    // older than ours), or it is not serving yet.
    this.handshakeSent = false;
    this.refusedBy.add(this.attemptServer);
    // Without TLS, a secureClientPort hangs up on our plain handshake the same way (a missed --zk-tls).
    const guess = this.options.tls == null ? 'not serving yet, or a TLS-only port that wants --zk-tls?' : 'not serving yet?';
    this.failures.set(this.attemptServer, { server: this.attemptServer, code: null, detail: `closed the connection without answering the handshake (${guess})` });
    if (this.refusedBy.size === this.serverCount && this.sessionId !== null) {
      this.refusedBy.clear();
      this.emit('refusedByAll');
    }
  }
}

/** Whether `buffer` starts with a whole length-prefixed answer. */
function completeAnswer(buffer: Buffer): boolean {
  return buffer.length >= 4 && buffer.length >= buffer.readInt32BE(0) + 4;
}

/** The library's ConnectionManager: the parts we must reach that its API does not expose. */
interface ManagerInternals {
  connect: () => void;
  onSocketData: (buffer: Buffer) => void;
  onSocketConnected: () => void;
  onSocketClosed: (hadError: boolean) => void;
  onSocketError: (error: NodeJS.ErrnoException) => void;
  onSocketTimeout: () => void;
  findNextServer: (callback: (server: { host: string; port: number | string }) => void) => void;
  updateTimeout: (timeout: number) => void;
  queue: (request: { header?: { type: number } | null }, callback?: (error: unknown, ...rest: unknown[]) => void) => void;
  servers: unknown[];
  pingTimeout: number;
  connectTimeout: number;
  connectTimeoutHandler?: NodeJS.Timeout | null;
  pendingQueue?: unknown[];
  /** Bytes of a read not parsed yet (the library's own name). */
  pendingBuffer?: Buffer | null;
  packetQueue?: { queue: unknown[] };
  state: number;
  socket?: { destroy(): void; removeAllListeners(event: string): void; readonly connecting?: boolean };
}
