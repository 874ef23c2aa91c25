// Composition and lifecycle: config -> scheduler -> pool -> health -> registrar -> session.

import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { nextHealth, UNKNOWN_HEALTH, type Health } from '../../shared/health.js';
import { inMaintenance, wantRegistered, type MaintenanceState } from '../../shared/maintenance.js';
import type { ServiceFacts } from '../../shared/status.js';
import type { ServiceView } from '../../shared/sd-notify.js';
import type { CheckResult, Config, ServiceSpec } from '../../shared/types.js';
import { blot } from '../../shared/secrets.js';
import { encodePayload, znodePath } from '../../shared/znode.js';
import { EngineStats } from '../checks/engine-stats.js';
import { MaintenanceWatcher } from '../ops/maintenance-watcher.js';
import { CheckPool } from '../checks/pool.js';
import { Registrar } from '../zk/registrar.js';
import { Scheduler } from '../checks/scheduler.js';
import { ZkSession } from '../zk/session.js';

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
  /** DIR/all takes every service out of the registry, DIR/<service> one. */
  readonly maintenanceDir: string;
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
  lastResultAt: number;
  /** When the current health (unknown included) began, epoch ms. */
  healthSince: number;
  maintenance: boolean;
}

export interface DaemonEvents {
  /** Every check result, for the metrics. */
  result: [service: string, result: CheckResult];
}

/** How long SIGTERM waits for ZooKeeper to confirm our deletes before closing the session anyway. */
const STOP_DELETE_TIMEOUT_MS = 4000;
const STOP_CLOSE_TIMEOUT_MS = 1000;
/** How long a moved service's old node waits for the new one before it is removed anyway. */
const REPLACE_TIMEOUT_MS = 10_000;

export class Daemon extends EventEmitter<DaemonEvents> {
  state: DaemonState = 'created';
  readonly session: ZkSession;
  readonly registrar: Registrar;
  readonly pool: CheckPool;
  readonly stats: EngineStats;
  readonly maintenance: MaintenanceWatcher;
  readonly startedAt = Date.now();
  private readonly scheduler: Scheduler;
  private readonly services = new Map<string, ServiceRuntime>();
  private readonly log: Logger;
  private config: Config;

  constructor(private readonly options: DaemonOptions) {
    super();
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
    this.maintenance = new MaintenanceWatcher(options.maintenanceDir, options.logger, (m) => this.onMaintenance(m));
  }

  start(): void {
    this.state = 'running';
    this.log.info({ event: 'starting', services: this.config.services.length, servers: this.options.servers }, `watching ${this.config.services.length} services`);
    if (this.pool.spawner === null) this.log.warn({ event: 'no_spawn_helper' }, "the zkw-spawn helper was not built (no C compiler?): checks run through Node's spawn, which is several times slower");
    this.stats.start(this.options.statsIntervalS);
    this.session.start();
    this.maintenance.start();
    for (const spec of this.config.services) this.add(spec, UNKNOWN_HEALTH);
  }

  private add(spec: ServiceSpec, health: Health, healthSince = Date.now()): ServiceRuntime {
    const path = znodePath(spec.zookeeperPath, spec.serviceHostname ?? this.options.hostname, spec.servicePort);
    const maintenance = inMaintenance(this.maintenance.state, spec.name);
    const runtime: ServiceRuntime = { spec, path, log: this.log.child({ service: spec.name }), health, payload: null, lastResult: null, lastResultAt: 0, healthSince, maintenance };
    this.services.set(spec.name, runtime);
    this.scheduler.start(spec);
    return runtime;
  }

  private onResult(spec: ServiceSpec, raw: CheckResult): void {
    const svc = this.services.get(spec.name);
    if (svc === undefined || svc.spec !== spec || this.state !== 'running') return;
    // A check may print the [auth] password; from here on (logs, /status, metrics) it is blotted out.
    const secret = this.config.auth?.password ?? null;
    const result = secret === null ? raw : { ...raw, reason: blot(raw.reason, secret), outputTail: blot(raw.outputTail, secret) };
    svc.lastResult = result;
    svc.lastResultAt = Date.now();
    this.stats.onResult(result.passed);
    this.emit('result', spec.name, result);
    const before = svc.health.healthy;
    svc.health = nextHealth(svc.health, result.passed, spec);
    const fields = { event: 'check', passed: result.passed, reason: result.reason, durationMs: result.durationMs };
    if (svc.health.healthy === before) {
      svc.log.debug({ ...fields, output: result.outputTail }, `check ${result.passed ? 'passed' : 'failed'}: ${result.reason}`);
      return;
    }
    svc.healthSince = svc.lastResultAt;
    const level = svc.health.healthy ? 'info' : 'warn';
    svc.log[level]({ ...fields, healthy: svc.health.healthy, output: result.outputTail }, `service is ${svc.health.healthy ? 'healthy' : 'unhealthy'}: ${result.reason}`);
    this.applyHealth(svc);
  }

  private applyHealth(svc: ServiceRuntime): void {
    if (wantRegistered(svc.health.healthy, svc.maintenance)) {
      svc.payload ??= Buffer.from(encodePayload(process.pid, new Date(), svc.spec.zookeeperData), 'utf8');
      this.registrar.set(svc.path, { data: svc.payload }, svc.log);
    } else {
      this.registrar.set(svc.path, null, svc.log);
    }
  }

  private onMaintenance(state: MaintenanceState): void {
    for (const svc of this.services.values()) {
      const maintenance = inMaintenance(state, svc.spec.name);
      if (maintenance === svc.maintenance) continue;
      svc.maintenance = maintenance;
      const why = state.host ? 'the host' : 'the service';
      if (maintenance) svc.log.warn({ event: 'maintenance_started', host: state.host, dir: this.maintenance.dir }, `maintenance: ${why} is in maintenance; removing its registration`);
      else svc.log.info({ event: 'maintenance_ended' }, 'maintenance ended; registration follows health again');
      this.applyHealth(svc);
    }
  }

  /** A restarted service keeps its node's bytes when the node and its data are unchanged, and is registered at once if it was. */
  private carryOver(runtime: ServiceRuntime, before: ServiceRuntime): ServiceRuntime {
    if (runtime.path === before.path && JSON.stringify(runtime.spec.zookeeperData) === JSON.stringify(before.spec.zookeeperData)) runtime.payload = before.payload;
    if (runtime.health.healthy !== null) this.applyHealth(runtime);
    return runtime;
  }

  /**
   * Make-before-break for a service whose node moved (path, host or port changed): the old
   * node goes once ZooKeeper confirms the new one, so consumers never see the service
   * missing; at once if the new one is not wanted, and after REPLACE_TIMEOUT_MS at most.
   */
  private removeAfterReplacement(oldPath: string, next: ServiceRuntime, log: Logger): void {
    let timer: NodeJS.Timeout | undefined;
    const removeOld = (): void => {
      this.registrar.off('changed', onChanged);
      clearTimeout(timer);
      if (this.state !== 'running') return; // stop() removes every registration itself
      // Another service's node may have moved to this path: it is not ours to remove.
      if ([...this.services.values()].some((s) => s.path === oldPath)) return;
      this.registrar.set(oldPath, null, log);
    };
    const onChanged = (path: string, registered: boolean): void => {
      if (path === next.path && registered) removeOld();
    };
    if (!wantRegistered(next.health.healthy, next.maintenance) || this.registrar.isRegistered(next.path)) {
      removeOld();
      return;
    }
    this.registrar.on('changed', onChanged);
    timer = setTimeout(() => {
      log.warn({ event: 'replacement_timeout', path: next.path, old: oldPath }, `the new node was not confirmed within ${REPLACE_TIMEOUT_MS / 1000} s; removing the old one anyway`);
      removeOld();
    }, REPLACE_TIMEOUT_MS);
  }

  /** What /status and /metrics show of each service. */
  facts(): ServiceFacts[] {
    return [...this.services.values()].map((s) => ({
      name: s.spec.name,
      path: s.path,
      healthy: s.health.healthy,
      registered: this.registrar.isRegistered(s.path),
      maintenance: s.maintenance,
      healthSince: s.healthSince,
      lastResult: s.lastResult === null ? null : { passed: s.lastResult.passed, reason: s.lastResult.reason, durationMs: s.lastResult.durationMs, at: s.lastResultAt, outputTail: s.lastResult.outputTail },
    }));
  }

  /** Apply a re-read config: removed services deregister, added ones start, changed ones restart. */
  async reload(next: Config): Promise<void> {
    if (this.state !== 'running') return;
    if (JSON.stringify(next.auth) !== JSON.stringify(this.config.auth)) {
      this.log.warn({ event: 'reload_auth_ignored' }, 'the [auth] section changed; it takes effect at the next restart');
    }
    const wanted = new Map(next.services.map((s) => [s.name, s]));
    const counts = { added: 0, removed: 0, changed: 0, unchanged: 0 };
    const removed = new Map<string, ServiceRuntime>();
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
        removed.set(svc.path, svc);
        continue;
      }
      counts.changed++;
      // Keep what we know of its health, so a healthy service stays registered across the change.
      const runtime = this.carryOver(this.add(spec, svc.health, svc.healthSince), svc);
      if (runtime.path !== svc.path) this.removeAfterReplacement(svc.path, runtime, svc.log);
    }
    for (const spec of next.services) {
      if (this.services.has(spec.name)) continue;
      counts.added++;
      const runtime = this.add(spec, UNKNOWN_HEALTH);
      // A renamed section that keeps its node: take over what the old name knew, no flap.
      const before = removed.get(runtime.path);
      if (before !== undefined) {
        removed.delete(runtime.path);
        runtime.health = before.health;
        runtime.healthSince = before.healthSince;
        this.carryOver(runtime, before);
      }
    }
    for (const svc of removed.values()) this.registrar.set(svc.path, null, svc.log);
    this.config = { services: next.services, auth: this.config.auth };
    this.log.info({ event: 'reloaded', ...counts }, 'config reloaded');
  }

  /** SIGTERM: stop the checks, delete every node we registered, close the session. */
  async stop(): Promise<{ remaining: number }> {
    if (this.state === 'stopping' || this.state === 'stopped') return { remaining: 0 };
    this.state = 'stopping';
    this.log.info({ event: 'stopping', registered: this.registrar.registeredCount }, 'stopping: removing our registrations');
    this.maintenance.stop();
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
