// The one line a stop ends with: what ZooKeeper confirmed deleted, what is left to expire
// with which session, by when and why, and how many wanted nodes were never registered. Pure: the drain's result and the sessions' ends in.

export interface LeftNodeFact {
  readonly path: string;
  /** The session that would hold it (null: none known, counted with the last one we held). */
  readonly heldBy: string | null;
}

export interface SessionEndFact {
  readonly sessionId: string;
  /** The server confirmed our close: its ephemerals went with it. */
  readonly closed: boolean;
  /** Epoch ms from which no server holds it any more (unless an ensemble restart renews it); null when closed. */
  readonly expiresBy: number | null;
}

/** Nodes wanted (healthy services) that ZooKeeper never confirmed, and whether it was connected as the stop ended. */
export interface NeverRegisteredFact {
  readonly count: number;
  readonly connected: boolean;
}

export interface StopSummary {
  readonly deleted: number;
  readonly remaining: number;
  /** Wanted, never registered: nothing of theirs to remove. */
  readonly neverRegistered: number;
  readonly sessions: readonly { readonly sessionId: string; readonly nodes: number; readonly expiresBy: string | null }[];
  /** The first few paths left. */
  readonly paths: readonly string[];
  readonly message: string;
}

const PATHS_SHOWN = 10;

export function stopSummary(deletedByUs: number, left: readonly LeftNodeFact[], ends: readonly SessionEndFact[], now: number, never: NeverRegisteredFact = { count: 0, connected: true }): StopSummary {
  const last = ends.at(-1)?.sessionId ?? null;
  const endOf = new Map(ends.map((e) => [e.sessionId, e]));
  const bySession = new Map<string, string[]>();
  let goneWithClose = 0;
  for (const node of left) {
    const id = node.heldBy ?? last ?? 'unknown';
    // A confirmed close removed every ephemeral of that session: ZooKeeper deleted these too.
    if (endOf.get(id)?.closed === true) {
      goneWithClose++;
      continue;
    }
    bySession.set(id, [...(bySession.get(id) ?? []), node.path]);
  }
  const sessions = [...bySession].map(([sessionId, paths]) => {
    const at = endOf.get(sessionId)?.expiresBy ?? null;
    return { sessionId, nodes: paths.length, expiresBy: at === null ? null : new Date(Math.max(at, now)).toISOString() };
  });
  const remaining = sessions.reduce((n, s) => n + s.nodes, 0);
  const deleted = deletedByUs + goneWithClose;
  const where = sessions.map((s) => `${s.nodes} with session 0x${s.sessionId}${s.expiresBy === null ? '' : ` (expired by ${s.expiresBy} unless a restart of the ensemble renewed it)`}`).join(', ');
  const message = stopMessage(deleted, remaining, where, never);
  return { deleted, remaining, neverRegistered: never.count, sessions, paths: [...bySession.values()].flat().slice(0, PATHS_SHOWN), message };
}

/** Every count in it true: what went, what may stay and why, what was never there to remove. */
function stopMessage(deleted: number, remaining: number, where: string, never: NeverRegisteredFact): string {
  if (remaining === 0 && never.count === 0) return deleted === 0 ? 'stopped; nothing was registered' : `stopped; ZooKeeper confirmed all ${deleted} of our nodes deleted`;
  const parts = [`stopped; ZooKeeper confirmed ${deleted} of our nodes deleted`];
  if (remaining > 0) {
    const why = never.connected ? 'ZooKeeper did not confirm the deletes in time' : 'ZooKeeper not connected';
    parts.push(`not removed (${why}): ${remaining} may remain until their session expires: ${where}`);
  }
  if (never.count > 0) {
    const why = never.connected ? 'their registration kept failing; see zk_sync_failed' : 'ZooKeeper was not connected';
    parts.push(`${never.count} ${never.count === 1 ? 'service was' : 'services were'} never registered (${why}): nothing of theirs to remove`);
  }
  return parts.join('; ');
}
