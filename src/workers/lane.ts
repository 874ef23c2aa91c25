// The worker side of a lane: one long-lived piscina task per worker thread that
// takes batches of jobs from a MessagePort and streams results back in batches.
// One message per batch, not per check: at hundreds of checks a second the
// per-message cost (structured clone, waking a thread) is most of what a check costs.

import type { MessagePort } from 'node:worker_threads';
import type { CheckJob, CheckResult } from '../shared/types.js';

export type JobBatch = readonly (readonly [number, CheckJob])[];
export type ResultBatch = readonly (readonly [number, CheckResult])[];

/**
 * Results go back at most once per this many ms: at hundreds of checks a second, a message
 * per result woke the main thread for nearly every check. A result waits this long at most.
 */
const RESULT_GAP_MS = 10;

export function serveLane(port: MessagePort, runCheck: (job: CheckJob) => Promise<CheckResult> | CheckResult): Promise<void> {
  let outbox: [number, CheckResult][] = [];
  let flushScheduled: { readonly cancel: () => void } | undefined;
  let lastFlushAt = -Infinity;
  const flush = (): void => {
    flushScheduled = undefined;
    lastFlushAt = performance.now();
    const batch = outbox;
    outbox = [];
    port.postMessage(batch);
  };
  const deliver = (id: number, result: CheckResult): void => {
    outbox.push([id, result]);
    if (flushScheduled !== undefined) return;
    const wait = lastFlushAt + RESULT_GAP_MS - performance.now();
    if (wait > 0) {
      const timer = setTimeout(flush, wait);
      flushScheduled = { cancel: () => clearTimeout(timer) };
    } else {
      // After this turn's I/O: the results of every report read in it go as one message.
      const immediate = setImmediate(flush);
      flushScheduled = { cancel: () => clearImmediate(immediate) };
    }
  };
  return new Promise((resolve) => {
    // The main thread times its checks from here: booting this thread is not a check's time.
    port.postMessage('ready');
    port.on('message', (batch: JobBatch) => {
      for (const [id, job] of batch) {
        // runCheck reports failures as results; anything thrown is a bug, still answered.
        void Promise.resolve()
          .then(() => runCheck(job))
          .catch((e: unknown) => crashed(job, e))
          .then((result) => deliver(id, result));
      }
    });
    port.on('close', () => {
      flushScheduled?.cancel();
      resolve();
    });
  });
}

function crashed(job: CheckJob, e: unknown): CheckResult {
  const reason = `the check crashed: ${e instanceof Error ? e.message : String(e)}`;
  return { service: job.service, passed: false, reason, exitCode: null, signal: null, timedOut: false, durationMs: 0, outputTail: '' };
}
