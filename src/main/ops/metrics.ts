// The agent's Prometheus metrics. Counters follow events as they happen; gauges are read
// from the daemon at scrape time, so a scrape always shows the present and nothing is kept
// twice. The agent-wide ones live in a private prom-client registry. The per-service ones
// (five families, ~6 series a service) are written here, a slice of services at a time
// with the event loop let go between slices: built by prom-client in one go, 10,000
// services held the main thread ~180 ms each scrape, the session's heartbeats with it.

import { loadPromClient } from '../cjs-packages.js';
import type { DurationHistogram } from '../../shared/args.js';
import type { ServiceFacts } from '../../shared/status.js';
import { familyHeader, sampleLine, summaryLines, type MetricType } from '../../shared/prom-text.js';
import type { DaemonView } from '../lifecycle/daemon-view.js';
import { registerDefaultMetrics } from './default-metrics.js';
import { loopDelayWindow } from './loop-delay.js';

const { Counter, Gauge, Histogram, Registry } = loadPromClient();

const SESSION_STATES = ['connecting', 'connected', 'disconnected', 'closed'] as const;
/** Check durations run from a fork-free tcp check (sub-ms) to a timed-out command (tens of seconds). */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Services written per slice of a scrape: a few ms of the main thread each. */
const SERVICES_PER_SLICE = 500;
const LOOP_DELAY = 'zkwatcher_event_loop_delay_seconds';
/** The summary's quantiles: '1' is the window's maximum, the one figure a stalled heartbeat shows in. */
const LOOP_DELAY_QUANTILES = [['0.5', 'p50'], ['0.99', 'p99'], ['1', 'max']] as const;

interface PerServiceFamily {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  /** The family's lines for one service ('' for none). */
  lines(f: ServiceFacts): string;
}

const letTheLoopTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class AgentMetrics {
  readonly registry = new Registry();
  /** A minute or two of the main thread's timers: a scrape sees the same recent past whoever scraped before it. */
  private readonly loopDelay = loopDelayWindow(60_000);

  /** Checks completed by service: [passed, failed]. */
  private readonly checkCounts = new Map<string, [number, number]>();
  private readonly perService: readonly PerServiceFamily[];

  /** `durationHistogram`: per service, 17 series each (13 MB a scrape at 10,000 services), one for the agent, or none. */
  constructor(private readonly daemon: DaemonView, durationHistogram: DurationHistogram, version: string) {
    const r = [this.registry];
    registerDefaultMetrics(this.registry);
    // The usual info metric: `* on(instance) group_left(version) zkwatcher_build_info` labels any series with the version.
    new Gauge({ name: 'zkwatcher_build_info', help: 'Always 1: the agent version and the Node.js version it runs on, as labels.', labelNames: ['version', 'node'], registers: r }).set({ version, node: process.version }, 1);
    const observe = durationObserver(durationHistogram, r);
    daemon.on('result', (service, result) => {
      const counts = this.checkCounts.get(service) ?? [0, 0];
      counts[result.passed ? 0 : 1]++;
      this.checkCounts.set(service, counts);
      observe(service, result.durationMs / 1000);
    });
    const expirations = new Counter({ name: 'zkwatcher_session_expirations_total', help: 'ZooKeeper sessions lost (expired, or silent past their timeout).', registers: r });
    const reconnects = new Counter({ name: 'zkwatcher_reconnects_total', help: 'Connections to ZooKeeper after the first (within the session or with a new one).', registers: r });
    let connections = 0;
    daemon.on('sessionConnected', () => {
      if (connections++ > 0) reconnects.inc();
    });
    daemon.on('sessionLost', () => expirations.inc());
    const syncFailures = new Counter({ name: 'zkwatcher_zk_sync_failures_total', help: 'ZooKeeper reads and writes for a registration that failed (each a zk_sync_failed log line; each is retried).', registers: r });
    daemon.on('syncFailed', () => syncFailures.inc());

    const gauge = (name: string, help: string, value: (f: ServiceFacts) => number): PerServiceFamily => ({
      name,
      type: 'gauge',
      help,
      lines: (f) => sampleLine(name, [['service', f.name]], value(f)),
    });
    this.perService = [
      {
        name: 'zkwatcher_checks_total',
        type: 'counter',
        help: 'Checks completed, by service and result.',
        lines: (f) => {
          const [passed, failed] = this.checkCounts.get(f.name) ?? [0, 0];
          const service = ['service', f.name] as const;
          return (passed > 0 ? sampleLine('zkwatcher_checks_total', [service, ['result', 'pass']], passed) : '') + (failed > 0 ? sampleLine('zkwatcher_checks_total', [service, ['result', 'fail']], failed) : '');
        },
      },
      gauge('zkwatcher_service_healthy', 'Service health: 1 healthy, 0 unhealthy, -1 not known yet (no result).', (f) => (f.healthy === null ? -1 : f.healthy ? 1 : 0)),
      gauge(
        'zkwatcher_service_registered',
        "1 when ZooKeeper confirmed the service's node under the current, connected session; 0 when it has no node; -1 unconfirmed (contact lost: the node may or may not be there).",
        (f) => (f.registration === 'registered' ? 1 : f.registration === 'absent' ? 0 : -1),
      ),
      gauge('zkwatcher_maintenance', "1 when the service is in maintenance (its own flag file or the host's).", (f) => (f.maintenance ? 1 : 0)),
      {
        name: 'zkwatcher_last_check_timestamp_seconds',
        type: 'gauge',
        help: "When the service's last check ended, seconds since the epoch (no line before its first result).",
        lines: (f) => (f.lastResult === null ? '' : sampleLine('zkwatcher_last_check_timestamp_seconds', [['service', f.name]], f.lastResult.at / 1000)),
      },
    ];
    const scalar = (name: string, help: string, value: () => number): void => {
      new Gauge({ name, help, registers: r, collect() { this.set(value()); } });
    };
    scalar('zkwatcher_host_maintenance', '1 when the whole host is in maintenance (the file all exists).', () => (daemon.hostMaintenance() ? 1 : 0));
    scalar('zkwatcher_check_queue_depth', 'Checks due and waiting for a free slot.', () => daemon.checks().queued);
    scalar('zkwatcher_checks_running', 'Checks running now.', () => daemon.checks().running);
    // Named and meant as Prometheus' own prometheus_config_last_reload_*, so the same alerts read both.
    scalar('zkwatcher_config_last_reload_successful', '1 when the last reload (SIGHUP) applied its config, 0 when it was rejected (the running config stays); 1 before any reload.', () => (daemon.reload().lastSuccessful ? 1 : 0));
    scalar('zkwatcher_config_last_reload_success_timestamp_seconds', 'When a config was last applied (at start or by a reload), seconds since the epoch.', () => daemon.reload().lastSuccessAt / 1000);
    // Only with a client certificate, which is there from start to exit (a SIGHUP renews it, never removes it).
    if ((daemon.zkTlsClientCertValidTo?.() ?? null) !== null) {
      scalar('zkwatcher_zk_tls_client_cert_expiry_timestamp_seconds', 'When our client certificate for TLS to ZooKeeper (--zk-tls-cert) stops being valid, seconds since the epoch; a SIGHUP that renews it moves it.', () => (daemon.zkTlsClientCertValidTo?.() ?? 0) / 1000);
    }
    new Gauge({
      name: 'zkwatcher_session_state',
      help: 'The ZooKeeper session: 1 for the current state, 0 for the others.',
      labelNames: ['state'],
      registers: r,
      collect() {
        for (const state of SESSION_STATES) this.set({ state }, daemon.session().state === state ? 1 : 0);
      },
    });
  }

  /**
   * A summary, written here: prom-client's Summary computes its own quantiles from what it is
   * fed, and these come from the window every reader shares (loop-delay.ts). The quantiles
   * cover the last one to two minutes (NaN when no timer fired); _sum and _count every timer
   * since start, so rate(_sum) / rate(_count) is the mean lateness over any range.
   */
  private loopDelaySummary(): string {
    const figures = this.loopDelay.read();
    const totals = this.loopDelay.totals();
    const quantiles = LOOP_DELAY_QUANTILES.map(([label, key]) => [label, figures.count === 0 ? NaN : figures[key] / 1e9] as const);
    const help = "How late the main thread's own timers fired: its event-loop delay (the session's heartbeats share that loop). Quantiles over the last one to two minutes, 1 = the maximum.";
    return familyHeader(LOOP_DELAY, 'summary', help) + summaryLines(LOOP_DELAY, quantiles, totals.sumNs / 1e9, totals.count);
  }

  /**
   * The exposition, in pieces for the response to send as they come: prom-client's families,
   * then the per-service ones a slice of services at a time, the event loop let go between
   * slices. Each piece dies young: one 2 MB body at 10,000 services was old-generation
   * garbage, and its collection paused the main thread 100-200 ms.
   */
  async *exposition(): AsyncGenerator<string> {
    yield (await this.registry.metrics()) + this.loopDelaySummary();
    const services = this.daemon.services();
    // A service a reload removed stops being counted; one added again starts from 0 (a counter reset, as Prometheus expects).
    const names = new Set(services.map((f) => f.name));
    for (const name of this.checkCounts.keys()) if (!names.has(name)) this.checkCounts.delete(name);
    for (const family of this.perService) {
      yield familyHeader(family.name, family.type, family.help);
      for (let i = 0; i < services.length; i += SERVICES_PER_SLICE) {
        if (i > 0) await letTheLoopTurn();
        const lines: string[] = [];
        for (let j = i; j < Math.min(services.length, i + SERVICES_PER_SLICE); j++) lines.push(family.lines(services[j]!));
        yield lines.join('');
      }
    }
  }

  /** The whole exposition as one string (tests, small agents). */
  async text(): Promise<string> {
    const parts: string[] = [];
    for await (const piece of this.exposition()) parts.push(piece);
    return parts.join('');
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  stop(): void {
    this.loopDelay.release();
  }
}

type Registries = InstanceType<typeof Registry>[];

/** How a check's duration is recorded, as --duration-histogram says. */
function durationObserver(mode: DurationHistogram, registers: Registries): (service: string, seconds: number) => void {
  if (mode === 'off') return () => undefined;
  const name = 'zkwatcher_check_duration_seconds';
  if (mode === 'agent') {
    const all = new Histogram({ name, help: 'How long checks took, all services together (--duration-histogram service: by service).', buckets: DURATION_BUCKETS, registers });
    return (_service, seconds) => all.observe(seconds);
  }
  const byService = new Histogram({ name, help: 'How long checks took, by service.', labelNames: ['service'], buckets: DURATION_BUCKETS, registers });
  return (service, seconds) => byService.observe({ service }, seconds);
}
