// "Must not happen during the next N seconds", for a fault that has to last N seconds
// whatever is seen: unlike holdsFor, sampling goes on to the end after a violation, and
// the first violating sample is returned for the assertion to show.

export interface Sampled<T> {
  readonly samples: number;
  /** the first value for which `ok` was false, with when it was seen (ms after the start) */
  readonly firstViolation: { readonly atMs: number; readonly value: T } | undefined;
  readonly last: T | undefined;
}

export async function sampleFor<T>(durationMs: number, intervalMs: number, probe: () => Promise<T>, ok: (v: T) => boolean): Promise<Sampled<T>> {
  const start = Date.now();
  let samples = 0;
  let firstViolation: Sampled<T>['firstViolation'];
  let last: T | undefined;
  while (Date.now() - start < durationMs) {
    const value = await probe();
    samples++;
    last = value;
    if (!firstViolation && !ok(value)) firstViolation = { atMs: Date.now() - start, value };
    await new Promise((r) => setTimeout(r, Math.max(0, Math.min(intervalMs, durationMs - (Date.now() - start)))));
  }
  return { samples, firstViolation, last };
}
