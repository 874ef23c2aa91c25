// Composition and lifecycle: config -> scheduler -> pool -> health -> registrar -> session.

import type { Logger } from 'pino';
import { nextHealth, UNKNOWN_HEALTH, type Health } from '../shared/health.js';
import type { ServiceView } from '../shared/sd-notify.js';
import type { CheckResult, Config, ServiceSpec } from '../shared/types.js';
import { encodePayload, znodePath } from '../shared/znode.js';
import { EngineStats } from './engine-stats.js';
import { CheckPool } from './pool.js';
import { Registrar } from './registrar.js';
import { Scheduler } from './scheduler.js';
import { ZkSession } from './session.js';

export interface DaemonOptions {
  readonly config: Config;
  readonly servers: string;
  readonly sessionTimeoutMs: number;
  readonly maxConcurrentChecks: number;
  readonly maxWritesPerSecond: number;
  /** What a section without service_hostname registers as. */
  readonly hostname: string;
  readonly logger: Logger;
  readonly checkEnv: Readonly<Record<string, string>>;
  /** Seconds between `engine_stats` log lines; 0: none. */
  readonly statsIntervalS: number;
}

export type DaemonState = 'created' | 'running' | 'stopping' | 'stopped';

interface ServiceRuntime {
  readonly spec: ServiceSpec;
  readonly path: string;
  readonly log: Logger;
  health: Health;
  /** The node's bytes, built once per registration data (its `created` is when we first registered it). */
  payload: Buffer | null;
  lastResult: CheckResult | null;
}

/** How long SIGTERM waits for ZooKeeper to confirm our deletes before closing the session anyway. */
const STOP_DELETE_TIMEOUT_MS = 4000;
const STOP_CLOSE_TIMEOUT_MS = 1000;

export class Daemon {
  state: DaemonState = 'created';
  readonly session: ZkSession;
  readonly registrar: Registrar;
  readonly pool: CheckPool;
  readonly stats: EngineStats;
  private readonly scheduler: Scheduler;
  private readonly services = new Map<string, ServiceRuntime>();
  private readonly log: Logger;
  private config: Config;

  constructor(private readonly options: DaemonOptions) {
    this.log = options.logger;
    this.config = options.config;
    this.session = new ZkSession({
      connectString: options.servers,
      sessionTimeoutMs: options.sessionTimeoutMs,
      writesPerSecond: options.maxWritesPerSecond,
      auth: options.config.auth === null ? null : { user: options.config.auth.user, password: options.config.auth.password },
      logger: options.logger,
    });
    this.registrar = new Registrar(this.session, options.logger);
    this.stats = new EngineStats(options.logger, () => ({
      queued: this.pool.pending,
      running: this.pool.running,
      registered: this.registrar.registeredCount,
      zkQueue: this.session.queueDepth.awaitingAnswer + this.session.queueDepth.unsent,
      workerFailures: this.pool.workerFailures,
    }));
    this.pool = new CheckPool({ concurrency: options.maxConcurrentChecks, env: options.checkEnv, onStarted: (lagMs) => this.stats.onStarted(lagMs) });
    this.scheduler = new Scheduler(
      (spec, dueAt) => this.pool.run({ service: spec.name, cmd: spec.cmd, http: spec.http, tcp: spec.tcp, timeoutMs: spec.timeout * 1000 }, dueAt),
      (spec, result) => this.onResult(spec, result),
    );
  }

  start(): void {
    this.state = 'running';
    this.log.info({ event: 'starting', services: this.config.services.length, servers: this.options.servers }, `watching ${this.config.services.length} services`);
    if (this.pool.spawner === null) this.log.warn({ event: 'no_spawn_helper' }, "the zkw-spawn helper was not built (no C compiler?): checks run through Node's spawn, which is several times slower");
    this.stats.start(this.options.statsIntervalS);
    this.session.start();
    for (const spec of this.config.services) this.add(spec, UNKNOWN_HEALTH);
  }

  private add(spec: ServiceSpec, health: Health): ServiceRuntime {
    const path = znodePath(spec.zookeeperPath, spec.serviceHostname ?? this.options.hostname, spec.servicePort);
    const runtime: ServiceRuntime = { spec, path, log: this.log.child({ service: spec.name }), health, payload: null, lastResult: null };
    this.services.set(spec.name, runtime);
    this.scheduler.start(spec);
    return runtime;
  }

  private onResult(spec: ServiceSpec, result: CheckResult): void {
    const svc = this.services.get(spec.name);
    if (svc === undefined || svc.spec !== spec || this.state !== 'running') return;
    svc.lastResult = result;
    this.stats.onResult(result.passed);
    const before = svc.health.healthy;
    svc.health = nextHealth(svc.health, result.passed, spec);
    const fields = { event: 'check', passed: result.passed, reason: result.reason, durationMs: result.durationMs };
    if (svc.health.healthy === before) {
      svc.log.debug({ ...fields, output: result.outputTail }, `check ${result.passed ? 'passed' : 'failed'}: ${result.reason}`);
      return;
    }
    const level = svc.health.healthy ? 'info' : 'warn';
    svc.log[level]({ ...fields, healthy: svc.health.healthy, output: result.outputTail }, `service is ${svc.health.healthy ? 'healthy' : 'unhealthy'}: ${result.reason}`);
    this.applyHealth(svc);
  }

  private applyHealth(svc: ServiceRuntime): void {
    if (svc.health.healthy === true) {
      svc.payload ??= Buffer.from(encodePayload(process.pid, new Date(), svc.spec.zookeeperData), 'utf8');
      this.registrar.set(svc.path, { data: svc.payload }, svc.log);
    } else {
      this.registrar.set(svc.path, null, svc.log);
    }
  }

  /** Apply a re-read config: removed services deregister, added ones start, changed ones restart. */
  async reload(next: Config): Promise<void> {
    if (this.state !== 'running') return;
    if (JSON.stringify(next.auth) !== JSON.stringify(this.config.auth)) {
      this.log.warn({ event: 'reload_auth_ignored' }, 'the [auth] section changed; it takes effect at the next restart');
    }
    const wanted = new Map(next.services.map((s) => [s.name, s]));
    const counts = { added: 0, removed: 0, changed: 0, unchanged: 0 };
    for (const [name, svc] of [...this.services]) {
      const spec = wanted.get(name);
      if (spec !== undefined && sameService(spec, svc.spec)) {
        counts.unchanged++;
        continue;
      }
      await this.scheduler.stop(name);
      this.services.delete(name);
      if (spec === undefined) {
        counts.removed++;
        this.registrar.set(svc.path, null, svc.log);
        continue;
      }
      counts.changed++;
      // Keep what we know of its health, so a healthy service stays registered across the change.
      const runtime = this.add(spec, svc.health);
      if (runtime.path === svc.path && JSON.stringify(spec.zookeeperData) === JSON.stringify(svc.spec.zookeeperData)) runtime.payload = svc.payload;
      if (runtime.health.healthy !== null) this.applyHealth(runtime);
      if (runtime.path !== svc.path) this.registrar.set(svc.path, null, svc.log);
    }
    for (const spec of next.services) {
      if (this.services.has(spec.name)) continue;
      counts.added++;
      this.add(spec, UNKNOWN_HEALTH);
    }
    this.config = { services: next.services, auth: this.config.auth };
    this.log.info({ event: 'reloaded', ...counts }, 'config reloaded');
  }

  /** SIGTERM: stop the checks, delete every node we registered, close the session. */
  async stop(): Promise<{ remaining: number }> {
    if (this.state === 'stopping' || this.state === 'stopped') return { remaining: 0 };
    this.state = 'stopping';
    this.log.info({ event: 'stopping', registered: this.registrar.registeredCount }, 'stopping: removing our registrations');
    const chains = this.scheduler.stopAll();
    // Ending the pool kills the running checks (each helper kills its groups), so the chains end now.
    const pool = this.pool.close();
    const remaining = await this.registrar.removeAll(STOP_DELETE_TIMEOUT_MS);
    await this.session.close(STOP_CLOSE_TIMEOUT_MS);
    await Promise.all([chains, pool]);
    this.stats.stop();
    this.state = 'stopped';
    this.log.info({ event: 'stopped', remaining }, remaining === 0 ? 'stopped; every registration removed' : `stopped; ${remaining} registrations are left to the session's expiry`);
    return { remaining };
  }

  /** What systemd's READY=1 and STATUS= are computed from. */
  serviceViews(): ServiceView[] {
    return [...this.services.values()].map((s) => ({ checked: s.lastResult !== null || s.health.healthy !== null, healthy: s.health.healthy, registered: this.registrar.isRegistered(s.path) }));
  }

  killChecks(): void {
    this.pool.killAllGroups();
  }
}

function sameService(a: ServiceSpec, b: ServiceSpec): boolean {
  return JSON.stringify({ ...a, source: null }) === JSON.stringify({ ...b, source: null });
}
