import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fullBucket, takeToken } from '../../src/shared/token-bucket.js';

const limits = { ratePerSecond: 10, burst: 3 };

test('a full bucket lets `burst` writes through at once, then spaces them at the rate', () => {
  let b = fullBucket(limits, 0);
  const waits: number[] = [];
  for (let i = 0; i < 6; i++) {
    const r = takeToken(b, 0, limits);
    b = r.bucket;
    waits.push(Math.round(r.waitMs));
  }
  assert.deepEqual(waits, [0, 0, 0, 100, 200, 300]);
});

test('the bucket refills with time, never beyond the burst', () => {
  let b = fullBucket(limits, 0);
  for (let i = 0; i < 3; i++) b = takeToken(b, 0, limits).bucket;
  assert.equal(takeToken(b, 100, limits).waitMs, 0, 'one token back after 100 ms');
  const rested = takeToken(b, 60_000, limits);
  assert.equal(rested.waitMs, 0);
  assert.equal(rested.bucket.tokens, 2, 'capped at the burst, less the one taken');
});
