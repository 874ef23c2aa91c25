// The registration table: which nodes should exist, and one single-flight sync per
// path that makes ZooKeeper agree. A node counts as registered only when ZooKeeper said so
// under the current, connected session (registration.ts). Its own state: open (any wish),
// draining (stop began: only removals), closed (nothing runs, no timer is left).

import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { isOrphanOfThisHost, notOursReason } from '../../shared/ownership.js';
import type { RegistryFormat } from '../../shared/formats/format.js';
import { nextRegistration, type Registration, type RegistrationEvent } from '../../shared/registration.js';
import { splitParents } from '../../shared/znode.js';
import { outageSummary } from '../../shared/log-outage.js';
import { AUTH_REQUIRED, BAD_VERSION, CONNECTION_LOSS, NODE_EXISTS, NO_AUTH, NO_NODE, NotConnectedError, WriteCancelledError, ZkUnavailableError, describeZkError, zkCode } from './zk-errors.js';
import { splitConnectString } from '../../shared/servers.js';
import type { ZkSession } from './session.js';
import { zookeeper } from '../cjs-packages.js';

export interface Desired {
  readonly data: Buffer;
  /** The format of the service this node is for: what may prove a node at the path ours (ownership.ts). Absent: zk_watcher. */
  readonly format?: RegistryFormat;
}

interface Entry {
  readonly path: string;
  readonly log: Logger;
  want: Desired | null;
  /** The format of the last wish for this path, kept while its node is removed: what proves a node there ours. */
  format: RegistryFormat;
  registration: Registration;
  /** The session our node was last confirmed (or written) under; null while absent. */
  heldBy: string | null;
  running: boolean;
  /** The wish changed (or a watch fired) while a sync ran: run once more. */
  again: boolean;
  retryTimer: NodeJS.Timeout | undefined;
  failures: number;
  /** The last failure was not reaching ZooKeeper at all: a reconnect retries it at once. */
  awaitsConnection: boolean;
  /** The last conflict we logged, so a stuck path logs once, not every retry. */
  lastConflict: string | null;
}

/** A wish for one path: the node's bytes, and the logger of the service it is for. */
export interface WantedNode extends Desired {
  readonly log: Logger;
}

export type RegistrarState = 'open' | 'draining' | 'closed';

export interface RegistrarEvents {
  /** ZooKeeper confirmed that our node at this path carries the bytes wished for (new, updated or unchanged). */
  confirmed: [path: string];
  /** A sync of this path failed (a read or write threw; one `zk_sync_failed`): it is retried. */
  syncFailed: [path: string];
}

/** One entry's part in the stop summary: a node that may still be there, and the session that would hold it. */
export interface LeftNode {
  readonly path: string;
  readonly heldBy: string | null;
}

export interface DrainResult {
  /** Nodes ZooKeeper confirmed gone since the drain began (deleted by us, or read back absent). */
  readonly deleted: number;
  /** Nodes not confirmed gone: registered, or unconfirmed. */
  readonly left: readonly LeftNode[];
  /** Nodes wanted when the drain began that ZooKeeper never confirmed: nothing to remove. */
  readonly neverRegistered: number;
}

const NO_OWNER = '0000000000000000';
const MAX_RETRY_MS = 10_000;
/** Creating what is missing after a new session starts at a random point of this window. */
const RECREATE_JITTER_MS = 2000;
/** The outage's summary line waits for every node to be settled, this long at most (a node refused for good never is). */
const OUTAGE_SUMMARY_WAIT_MS = 30_000;

/** Where we are in a ZooKeeper outage, for its one summary line: none, down (no connection), recovering (connected again, re-syncing). */
type OutagePhase = 'none' | 'down' | 'recovering';

export class Registrar extends EventEmitter<RegistrarEvents> {
  state: RegistrarState = 'open';
  private readonly entries = new Map<string, Entry>();
  /** Parent paths being created now, so that concurrent registrations share one attempt. */
  private readonly parentsInFlight = new Map<string, Promise<void>>();
  /** No create before this moment (performance.now()): a fleet re-registering at once after a ZooKeeper restart is spread out. */
  private createNotBefore = 0;
  private outagePhase: OutagePhase = 'none';
  /** reregistered: the paths registered again in this outage (a set: a node re-made twice is one). */
  private outage = { since: 0, durationMs: 0, sessionLost: false, reregistered: new Set<string>() };
  private outageTimer: NodeJS.Timeout | undefined;

  /** recreateJitterMs: the window above (the fleet bench turns it off to show what it buys). */
  constructor(private readonly session: ZkSession, private readonly log: Logger, recreateJitterMs: number = RECREATE_JITTER_MS) {
    super();
    let sessions = 0;
    session.on('connected', (_id, fresh) => {
      if (this.state === 'closed') return;
      if (fresh) sessions++;
      // The very first session registers at once. After a lost one, every host of a fleet may
      // be re-registering together: creating what is missing waits a random moment. Reading
      // back and taking over our old session's nodes do not: those nodes are visible now, and
      // the old session may expire any moment. While draining there are only removals.
      if (fresh && sessions > 1 && this.state === 'open') {
        const delay = Math.random() * recreateJitterMs;
        this.createNotBefore = performance.now() + delay;
        this.log.info({ event: 'reregister_jitter', delayMs: Math.round(delay) }, `creating missing nodes from ${Math.round(delay)} ms on; taking over our old ones at once`);
      }
      // Within the session, what is unconfirmed is read back now, and what could not be sent is
      // retried; a request the server refused waits for its backoff (a server that drops the
      // connection on every request would otherwise be asked again at every reconnect).
      for (const entry of this.entries.values()) if (fresh || entry.awaitsConnection || entry.registration === 'unconfirmed') this.kick(entry);
      this.outageRecovering(fresh);
    });
    const contactLost = (sessionLost: boolean): void => {
      if (this.state === 'closed') return;
      for (const entry of this.entries.values()) this.note(entry, 'contact_lost');
      this.outageDown(sessionLost);
    };
    session.on('disconnected', () => contactLost(false));
    session.on('lost', () => contactLost(true));
    session.on('watch', (path) => {
      if (this.state === 'closed') return;
      const entry = this.entries.get(path);
      if (entry !== undefined) this.kick(entry);
    });
  }

  /**
   * Make the whole table of wishes `wanted`: every path in it should be a node of ours
   * with its bytes, every other path we hold should not. Only paths whose wish changed
   * are synced. Once draining, only the removals are taken.
   */
  setTable(wanted: ReadonlyMap<string, WantedNode>): void {
    for (const [path, node] of wanted) this.set(path, node, node.log);
    for (const entry of [...this.entries.values()]) if (entry.want !== null && !wanted.has(entry.path)) this.set(entry.path, null, entry.log);
  }

  /** Ask for a node at `path` with `desired` data, or for no node of ours there (null). */
  set(path: string, desired: Desired | null, log: Logger): void {
    if (this.state === 'closed' || (this.state === 'draining' && desired !== null)) return;
    let entry = this.entries.get(path);
    if (entry === undefined) {
      if (desired === null) return;
      entry = { path, log, want: null, format: 'zk_watcher', registration: 'absent', heldBy: null, running: false, again: false, retryTimer: undefined, failures: 0, awaitsConnection: false, lastConflict: null };
      this.entries.set(path, entry);
    }
    if (sameWish(entry.want, desired)) return;
    entry.want = desired === null ? null : { data: desired.data, format: desired.format ?? 'zk_watcher' };
    if (entry.want !== null) entry.format = entry.want.format ?? 'zk_watcher';
    this.kick(entry);
  }

  isRegistered(path: string): boolean {
    return this.registration(path) === 'registered';
  }

  registration(path: string): Registration {
    return this.entries.get(path)?.registration ?? 'absent';
  }

  get registeredCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.registration === 'registered') n++;
    return n;
  }

  /**
   * Start draining: want nothing, and wait (at most `timeoutMs`) until ZooKeeper confirmed
   * every node of ours gone. Says how many it confirmed, and which may be left: still ours,
   * or unconfirmed (held by a session the server may keep until it expires).
   */
  async removeAll(timeoutMs: number): Promise<DrainResult> {
    const present = (e: Entry): boolean => e.registration !== 'absent';
    const before = [...this.entries.values()].filter(present).map((e) => e.path);
    const neverRegistered = [...this.entries.values()].filter((e) => e.want !== null && e.registration === 'absent').length;
    const result = (): DrainResult => ({
      neverRegistered,
      deleted: before.filter((path) => this.registration(path) === 'absent').length,
      left: [...this.entries.values()].filter(present).map((e) => ({ path: e.path, heldBy: e.heldBy })),
    });
    if (this.state === 'closed') return result();
    this.state = 'draining';
    this.outageOver();
    // Creates queued behind the write limit are for nodes nobody wants now: none goes out.
    this.session.cancelWaitingWrites();
    for (const entry of this.entries.values()) {
      entry.want = null;
      this.kick(entry);
    }
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && [...this.entries.values()].some((e) => present(e) || e.running)) {
      await new Promise((r) => setTimeout(r, 10));
    }
    return result();
  }

  /** Closed: no sync starts again, and no retry or hold timer is left behind. */
  close(): void {
    this.state = 'closed';
    this.outageOver();
    for (const entry of this.entries.values()) {
      clearTimeout(entry.retryTimer);
      entry.retryTimer = undefined;
    }
  }

  private kick(entry: Entry): void {
    clearTimeout(entry.retryTimer);
    entry.retryTimer = undefined;
    if (this.state === 'closed') return;
    if (entry.running) {
      entry.again = true;
      return;
    }
    void this.run(entry);
  }

  private async run(entry: Entry): Promise<void> {
    entry.running = true;
    try {
      for (let round = 0; this.state !== 'closed'; round++) {
        // A path that keeps changing under us backs off instead of spinning.
        if (round === 20) throw new Error(`${entry.path} kept changing while we synced it`);
        entry.again = false;
        await this.syncOnce(entry);
        entry.log.debug({ event: 'synced', path: entry.path, round, want: entry.want !== null, registration: entry.registration, again: entry.again }, `synced ${entry.path}`);
        if (!entry.again) break;
      }
      entry.failures = 0;
      entry.awaitsConnection = false;
    } catch (error) {
      entry.failures++;
      this.emit('syncFailed', entry.path);
      this.retryLater(entry, error);
    } finally {
      entry.running = false;
      if (entry.want === null && entry.registration === 'absent' && entry.failures === 0) this.entries.delete(entry.path);
      if (this.outagePhase === 'recovering') this.maybeSummarizeOutage(false);
    }
  }

  // ---- the outage's summary line: down at the first lost contact, recovering once connected, one line when settled ----

  private outageDown(sessionLost: boolean): void {
    if (this.state !== 'open') return;
    if (this.outagePhase === 'none') this.outage = { since: performance.now(), durationMs: 0, sessionLost, reregistered: new Set() };
    else this.outage.sessionLost ||= sessionLost;
    this.outagePhase = 'down';
    clearTimeout(this.outageTimer);
  }

  private outageRecovering(fresh: boolean): void {
    if (this.outagePhase !== 'down' || this.state !== 'open') return;
    this.outagePhase = 'recovering';
    this.outage.durationMs = performance.now() - this.outage.since;
    this.outage.sessionLost ||= fresh;
    clearTimeout(this.outageTimer);
    this.outageTimer = setTimeout(() => this.maybeSummarizeOutage(true), OUTAGE_SUMMARY_WAIT_MS);
    this.outageTimer.unref();
    this.maybeSummarizeOutage(false);
  }

  /** Once every wanted node is settled (no sync running or waiting), or `anyway` at the wait's end: one line. */
  private maybeSummarizeOutage(anyway: boolean): void {
    if (this.outagePhase !== 'recovering') return;
    // Called after every sync while recovering: no copy of the table, and out at the first unsettled entry.
    if (!anyway) for (const e of this.entries.values()) if (e.running || e.retryTimer !== undefined) return;
    let wanted = 0;
    let registered = 0;
    let reregistered = 0;
    for (const e of this.entries.values()) {
      if (e.want === null) continue;
      wanted++;
      if (e.registration !== 'registered') continue;
      registered++;
      if (this.outage.reregistered.has(e.path)) reregistered++;
    }
    const facts = { durationMs: Math.round(this.outage.durationMs), sessionLost: this.outage.sessionLost, reregistered, registered, missing: wanted - registered };
    this.outageOver();
    this.log.info({ event: 'zk_outage_over', ...facts }, outageSummary(facts));
  }

  private outageOver(): void {
    this.outagePhase = 'none';
    clearTimeout(this.outageTimer);
    this.outageTimer = undefined;
  }

  private retryLater(entry: Entry, error: unknown): void {
    if (this.state === 'closed') return;
    entry.awaitsConnection = error instanceof ZkUnavailableError && this.session.state !== 'connected';
    const code = zkCode(error);
    // Refused for who we are: no retry soon will change that, and each one costs the ensemble.
    const refused = code === NO_AUTH || code === AUTH_REQUIRED;
    const delay = refused ? 30_000 : Math.min(MAX_RETRY_MS, 250 * 2 ** Math.min(entry.failures, 6));
    let level: 'error' | 'warn' | 'info' | 'debug' = refused ? 'error' : entry.failures > 3 ? 'warn' : 'info';
    // A request that timed out or was refused because the connection is gone: the cause is the connection, not the request.
    const notConnected = this.session.state !== 'connected' && (error instanceof ZkUnavailableError || code === CONNECTION_LOSS);
    const why = code === NO_AUTH ? noPermissionWhy(this.session.acl) : notConnected ? notConnectedWhy(this.session.state, error) : describeZkError(error);
    // Stopping, with no node of ours known there and no server to ask: nothing an operator must hear of (the stop line counts it).
    if (notConnected && this.state === 'draining' && entry.registration === 'absent') level = 'debug';
    const verb = entry.want ? 'register' : 'deregister';
    entry.log[level]({ event: 'zk_sync_failed', path: entry.path, error: why, retryInMs: delay }, notConnected ? `could not ${verb} ${entry.path}: not connected to ZooKeeper; retrying once connected` : `could not ${verb} ${entry.path}; retrying`);
    // While disconnected, the 'connected' handler retries; the timer covers a live but slow server.
    // Draining with no server: only 'connected' can help, so no timer retries into the void.
    if (this.state === 'draining' && error instanceof ZkUnavailableError && this.session.state !== 'connected') return;
    entry.retryTimer = setTimeout(() => {
      entry.retryTimer = undefined;
      this.kick(entry);
    }, delay);
    entry.retryTimer.unref();
  }

  /** Every change of an entry's registration goes through registration.ts; 'confirmed' only counts while connected. */
  private note(entry: Entry, event: RegistrationEvent): void {
    if (event === 'confirmed' && this.session.state !== 'connected') event = 'contact_lost';
    if (event === 'confirmed' || event === 'outcome_unknown') entry.heldBy = this.session.heldId;
    entry.registration = nextRegistration(entry.registration, event);
    if (entry.registration === 'absent') entry.heldBy = null;
  }

  /** Read what ZooKeeper has at the path, then make it match the wish. Throws to retry. */
  private async syncOnce(entry: Entry): Promise<void> {
    const node = await this.session.getDataWatched(entry.path);
    // The wish as it is now, after the read: a stop that began during it wants no create.
    const want = entry.want;
    if (node === null) {
      this.note(entry, 'gone');
      if (want === null) return;
      const wait = this.createNotBefore - performance.now();
      if (wait > 0 && this.state === 'open') {
        // Our old session's node is gone already: this create is one of the fleet's many, spread out.
        clearTimeout(entry.retryTimer);
        entry.retryTimer = setTimeout(() => this.kick(entry), wait);
        return;
      }
      await this.create(entry, want);
      return;
    }
    const owner = node.stat.ephemeralOwner.toString('hex');
    const current = this.session.id;
    const ours = this.session.ownSessions.has(owner) || (owner !== NO_OWNER && isOrphanOfThisHost(entry.format, node.data.toString('utf8'), process.pid, pidAlive));
    if (want === null) {
      if (ours) {
        if (!(await this.tolerate(this.session.remove(entry.path, node.stat.version), [NO_NODE, BAD_VERSION], entry))) return;
        entry.log.info({ event: 'deregistered', path: entry.path }, `deregistered ${entry.path}`);
      }
      this.note(entry, 'gone');
      return;
    }
    const stillWanted = this.wishStands(entry, want);
    if (owner === current) {
      if (!node.data.equals(want.data)) {
        if (!(await this.tolerate(this.session.setData(entry.path, want.data, node.stat.version, stillWanted), [NO_NODE, BAD_VERSION], entry))) return;
        entry.log.info({ event: 'data_updated', path: entry.path }, `updated the data of ${entry.path}`);
      }
      this.note(entry, 'confirmed');
      entry.lastConflict = null;
      this.confirm(entry);
      return;
    }
    if (ours) {
      // Left by an earlier session of this agent, or by an agent on this host that died before its
      // session expired: replace it atomically, so the node never disappears and does not vanish
      // later when that old session is reaped.
      if (!(await this.tolerate(this.session.replaceEphemeral(entry.path, node.stat.version, want.data, stillWanted), [NO_NODE, BAD_VERSION, NODE_EXISTS], entry))) return;
      this.note(entry, 'confirmed');
      this.confirm(entry);
      entry.log.info({ event: 'taken_over', path: entry.path, previousOwner: owner }, `took over ${entry.path} from our earlier session`);
      if (this.outagePhase !== 'none') this.outage.reregistered.add(entry.path);
      return;
    }
    this.note(entry, 'gone');
    const conflict = owner === NO_OWNER ? 'a persistent node' : `an ephemeral node of session 0x${owner}`;
    // Why it is not ours (no pid proof for this format, or a live agent's): only the end of its session frees it.
    const noProof = notOursReason(entry.format, node.data.toString('utf8'), owner !== NO_OWNER);
    if (entry.lastConflict !== conflict) {
      entry.lastConflict = conflict;
      entry.log.error(
        { event: 'path_held_by_other', path: entry.path, owner: `0x${owner}` },
        `${entry.path} is already ${conflict} that is not ours; leaving it alone${noProof} (we watch it and register once it is gone)`,
      );
    }
  }

  private async create(entry: Entry, want: Desired): Promise<void> {
    const stillWanted = this.wishStands(entry, want);
    try {
      await this.session.createEphemeral(entry.path, want.data, stillWanted);
    } catch (e) {
      // Sent, and no answer: the node may exist now. The next read says.
      if ((e instanceof ZkUnavailableError && !(e instanceof NotConnectedError)) || zkCode(e) === CONNECTION_LOSS) this.note(entry, 'outcome_unknown');
      if (e instanceof WriteCancelledError) {
        entry.again = true;
        return;
      }
      const code = zkCode(e);
      if (code === NODE_EXISTS) {
        entry.again = true;
        return;
      }
      if (code !== NO_NODE) throw e;
      try {
        await this.createParents(entry.path);
      } catch (p) {
        if (!(p instanceof WriteCancelledError)) throw p;
        entry.again = true;
        return;
      }
      if (entry.want !== want) {
        entry.again = true; // the wish changed while the parents were made: decide again
        return;
      }
      if (!(await this.tolerate(this.session.createEphemeral(entry.path, want.data, stillWanted), [NODE_EXISTS], entry))) return;
    }
    entry.lastConflict = null;
    this.note(entry, 'confirmed');
    this.confirm(entry);
    entry.log.info({ event: 'registered', path: entry.path }, `registered ${entry.path}`);
    if (this.outagePhase !== 'none') this.outage.reregistered.add(entry.path);
    // Watch the node we just made, so a delete by anyone brings it back. (Not `again ||= await`:
    // that reads `again` before the await and would lose a kick that lands during it.)
    if (!(await this.watchCreated(entry))) entry.again = true;
  }

  /** Set the watch on our fresh node; false when it is already gone again. */
  private async watchCreated(entry: Entry): Promise<boolean> {
    const node = await this.session.getDataWatched(entry.path);
    return node !== null && node.stat.ephemeralOwner.toString('hex') === this.session.id;
  }

  /**
   * As nd_service_registry: ancestors with the open ACL, the direct parent with ours. Pipelined,
   * in order, and once per parent at a time: a thousand services under one new path must not
   * each spend writes (and write tokens) creating the same parents.
   */
  private createParents(path: string): Promise<void> {
    const { parent } = splitParents(path);
    let pending = this.parentsInFlight.get(parent);
    if (pending === undefined) {
      pending = this.createParentsOrChroot(path).finally(() => this.parentsInFlight.delete(parent));
      this.parentsInFlight.set(parent, pending);
    }
    return pending;
  }

  /** NO_NODE for our topmost parent can only mean the connect string's chroot is missing: make it, then the parents. */
  private async createParentsOrChroot(path: string): Promise<void> {
    try {
      await this.createParentsOf(path);
    } catch (e) {
      if (zkCode(e) !== NO_NODE || !this.session.hasChroot) throw e;
      try {
        await this.session.ensureChroot();
      } catch (c) {
        const chroot = splitConnectString(this.session.connectString).chroot;
        throw new Error(`the chroot ${chroot} of the connect string does not exist and could not be created: ${zkCode(c) === NO_AUTH ? 'no permission to create it (create it, or allow our [auth] user to)' : describeZkError(c)}`);
      }
      await this.createParentsOf(path);
    }
  }

  private async createParentsOf(path: string): Promise<void> {
    const { parent, ancestors } = splitParents(path);
    const open = () => this.state === 'open';
    const creates = [
      ...ancestors.map((p) => this.session.createPersistent(p, zookeeper.ACL.OPEN_ACL_UNSAFE, open)),
      this.session.createPersistent(parent, this.session.acl, open),
    ];
    const results = await Promise.allSettled(creates);
    for (const r of results) {
      if (r.status === 'rejected' && zkCode(r.reason) !== NODE_EXISTS) throw r.reason;
    }
  }

  /** Asked once a write's turn under the rate limit has come: it still serves the wish it was made for. */
  private wishStands(entry: Entry, want: Desired): () => boolean {
    return () => this.state === 'open' && entry.want === want;
  }

  private confirm(entry: Entry): void {
    if (this.state === 'open') this.emit('confirmed', entry.path);
  }

  /** True when the write succeeded; false when one of `codes` says the node changed under us, or the write was called off (decide again). */
  private async tolerate(write: Promise<unknown>, codes: number[], entry: Entry): Promise<boolean> {
    try {
      await write;
      return true;
    } catch (error) {
      if (error instanceof WriteCancelledError) {
        entry.again = true;
        return false;
      }
      const code = zkCode(error);
      if (code === null || !codes.includes(code)) throw error;
      entry.again = true;
      return false;
    }
  }
}

function sameWish(a: Desired | null, b: Desired | null): boolean {
  return a === null || b === null ? a === b : a.data.equals(b.data) && (a.format ?? 'zk_watcher') === (b.format ?? 'zk_watcher');
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, it is just not ours to signal.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Not connected: that is the cause; a deadline that ran out meanwhile is only its echo, a lost connection under the request is worth naming. */
function notConnectedWhy(state: string, error: unknown): string {
  const why = `not connected to ZooKeeper (${state})`;
  return zkCode(error) === CONNECTION_LOSS ? `${why}: ${describeZkError(error)}` : why;
}

/** NO_AUTH in words: with our certificate's x509 ACL, the subject ZooKeeper must know us by, not [auth] (which is not set then). */
function noPermissionWhy(acl: readonly { readonly id: { readonly scheme: string; readonly id: string } }[]): string {
  const x509 = acl.find((a) => a.id.scheme === 'x509');
  if (x509 === undefined) return 'ZooKeeper refused: no permission (check [auth] and the ACL of the parent path)';
  return `ZooKeeper refused: no permission for our certificate's subject x509:${x509.id.id} (the parent path's ACL must let it create and delete there: was the parent made by another subject, or does the server not authenticate client certificates?)`;
}
