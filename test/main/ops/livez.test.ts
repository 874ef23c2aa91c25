// GET /livez, what the image's HEALTHCHECK asks: 200 while the check engine runs, 503 with
// the reason when it is stuck, judged as systemd's watchdog judges it (engineStall). The
// engine's facts come from a stand-in daemon: a real stall takes a wedged worker thread.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import type { EngineFacts } from '../../../src/shared/engine-liveness.js';
import type { DaemonView } from '../../../src/main/lifecycle/daemon-view.js';
import { StatusServer } from '../../../src/main/ops/status-server.js';

/** A daemon view whose engine() says `facts`; everything else does nothing (the metrics subscribe at construction). */
function daemonSaying(facts: () => EngineFacts): DaemonView {
  return new Proxy({} as DaemonView, {
    get: (_target, key) => (key === 'engine' ? facts : key === 'then' ? undefined : () => undefined),
  });
}

async function livez(facts: () => EngineFacts, method = 'GET'): Promise<{ code: number; body: string }> {
  const server = new StatusServer({ port: 0, address: '127.0.0.1', daemon: daemonSaying(facts), version: 'test', secret: null, logger: pino({ level: 'silent' }), durationHistogram: 'off' });
  const { port } = await server.listen();
  try {
    const res = await fetch(`http://127.0.0.1:${port}/livez`, { method });
    return { code: res.status, body: await res.text() };
  } finally {
    server.close();
  }
}

const alive = (): EngineFacts => {
  const now = performance.now();
  return { now, lastSweepAt: now - 500, overdueMs: 0, queued: 0, freeSlots: 4, lastStartAt: now - 900 };
};

test('/livez answers 200 while the check engine runs', async () => {
  assert.deepEqual(await livez(alive), { code: 200, body: 'ok: the check engine runs\n' });
  assert.deepEqual(await livez(alive, 'HEAD'), { code: 200, body: '' });
});

test('/livez answers 503 with the reason once the check engine is stuck', async () => {
  const cases: Array<[string, (f: EngineFacts) => EngineFacts, RegExp]> = [
    ['the sweep stopped', (f) => ({ ...f, lastSweepAt: f.now - 15_000 }), /hung-worker sweep has not run for 15 s/],
    ['a check past its deadline kept its worker', (f) => ({ ...f, overdueMs: 12_000 }), /past its deadline/],
    ['checks wait while slots are free', (f) => ({ ...f, queued: 3, lastStartAt: f.now - 20_000 }), /3 checks have waited 20 s while 4 slots are free/],
  ];
  for (const [what, stuck, reason] of cases) {
    const r = await livez(() => stuck(alive()));
    assert.equal(r.code, 503, what);
    assert.match(r.body, /^stuck: /, what);
    assert.match(r.body, reason, what);
  }
});
