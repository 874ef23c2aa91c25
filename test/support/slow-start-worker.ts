// A check worker that takes 6 s to start (as a thread may on a host under heavy load),
// then passes every check at once.

import type { MessagePort } from 'node:worker_threads';
import type { CheckJob, CheckResult } from '../../src/shared/types.js';
import { serveLane } from '../../src/workers/lane.js';

export const START_DELAY_MS = 6000;
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, START_DELAY_MS);

function pass(job: CheckJob): CheckResult {
  return { service: job.service, passed: true, reason: 'exit 0', exitCode: 0, signal: null, timedOut: false, durationMs: 0, outputTail: '' };
}

export default function lane({ port }: { port: MessagePort }): Promise<void> {
  return serveLane(port, pass);
}
