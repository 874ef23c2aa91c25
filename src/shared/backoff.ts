// How long to wait before building a new ZooKeeper client after a session is lost.
// A session that lived a while is replaced at once (its nodes must come back); one
// that fails as soon as it is made (refused credentials, a server that expires it at
// once) would otherwise be rebuilt in a tight loop against the ensemble. Pure.

const FIRST_DELAY_MS = 500;
export const MAX_REBUILD_DELAY_MS = 30_000;

/**
 * Whether a lost session failed at once: it was never established, or it was lost sooner
 * than its own timeout after it was. A session the server still held cannot have timed
 * out that soon; the ensemble refused or closed it.
 */
export function failedAtOnce(establishedForMs: number | null, timeoutMs: number): boolean {
  return establishedForMs === null || establishedForMs < timeoutMs;
}

/** `fastFailures`: sessions in a row that failed at once (0 after one that lived); `random` in [0, 1). */
export function rebuildDelayMs(fastFailures: number, random: number): number {
  if (fastFailures <= 0) return 0;
  const ceiling = Math.min(MAX_REBUILD_DELAY_MS, FIRST_DELAY_MS * 2 ** (fastFailures - 1));
  // Jittered into [ceiling/2, ceiling): hosts refused together do not retry together.
  return Math.round(ceiling * (0.5 + random / 2));
}
