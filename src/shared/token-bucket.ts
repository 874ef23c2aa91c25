// A token bucket: at most `burst` at once, refilled at `ratePerSecond`. Pure: the
// caller passes the clock and keeps the state.

export interface TokenBucket {
  readonly tokens: number;
  /** When `tokens` was last computed (ms). */
  readonly at: number;
}

export interface BucketLimits {
  readonly ratePerSecond: number;
  readonly burst: number;
}

export function fullBucket(limits: BucketLimits, now: number): TokenBucket {
  return { tokens: limits.burst, at: now };
}

/** Take one token: the new state, and how long to wait before acting (0 when a token was there). */
export function takeToken(bucket: TokenBucket, now: number, limits: BucketLimits): { bucket: TokenBucket; waitMs: number } {
  const refilled = Math.min(limits.burst, bucket.tokens + ((now - bucket.at) / 1000) * limits.ratePerSecond);
  const tokens = refilled - 1;
  // A negative balance is a debt: this caller waits until it is paid back.
  const waitMs = tokens >= 0 ? 0 : (-tokens / limits.ratePerSecond) * 1000;
  return { bucket: { tokens, at: now }, waitMs };
}
