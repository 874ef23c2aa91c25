// The clocks of a ZooKeeper session, seen from the client. The server expires a session
// `t` (the negotiated timeout) after the last packet it received from us, rounded up to
// its tick, on the leader, which learns of our packets from the member we talk to within
// half a tick. A server grants no t below 2 ticks, so all of that is under 2 t. Losing
// contact is therefore not losing the session: the client keeps trying every member with
// it, and only a server's "expired", 2 t without our reaching any server, or 3 t without
// hearing one while our packets still go out (giveUpAt), ends it. Pure.

/** Idle connections are pinged this often: a pause or cut just short of t still leaves the session alive on the server. */
export function pingIntervalMs(timeoutMs: number): number {
  return Math.max(200, Math.floor(timeoutMs / 10));
}

/** The liveness tick while the server is quiet (near the silence limit, a tick's delay is a detection's delay). */
export const FINE_TICK_MS = 250;

/**
 * How long until the next liveness check, after `silentForMs` without a byte. The tick also
 * sends the pings (pingDue), so it is a whole fraction of the ping interval and every
 * multiple of the interval is a tick: none over 1 s while the server answers (at t = 10 s,
 * one wakeup a second for both), none over the fine tick once it has been quiet for two
 * ping intervals. 3 t/10 unseen at worst is still short of the silence limit (t/2).
 */
export function livenessTickMs(silentForMs: number, timeoutMs: number): number {
  const ping = pingIntervalMs(timeoutMs);
  const most = silentForMs >= 2 * ping ? FINE_TICK_MS : 1000;
  return ping / Math.ceil(ping / most);
}

/**
 * Whether the tick running `now` sends a ping. Ticks are due on multiples of `tickMs`
 * (performance.now(); one may run a little early or late), and pings on the multiples of
 * the ping interval among them, so pings keep to t/10 whatever the tick; a ping interval
 * with none (a new t, a first tick) sends one at once.
 */
export function pingDue(now: number, lastPingAt: number, tickMs: number, timeoutMs: number): boolean {
  const interval = pingIntervalMs(timeoutMs);
  const slot = Math.round(now / tickMs) * tickMs;
  const onPingGrid = Math.abs(slot / interval - Math.round(slot / interval)) < 1e-6;
  return onPingGrid || now - lastPingAt >= interval;
}

/**
 * No byte for this long on an open connection: it is dead (half-open, black-holed).
 * With pings every t/10, a round trip up to 0.4 t still passes; half of t is left to
 * reach another member before the server's clock runs out.
 */
export function silenceLimitMs(timeoutMs: number): number {
  return Math.floor(timeoutMs / 2);
}

/** After our last packet at `lastSentAt`, no server can hold the session any more from this moment on. */
export function expiredForSureAt(lastSentAt: number, timeoutMs: number): number {
  return lastSentAt + 2 * timeoutMs;
}

/**
 * When to stop holding on to a session no server answers for: 2 t after our last packet
 * (no server can hold it by then), or 3 t after a server last spoke to us, even while our
 * handshakes still go out. A session we can send to but never hear from (a one-way cut, a
 * link too slow to finish a handshake) is no use: holding it would keep our nodes alive
 * on the server while we can neither confirm nor delete them.
 */
export function giveUpAt(lastSentAt: number, lastHeardAt: number, timeoutMs: number): { at: number; why: string } {
  const unsent = lastSentAt + 2 * timeoutMs;
  const unheard = lastHeardAt + 3 * timeoutMs;
  return unsent <= unheard
    ? { at: unsent, why: `no server reached for twice the session timeout (${timeoutMs} ms) since our last packet` }
    : { at: unheard, why: `no server answered for three times the session timeout (${timeoutMs} ms) although our packets went out` };
}

/** How long the session surely lives on: a server heard us no earlier than our last answer from it. */
export function sessionLeftMs(now: number, lastHeardAt: number, timeoutMs: number): number {
  return lastHeardAt + timeoutMs - now;
}

export interface AttemptInputs {
  /** Negotiated timeout, or the one asked for before any server answered. */
  readonly timeoutMs: number;
  /** sessionLeftMs() while we hold a session; null for a fresh one (nothing to keep alive). */
  readonly leftMs: number | null;
  /** Members not yet tried since contact was lost, this one included (at least 1). */
  readonly untried: number;
  /** The slowest recent round trip, or null before any was measured. */
  readonly rttMs: number | null;
  /** Attempts in a row that ran out of time without an answer. */
  readonly timedOutInARow: number;
}

const UNKNOWN_RTT_FLOOR_MS = 2000;
const RTT_MARGIN_MS = 500;

/**
 * How long one attempt on one member (TCP connect and handshake) may take.
 * - Never below two round trips (the TCP connect and the handshake): twice the slowest
 *   one measured plus a margin (2 s before any), doubled after each attempt that ran out
 *   of time, so a slow network still connects.
 *   Each hung-up fresh handshake leaves a session on the server, so this grows fast.
 * - While a session is at stake, the time it surely has left is shared among the members
 *   not yet tried, so a reachable member is reached in time even behind black holes.
 */
export function attemptDeadlineMs(a: AttemptInputs): number {
  const t = a.timeoutMs;
  const base = a.rttMs === null ? UNKNOWN_RTT_FLOOR_MS : 2 * a.rttMs + RTT_MARGIN_MS;
  // A session at stake never spends more than 0.4 t on the floor: a round trip up to t/3 fits.
  // Growth after timeouts is capped; what one attempt needs on this network (base) never is.
  const cap = a.leftMs === null ? t : 0.4 * t;
  const floor = Math.max(a.leftMs === null ? 0 : Math.min(base, t), Math.min(cap, base * 2 ** Math.min(a.timedOutInARow, 10)));
  const share = a.leftMs === null ? 0 : a.leftMs / Math.max(1, a.untried);
  return Math.round(Math.max(floor, share, 250));
}

/** A pause of the whole process (SIGSTOP, a VM freeze) shows as a late tick; silence during it is not the network's. */
export function stallMs(sinceLastTickMs: number, tickMs: number): number {
  const late = sinceLastTickMs - tickMs;
  return late > 1000 ? late : 0;
}

/** The slowest recent round trip: a new sample counts at once, an old maximum fades. */
export function nextRttMs(previous: number | null, sampleMs: number): number {
  return previous === null ? sampleMs : Math.max(sampleMs, previous * 0.9);
}
