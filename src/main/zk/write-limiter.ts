// Caps the rate of this agent's ZooKeeper writes, so a fleet re-registering after a
// ZooKeeper restart does not stampede the ensemble. Waiters are served in order, and can
// all be called off at once (stop: nothing that waits here is wanted any more).

import { fullBucket, takeToken, type BucketLimits, type TokenBucket } from '../../shared/token-bucket.js';
import { WriteCancelledError } from './zk-errors.js';

export class WriteLimiter {
  private bucket: TokenBucket;
  private readonly waiting = new Set<{ timer: NodeJS.Timeout; cancel: () => void }>();

  constructor(private readonly limits: BucketLimits) {
    this.bucket = fullBucket(limits, performance.now());
  }

  /** Resolves when this write may go out; rejects with WriteCancelledError if cancelAll() comes first. */
  take(what: string): Promise<void> {
    const { bucket, waitMs } = takeToken(this.bucket, performance.now(), this.limits);
    this.bucket = bucket;
    if (waitMs === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        timer: setTimeout(() => {
          this.waiting.delete(waiter);
          resolve();
        }, waitMs),
        cancel: () => reject(new WriteCancelledError(what)),
      };
      this.waiting.add(waiter);
    });
  }

  /** Every write still waiting for its turn is called off. */
  cancelAll(): void {
    for (const w of this.waiting) {
      clearTimeout(w.timer);
      w.cancel();
    }
    this.waiting.clear();
  }
}
