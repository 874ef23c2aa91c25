// The one line that closes a ZooKeeper outage (a lost connection, or a lost session): how
// long it lasted and what became of our nodes. Pure: the facts in, the line out.

export interface OutageFacts {
  /** From the first lost connection to the connection that ended the outage. */
  readonly durationMs: number;
  /** The session was lost in it (a new one was made), so every node had to be made again. */
  readonly sessionLost: boolean;
  /** Nodes created or taken over since the connection came back. */
  readonly reregistered: number;
  /** Nodes registered now. */
  readonly registered: number;
  /** Nodes wanted and still not registered (each has its zk_sync_failed lines). */
  readonly missing: number;
}

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return s < 3600 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export function outageSummary(f: OutageFacts): string {
  const how = f.sessionLost ? 'the session was lost and a new one made' : 'reconnected within the session';
  const kept = f.registered - f.reregistered;
  const nodes = f.sessionLost || kept === 0 ? `${f.reregistered} ${f.reregistered === 1 ? 'node' : 'nodes'} re-registered` : `${kept} kept, ${f.reregistered} re-registered`;
  const missing = f.missing === 0 ? '' : `; ${f.missing} still not registered (see zk_sync_failed)`;
  return `ZooKeeper outage over after ${formatDuration(f.durationMs)} (${how}): ${nodes}${missing}`;
}
