// Poll-until helpers for tests: wait for conditions instead of sleeping.
import { inspect } from 'node:util';

export interface WaitOptions {
  /** overall deadline; default 20000 ms */
  timeoutMs?: number;
  /** pause between probes; default 50 ms */
  intervalMs?: number;
  /** what we are waiting for, for the error message */
  what?: string;
}

const show = (v: unknown) => inspect(v, { depth: 4, breakLength: Infinity, maxStringLength: 500, maxArrayLength: 20 });

/**
 * Calls `probe` until `pred(value)` is true and returns that value. A probe that throws
 * counts as "not yet" (its error is remembered). Each probe is raced against the
 * remaining time, so this settles close to the deadline even if a probe hangs. On the
 * deadline it throws an Error naming `what`, the last value and the last probe error.
 */
export async function waitFor<T>(probe: () => Promise<T>, pred: (v: T) => boolean, opts: WaitOptions = {}): Promise<T> {
  const { timeoutMs = 20_000, intervalMs = 50, what = 'condition' } = opts;
  const start = Date.now();
  const deadline = start + timeoutMs;
  let probes = 0;
  let hasValue = false;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    const remaining = deadline - Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      probes++;
      const attempt = probe().then((v) => ({ v }));
      attempt.catch(() => {}); // a probe that fails after the deadline must not become an unhandled rejection
      const outcome = await Promise.race([
        attempt,
        new Promise<'timeout'>((r) => {
          timer = setTimeout(() => r('timeout'), Math.max(remaining, 0) + 50);
        }),
      ]);
      if (outcome === 'timeout') {
        lastError = new Error(`probe still pending at the deadline`);
      } else {
        hasValue = true;
        last = outcome.v;
        lastError = undefined;
        if (pred(outcome.v)) return outcome.v;
      }
    } catch (e) {
      lastError = e;
    } finally {
      clearTimeout(timer);
    }
    if (Date.now() >= deadline) {
      const parts = [`waitFor: timed out after ${Date.now() - start} ms (${probes} probes) waiting for ${what}`];
      parts.push(hasValue ? `last value: ${show(last)}` : 'no probe returned a value');
      if (lastError !== undefined) parts.push(`last probe error: ${lastError instanceof Error ? lastError.message : show(lastError)}`);
      const err = new Error(parts.join('; '));
      if (lastError instanceof Error) (err as Error & { cause?: unknown }).cause = lastError;
      throw err;
    }
    await new Promise((r) => setTimeout(r, Math.min(intervalMs, Math.max(deadline - Date.now(), 0))));
  }
}

/**
 * The opposite check: `pred(probe())` must stay true for `durationMs` (probed every
 * intervalMs, default 100). Throws as soon as it is false (or the probe throws). For
 * "this must NOT happen during the next N seconds" assertions; returns the last value.
 */
export async function holdsFor<T>(
  probe: () => Promise<T>,
  pred: (v: T) => boolean,
  opts: { durationMs: number; intervalMs?: number; what?: string },
): Promise<T> {
  const { durationMs, intervalMs = 100, what = 'condition' } = opts;
  const end = Date.now() + durationMs;
  for (;;) {
    const v = await probe();
    if (!pred(v)) throw new Error(`holdsFor: ${what} stopped holding after ${durationMs - (end - Date.now())} ms; value: ${show(v)}`);
    if (Date.now() >= end) return v;
    await new Promise((r) => setTimeout(r, Math.min(intervalMs, Math.max(end - Date.now(), 0))));
  }
}
