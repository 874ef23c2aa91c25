import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import type { DaemonEvents, DaemonView } from '../../../src/main/lifecycle/daemon-view.js';
import { AgentMetrics } from '../../../src/main/ops/metrics.js';
import type { ServiceFacts } from '../../../src/shared/status.js';
import type { CheckResult } from '../../../src/shared/types.js';

function fakeDaemon(count: number): { view: DaemonView; emit: (service: string, passed: boolean) => void; names: string[] } {
  const events = new EventEmitter();
  const names = Array.from({ length: count }, (_, i) => (i === 7 ? 'quote"d\\name' : `s${i}`));
  const services: ServiceFacts[] = names.map((name, i) => ({
    name,
    path: `/p/h:${i}`,
    healthy: i % 3 === 0 ? null : i % 3 === 1,
    registration: i % 3 === 1 ? 'registered' : 'absent',
    maintenance: i === 5,
    healthSince: 0,
    lastResult: null,
  }));
  const view: DaemonView = {
    startedAt: 0,
    maintenanceDir: '/nowhere',
    lifecycle: () => 'running',
    session: () => ({ state: 'connected', id: 'ab', negotiatedTimeoutMs: 10_000, unreachableForMs: 0 }),
    services: () => services,
    hostMaintenance: () => false,
    checks: () => ({ queued: 0, running: 0 }),
    engine: () => ({ now: 0, lastSweepAt: 0, overdueMs: 0, queued: 0, freeSlots: 1, lastStartAt: 0 }),
    on: <E extends keyof DaemonEvents>(event: E, listener: (...args: DaemonEvents[E]) => void) => void events.on(event, listener as (...args: unknown[]) => void),
  };
  const result = (passed: boolean): CheckResult => ({ service: '', passed, reason: '', exitCode: passed ? 0 : 1, signal: null, timedOut: false, durationMs: 1, outputTail: '' });
  return { view, names, emit: (service, passed) => events.emit('result', service, { ...result(passed), service }) };
}

test('/metrics at 2,000 services: every per-service family once, each service in it once, written in slices that let the event loop turn', async () => {
  const { view, emit, names } = fakeDaemon(2000);
  const metrics = new AgentMetrics(view, 'off');
  try {
    emit('s1', true);
    emit('s1', true);
    emit('s2', false);
    emit('gone', true); // a service no longer configured
    let turns = 0;
    let counting = true;
    const count = (): void => {
      turns++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const before = turns;
    const text = await metrics.text();
    counting = false;
    assert.ok(turns - before >= 3, `the event loop turned ${turns - before} times while 2,000 services were written`);
    const lines = text.split('\n');
    for (const family of ['zkwatcher_service_healthy', 'zkwatcher_service_registered', 'zkwatcher_maintenance']) {
      assert.equal(lines.filter((l) => l === `# TYPE ${family} gauge`).length, 1, `${family} declared once`);
      const samples = lines.filter((l) => l.startsWith(`${family}{`));
      assert.equal(samples.length, names.length, `${family}: one line per service`);
      // The samples of a family follow its TYPE line without a break.
      const at = lines.indexOf(`# TYPE ${family} gauge`);
      assert.deepEqual(lines.slice(at + 1, at + 1 + names.length), samples);
    }
    const value = (series: string) => lines.find((l) => l.startsWith(series + ' '))?.split(' ')[1];
    assert.equal(value('zkwatcher_service_healthy{service="s0"}'), '-1');
    assert.equal(value('zkwatcher_service_healthy{service="s1"}'), '1');
    assert.equal(value('zkwatcher_service_healthy{service="s2"}'), '0');
    assert.equal(value('zkwatcher_service_registered{service="s1"}'), '1');
    assert.equal(value('zkwatcher_maintenance{service="s5"}'), '1');
    assert.equal(value('zkwatcher_service_healthy{service="quote\\"d\\\\name"}'), '1', 'a section name with a quote and a backslash, escaped');
    assert.equal(lines.filter((l) => l === '# TYPE zkwatcher_checks_total counter').length, 1);
    assert.equal(value('zkwatcher_checks_total{service="s1",result="pass"}'), '2');
    assert.equal(value('zkwatcher_checks_total{service="s2",result="fail"}'), '1');
    assert.equal(value('zkwatcher_checks_total{service="s1",result="fail"}'), undefined, 's1 never failed');
    assert.ok(!text.includes('service="gone"'), 'a service no longer configured is not shown');
    assert.match(text, /^zkwatcher_session_state\{state="connected"\} 1$/m, "prom-client's families are there too");
  } finally {
    metrics.stop();
  }
});
