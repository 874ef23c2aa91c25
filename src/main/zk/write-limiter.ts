// Caps the rate of this agent's ZooKeeper writes, so a fleet re-registering after a
// ZooKeeper restart does not stampede the ensemble. Waiters are served in order.

import { fullBucket, takeToken, type BucketLimits, type TokenBucket } from '../../shared/token-bucket.js';

export class WriteLimiter {
  private bucket: TokenBucket;

  constructor(private readonly limits: BucketLimits) {
    this.bucket = fullBucket(limits, performance.now());
  }

  /** Resolves when this write may go out. */
  take(): Promise<void> {
    const { bucket, waitMs } = takeToken(this.bucket, performance.now(), this.limits);
    this.bucket = bucket;
    return waitMs === 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}
