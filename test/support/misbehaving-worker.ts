// A check worker for pool tests that misbehaves on request: `cmd: hang` spins its
// thread forever, `cmd: die` ends its thread; anything else passes at once.

import { threadId, type MessagePort } from 'node:worker_threads';
import type { CheckJob, CheckResult } from '../../src/shared/types.js';
import { serveLane } from '../../src/workers/lane.js';

function misbehave(job: CheckJob): CheckResult {
  if (job.cmd === 'hang') for (;;);
  if (job.cmd === 'die') process.exit(3);
  return { service: job.service, passed: true, reason: `thread ${threadId}`, exitCode: 0, signal: null, timedOut: false, durationMs: 0, outputTail: '' };
}

export default function lane({ port }: { port: MessagePort }): Promise<void> {
  return serveLane(port, misbehave);
}
