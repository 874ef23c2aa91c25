import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import type { DaemonEvents, DaemonView, ReloadFacts } from '../../../src/main/lifecycle/daemon-view.js';
import { timerFired } from '../../../src/main/ops/loop-delay.js';
import { AgentMetrics } from '../../../src/main/ops/metrics.js';
import type { ServiceFacts } from '../../../src/shared/status.js';
import type { CheckResult } from '../../../src/shared/types.js';

interface FakeDaemon {
  view: DaemonView;
  emit: (service: string, passed: boolean) => void;
  events: EventEmitter;
  names: string[];
  reload: { facts: ReloadFacts };
}

function fakeDaemon(count: number): FakeDaemon {
  const events = new EventEmitter();
  const reload = { facts: { lastSuccessful: true, lastSuccessAt: 1_700_000_000_000 } as ReloadFacts };
  const names = Array.from({ length: count }, (_, i) => (i === 7 ? 'quote"d\\name' : `s${i}`));
  const services: ServiceFacts[] = names.map((name, i) => ({
    name,
    path: `/p/h:${i}`,
    healthy: i % 3 === 0 ? null : i % 3 === 1,
    registration: i % 3 === 1 ? 'registered' : 'absent',
    maintenance: i === 5,
    healthSince: 0,
    // s4 has a result: its last check ended at a known moment.
    lastResult: i === 4 ? { passed: true, reason: 'exit 0', durationMs: 3, at: 1_700_000_123_456, outputTail: '' } : null,
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
    reload: () => reload.facts,
    on: <E extends keyof DaemonEvents>(event: E, listener: (...args: DaemonEvents[E]) => void) => void events.on(event, listener as (...args: unknown[]) => void),
  };
  const result = (passed: boolean): CheckResult => ({ service: '', passed, reason: '', exitCode: passed ? 0 : 1, signal: null, timedOut: false, durationMs: 1, outputTail: '' });
  return { view, names, events, reload, emit: (service, passed) => events.emit('result', service, { ...result(passed), service }) };
}

test('/metrics at 2,000 services: every per-service family once, each service in it once, written in slices that let the event loop turn', async () => {
  const { view, emit, names } = fakeDaemon(2000);
  const metrics = new AgentMetrics(view, 'off', '1.2.3');
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

/** The value of one sample line, or undefined when there is none. */
const valueOf = (text: string, series: string): string | undefined => text.split('\n').find((l) => l.startsWith(series + ' '))?.split(' ')[1];

test('/metrics: build info, last check time per service, reload outcome, ZooKeeper sync failures', async () => {
  const fake = fakeDaemon(6);
  const metrics = new AgentMetrics(fake.view, 'off', '1.2.3');
  try {
    let text = await metrics.text();
    assert.equal(valueOf(text, `zkwatcher_build_info{version="1.2.3",node="${process.version}"}`), '1');
    assert.match(text, /^# TYPE zkwatcher_last_check_timestamp_seconds gauge$/m);
    assert.equal(valueOf(text, 'zkwatcher_last_check_timestamp_seconds{service="s4"}'), '1700000123.456');
    assert.equal(text.split('\n').filter((l) => l.startsWith('zkwatcher_last_check_timestamp_seconds{')).length, 1, 'no line for a service without a result');
    assert.equal(valueOf(text, 'zkwatcher_config_last_reload_successful'), '1');
    assert.equal(valueOf(text, 'zkwatcher_config_last_reload_success_timestamp_seconds'), '1700000000');
    assert.equal(valueOf(text, 'zkwatcher_zk_sync_failures_total'), '0');

    fake.reload.facts = { lastSuccessful: false, lastSuccessAt: 1_700_000_000_000 };
    fake.events.emit('syncFailed');
    fake.events.emit('syncFailed');
    text = await metrics.text();
    assert.equal(valueOf(text, 'zkwatcher_config_last_reload_successful'), '0');
    assert.equal(valueOf(text, 'zkwatcher_config_last_reload_success_timestamp_seconds'), '1700000000', 'a failed reload keeps the time of the last success');
    assert.equal(valueOf(text, 'zkwatcher_zk_sync_failures_total'), '2');
  } finally {
    metrics.stop();
  }
});

test('/metrics: event-loop delay is a summary (quantiles of the window, _sum and _count since start); no gauge is named like a counter, and no sampler of prom-client runs', async () => {
  const fake = fakeDaemon(1);
  const metrics = new AgentMetrics(fake.view, 'off', '1.2.3');
  try {
    const lines = (await metrics.text()).split('\n');
    const typeOf = new Map(lines.filter((l) => l.startsWith('# TYPE ')).map((l) => [l.split(' ')[2]!, l.split(' ')[3]!]));
    assert.equal(typeOf.get('zkwatcher_event_loop_delay_seconds'), 'summary');
    const gaugesNamedAsCounters = [...typeOf].filter(([name, type]) => type !== 'counter' && name.endsWith('_total')).map(([name]) => name);
    assert.deepEqual(gaugesNamedAsCounters, []);
    assert.ok(typeOf.has('nodejs_active_handles') && typeOf.has('process_cpu_seconds_total'), "Node's other default metrics are there");
    assert.deepEqual([...typeOf.keys()].filter((n) => n.startsWith('nodejs_eventloop_lag')), [], "prom-client's event-loop lag (a 100 Hz sampler) is not");

    const before = Number(valueOf(lines.join('\n'), 'zkwatcher_event_loop_delay_seconds_count'));
    const now = performance.now();
    timerFired(now - 40, now); // a timer 40 ms late
    timerFired(now - 2, now);
    const text = await metrics.text();
    assert.equal(Number(valueOf(text, 'zkwatcher_event_loop_delay_seconds_count')), before + 2);
    const max = Number(valueOf(text, 'zkwatcher_event_loop_delay_seconds{quantile="1"}'));
    assert.ok(Math.abs(max - 0.04) < 0.001, `max ${max} s`);
    assert.ok(Number(valueOf(text, 'zkwatcher_event_loop_delay_seconds_sum')) >= 0.042 - 0.001);
    for (const q of ['0.5', '0.99']) assert.ok(Number(valueOf(text, `zkwatcher_event_loop_delay_seconds{quantile="${q}"}`)) > 0, q);
  } finally {
    metrics.stop();
  }
});

test('/metrics: the client certificate expiry (--zk-tls-cert) as seconds since the epoch, following a renewal; no series without a client certificate', async () => {
  const EXPIRY = 'zkwatcher_zk_tls_client_cert_expiry_timestamp_seconds';
  const plain = fakeDaemon(1);
  const without = new AgentMetrics({ ...plain.view, zkTlsClientCertValidTo: () => null }, 'off', '1.2.3');
  try {
    assert.ok(!(await without.text()).includes(EXPIRY), 'no family without a client certificate');
  } finally {
    without.stop();
  }
  let validTo = 1_800_000_000_000;
  const metrics = new AgentMetrics({ ...fakeDaemon(1).view, zkTlsClientCertValidTo: () => validTo }, 'off', '1.2.3');
  try {
    let text = await metrics.text();
    assert.match(text, new RegExp(`^# TYPE ${EXPIRY} gauge$`, 'm'));
    assert.match(text, new RegExp(`^# HELP ${EXPIRY} .*client certificate`, 'm'));
    assert.equal(valueOf(text, EXPIRY), '1800000000');
    validTo = 1_900_000_000_500;
    text = await metrics.text();
    assert.equal(valueOf(text, EXPIRY), '1900000000.5', 'a renewal (SIGHUP) moves it');
  } finally {
    metrics.stop();
  }
});
