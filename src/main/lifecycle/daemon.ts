// Composition: config -> scheduler -> pool -> health -> desired table -> registrar ->
// session, under one Lifecycle (lifecycle.ts) that serializes start, reload and stop.
// Which nodes should exist is decided by shared/desired.ts alone; what a reload changes,
// by shared/reload-plan.ts. Every late event asks the lifecycle's state before it acts.

import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { checkJob } from '../../shared/check-job.js';
import { desiredNodes } from '../../shared/desired.js';
import { nextHealth, UNKNOWN_HEALTH, type Health } from '../../shared/health.js';
import { mayChangeRegistrations, type LifecycleState } from '../../shared/lifecycle-state.js';
import { inMaintenance, type MaintenanceState } from '../../shared/maintenance.js';
import { planReload } from '../../shared/reload-plan.js';
import { blot } from '../../shared/secrets.js';
import type { ServiceFacts } from '../../shared/status.js';
import type { CheckResult, Config, ServiceSpec } from '../../shared/types.js';
import { formatOf, type RegistryFormat } from '../../shared/formats/format.js';
import { registrationData, registrationPath } from '../../shared/formats/index.js';
import { EngineStats } from '../checks/engine-stats.js';
import { CheckPool } from '../checks/pool.js';
import { Scheduler } from '../checks/scheduler.js';
import { MaintenanceWatcher } from '../ops/maintenance-watcher.js';
import { Registrar, type WantedNode } from '../zk/registrar.js';
import { ZkSession } from '../zk/session.js';
import type { ZkTlsFiles } from '../zk/zk-tls-files.js';
import type { ZkAclMode } from '../../shared/zk-tls-args.js';
import { stopSummary } from '../../shared/stop-summary.js';
import type { DaemonEvents, DaemonView, ReloadFacts } from './daemon-view.js';
import { Lifecycle } from './lifecycle.js';

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
  /** Re-reads and validates the config for a reload; null when it has errors (it reports them). */
  readonly reloadConfig: () => Promise<Config | null>;
  /** TLS to ZooKeeper (--zk-tls): the files, re-read on SIGHUP by reloadConfig (absent: plain TCP). */
  readonly zkTls?: ZkTlsFiles | null;
  readonly zkAcl?: ZkAclMode;
}

export interface StopOutcome {
  /** Nodes ZooKeeper still held when we gave up waiting (left to the session's expiry). */
  readonly remaining: number;
}

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

/** A moved service's old node, kept until the new one is confirmed (make-before-break). */
interface Replacement {
  readonly oldPath: string;
  readonly service: string;
  readonly payload: Buffer;
  /** The format the old node was written in: what proves a node at the old path ours. */
  readonly format: RegistryFormat;
  readonly log: Logger;
  readonly timer: NodeJS.Timeout;
}

/** How long SIGTERM waits for ZooKeeper to confirm our deletes before closing the session anyway. */
const STOP_DELETE_TIMEOUT_MS = 4000;
const STOP_CLOSE_TIMEOUT_MS = 1000;
/** How long stop waits for the check workers to end after their checks were killed. */
const STOP_POOL_TIMEOUT_MS = 5000;
/** How long a moved service's old node waits for the new one before it is removed anyway. */
const REPLACE_TIMEOUT_MS = 10_000;

export class Daemon {
  readonly view: DaemonView;
  private readonly lifecycle: Lifecycle<Config, StopOutcome>;
  private readonly events = new EventEmitter<DaemonEvents>();
  private readonly session: ZkSession;
  private readonly registrar: Registrar;
  private readonly pool: CheckPool;
  private readonly stats: EngineStats;
  private readonly maintenance: MaintenanceWatcher;
  private readonly scheduler: Scheduler;
  private readonly services = new Map<string, ServiceRuntime>();
  private readonly replacements = new Map<string, Replacement>();
  private readonly log: Logger;
  private readonly startedAt = Date.now();
  private lastReload: ReloadFacts = { lastSuccessful: true, lastSuccessAt: this.startedAt };
  private config: Config;
  private convergeQueued: NodeJS.Immediate | undefined;

  constructor(private readonly options: DaemonOptions) {
    this.log = options.logger;
    this.config = options.config;
    this.session = new ZkSession({
      connectString: options.servers,
      sessionTimeoutMs: options.sessionTimeoutMs,
      writesPerSecond: options.maxWritesPerSecond,
      auth: options.config.auth === null ? null : { user: options.config.auth.user, password: options.config.auth.password },
      tls: options.zkTls?.socketOptions ?? null,
      x509Subject: options.zkTls?.current.subject ?? null,
      aclMode: options.zkAcl ?? 'auto',
      logger: options.logger,
    });
    this.registrar = new Registrar(this.session, options.logger);
    this.pool = new CheckPool({ concurrency: options.maxConcurrentChecks, env: options.checkEnv, onStarted: (lagMs) => this.stats.onStarted(lagMs) });
    this.stats = new EngineStats(options.logger, () => ({
      queued: this.pool.pending,
      running: this.pool.running,
      registered: this.registrar.registeredCount,
      zkQueue: this.session.queueDepth.awaitingAnswer + this.session.queueDepth.unsent,
      workerFailures: this.pool.workerFailures,
    }));
    this.scheduler = new Scheduler(
      (spec, dueAt) => this.pool.run(checkJob(spec), dueAt),
      (spec, result) => this.onResult(spec, result),
    );
    this.maintenance = new MaintenanceWatcher(options.maintenanceDir, options.logger, (m) => this.onMaintenance(m));
    this.registrar.on('confirmed', (path) => this.onConfirmed(path));
    this.session.on('connected', (_id, fresh) => this.events.emit('sessionConnected', fresh));
    this.session.on('lost', () => this.events.emit('sessionLost'));
    this.lifecycle = new Lifecycle<Config, StopOutcome>(
      { start: () => this.startParts(), load: options.reloadConfig, apply: (c) => this.applyReload(c), stop: () => this.stopParts() },
      options.logger,
    );
    this.registrar.on('syncFailed', () => this.events.emit('syncFailed'));
    this.lifecycle.on('reloaded', (applied) => {
      this.lastReload = { lastSuccessful: applied, lastSuccessAt: applied ? Date.now() : this.lastReload.lastSuccessAt };
    });
    this.view = this.makeView();
  }

  get state(): LifecycleState {
    return this.lifecycle.state;
  }

  start(): boolean {
    return this.lifecycle.start();
  }

  /** SIGHUP: re-read the config and apply it, or fold into the reload under way. */
  requestReload(): 'begin' | 'coalesce' | 'ignore' {
    return this.lifecycle.requestReload();
  }

  /** SIGTERM: stop the checks, delete every node we registered, close the session. */
  stop(): Promise<StopOutcome> {
    return this.lifecycle.stop();
  }

  /** Synchronously kill every check process group (safe in an 'exit' handler). */
  killChecks(): void {
    this.pool.killAllGroups();
  }

  private startParts(): void {
    this.log.info({ event: 'starting', services: this.config.services.length, servers: this.options.servers }, `watching ${this.config.services.length} services`);
    if (this.pool.spawner === null) this.log.warn({ event: 'no_spawn_helper' }, "the zkw-spawn helper was not built (no C compiler?): checks run through Node's spawn, which is several times slower");
    this.stats.start(this.options.statsIntervalS);
    this.session.start();
    this.maintenance.start();
    for (const spec of this.config.services) this.add(this.runtime(spec, UNKNOWN_HEALTH, Date.now()));
  }

  private runtime(spec: ServiceSpec, health: Health, healthSince: number): ServiceRuntime {
    return {
      spec,
      path: this.pathOf(spec),
      log: this.log.child({ service: spec.name }),
      health,
      payload: null,
      lastResult: null,
      lastResultAt: 0,
      healthSince,
      maintenance: inMaintenance(this.maintenance.state, spec.name),
    };
  }

  private pathOf(spec: ServiceSpec): string {
    return registrationPath(spec, this.options.hostname);
  }

  private add(runtime: ServiceRuntime): void {
    this.services.set(runtime.spec.name, runtime);
    this.scheduler.start(runtime.spec);
  }

  private onResult(spec: ServiceSpec, raw: CheckResult): void {
    if (!mayChangeRegistrations(this.lifecycle.state)) return;
    const svc = this.services.get(spec.name);
    if (svc === undefined || svc.spec !== spec) return;
    // A check may print the [auth] password; from here on (logs, /status, metrics) it is blotted out.
    const secret = this.config.auth?.password ?? null;
    const result = secret === null ? raw : { ...raw, reason: blot(raw.reason, secret), outputTail: blot(raw.outputTail, secret) };
    svc.lastResult = result;
    svc.lastResultAt = Date.now();
    this.stats.onResult(result.passed);
    this.events.emit('result', spec.name, result);
    const before = svc.health.healthy;
    svc.health = nextHealth(svc.health, result.passed, spec);
    const fields = { event: 'check', passed: result.passed, reason: result.reason, durationMs: result.durationMs };
    if (svc.health.healthy === before) {
      svc.log.debug({ ...fields, output: result.outputTail }, `${spec.name}: check ${result.passed ? 'passed' : 'failed'}: ${result.reason}`);
      return;
    }
    svc.healthSince = svc.lastResultAt;
    const level = svc.health.healthy ? 'info' : 'warn';
    svc.log[level]({ ...fields, healthy: svc.health.healthy, output: result.outputTail }, `${spec.name}: service is ${svc.health.healthy ? 'healthy' : 'unhealthy'}: ${result.reason}`);
    this.converge();
  }

  private onMaintenance(state: MaintenanceState): void {
    if (!mayChangeRegistrations(this.lifecycle.state)) return;
    let changed = false;
    for (const svc of this.services.values()) {
      const maintenance = inMaintenance(state, svc.spec.name);
      if (maintenance === svc.maintenance) continue;
      svc.maintenance = maintenance;
      changed = true;
      const why = state.host ? 'the host' : 'the service';
      if (maintenance) svc.log.warn({ event: 'maintenance_started', host: state.host, dir: this.maintenance.dir }, `maintenance: ${why} is in maintenance; removing its registration`);
      else svc.log.info({ event: 'maintenance_ended' }, 'maintenance ended; registration follows health again');
    }
    if (changed) this.converge();
  }

  /**
   * ZooKeeper confirmed a node with the bytes we asked for: if it is a moved service's new
   * node, its old nodes go. (Confirmed, not merely registered: the new path may already have
   * been ours, another service's node, and is only the moved service's once rewritten.)
   */
  private onConfirmed(path: string): void {
    if (!mayChangeRegistrations(this.lifecycle.state)) return;
    let dropped = false;
    for (const r of [...this.replacements.values()]) {
      if (this.services.get(r.service)?.path === path) dropped = this.dropReplacement(r.oldPath) || dropped;
    }
    if (dropped) this.converge();
  }

  private dropReplacement(oldPath: string): boolean {
    const r = this.replacements.get(oldPath);
    if (r === undefined) return false;
    clearTimeout(r.timer);
    this.replacements.delete(oldPath);
    return true;
  }

  /**
   * Hand the registrar the whole table of nodes that should exist, once per event-loop
   * turn: a batch of results (or a reload) changes many services, and one pass does them all.
   */
  private converge(): void {
    this.convergeQueued ??= setImmediate(() => {
      this.convergeQueued = undefined;
      if (!mayChangeRegistrations(this.lifecycle.state)) return;
      const inputs = [...this.services.values()].map((s) => ({ name: s.spec.name, path: s.path, healthy: s.health.healthy, maintenance: s.maintenance }));
      const table = new Map<string, WantedNode>();
      for (const [path, node] of desiredNodes(inputs, [...this.replacements.values()])) {
        if (node.kind === 'replaced') {
          const r = this.replacements.get(path)!;
          table.set(path, { data: r.payload, format: r.format, log: r.log });
          continue;
        }
        const svc = this.services.get(node.service)!;
        svc.payload ??= Buffer.from(registrationData(svc.spec, this.options.hostname, process.pid, new Date()), 'utf8');
        table.set(path, { data: svc.payload, format: formatOf(svc.spec).kind, log: svc.log });
      }
      this.registrar.setTable(table);
    });
  }

  /** Apply a re-read config (shared/reload-plan.ts decides what happens to each service). Synchronous. */
  private applyReload(next: Config): void {
    if (JSON.stringify(next.auth) !== JSON.stringify(this.config.auth)) {
      this.log.warn({ event: 'reload_auth_ignored' }, 'the [auth] section changed; it takes effect at the next restart');
    }
    const before = new Map(this.services);
    const specs = new Map(next.services.map((s) => [s.name, s]));
    const planned = next.services.map((spec) => ({ spec, path: this.pathOf(spec) }));
    const claimed = new Set(planned.map((s) => s.path));
    const plan = planReload([...before.values()].map((s) => ({ spec: s.spec, path: s.path })), planned);
    for (const step of plan.steps) {
      if (step.kind === 'keep') continue;
      if (step.kind === 'remove') {
        void this.scheduler.stop(step.name);
        this.services.delete(step.name);
        continue;
      }
      const spec = specs.get(step.name)!;
      if (step.kind === 'add') {
        this.add(this.runtime(spec, UNKNOWN_HEALTH, Date.now()));
        continue;
      }
      // Changed or renamed: keep what was known of its health, so a healthy service stays registered.
      const old = before.get(step.inheritFrom)!;
      const runtime = this.runtime(spec, old.health, old.healthSince);
      if (step.keepPayload) runtime.payload = old.payload;
      this.services.set(spec.name, runtime);
      // A renamed section takes over the old name's chain: the same check never runs twice at once.
      this.scheduler.restart(spec, step.inheritFrom);
      // Bridge only a node that is ours now (one already deleted must not come back), and not an
      // old path that a service of the new config names: that one is that service's (desired.ts).
      if (step.movedFrom !== null && old.payload !== null && this.registrar.isRegistered(step.movedFrom) && !claimed.has(step.movedFrom)) {
        this.keepUntilReplaced(step.movedFrom, runtime, old.payload, formatOf(old.spec).kind);
      }
    }
    // Old nodes of services that are gone no longer bridge anything.
    for (const r of [...this.replacements.values()]) if (!this.services.has(r.service)) this.dropReplacement(r.oldPath);
    this.config = { services: next.services, auth: this.config.auth };
    this.log.info({ event: 'reloaded', ...plan.counts }, 'config reloaded');
    this.converge();
  }

  /**
   * Make-before-break for a service whose node moved: the old node stays (desired.ts) until
   * ZooKeeper confirms the new one, and REPLACE_TIMEOUT_MS at most.
   */
  private keepUntilReplaced(oldPath: string, next: ServiceRuntime, payload: Buffer, format: RegistryFormat): void {
    this.dropReplacement(oldPath);
    const timer = setTimeout(() => {
      if (!mayChangeRegistrations(this.lifecycle.state) || !this.replacements.has(oldPath)) return;
      next.log.warn({ event: 'replacement_timeout', path: next.path, old: oldPath }, `the new node was not confirmed within ${REPLACE_TIMEOUT_MS / 1000} s; removing the old one anyway`);
      this.dropReplacement(oldPath);
      this.converge();
    }, REPLACE_TIMEOUT_MS);
    timer.unref();
    this.replacements.set(oldPath, { oldPath, service: next.spec.name, payload, format, log: next.log, timer });
  }

  private async stopParts(): Promise<StopOutcome> {
    this.log.info({ event: 'stopping', registered: this.registrar.registeredCount }, 'stopping: removing our registrations');
    clearImmediate(this.convergeQueued);
    this.convergeQueued = undefined;
    this.maintenance.stop();
    for (const oldPath of [...this.replacements.keys()]) this.dropReplacement(oldPath);
    const chains = this.scheduler.stopAll();
    // Closing the pool answers every queued check and kills the running ones (each helper
    // kills its groups), so the chains end now.
    const pool = this.pool.close();
    const drained = await this.registrar.removeAll(STOP_DELETE_TIMEOUT_MS);
    this.registrar.close();
    // Why what is left is left: said before close() makes every session state 'closed'.
    const connected = this.session.state === 'connected';
    const ends = await this.session.close(STOP_CLOSE_TIMEOUT_MS);
    const summary = stopSummary(drained.deleted, drained.left, ends, Date.now(), { count: drained.neverRegistered, connected });
    const ended = await Promise.race([Promise.all([chains, pool]).then(() => true), delay(STOP_POOL_TIMEOUT_MS, false)]);
    if (!ended) this.log.warn({ event: 'stop_pool_timeout' }, `the check workers did not end within ${STOP_POOL_TIMEOUT_MS / 1000} s; exiting anyway (their checks were killed)`);
    this.stats.stop();
    const { message, ...counts } = summary;
    this.log.info({ event: 'stopped', ...counts }, message);
    return { remaining: summary.remaining };
  }

  private facts(): ServiceFacts[] {
    return [...this.services.values()].map((s) => ({
      name: s.spec.name,
      path: s.path,
      format: formatOf(s.spec).kind,
      healthy: s.health.healthy,
      registration: this.registrar.registration(s.path),
      maintenance: s.maintenance,
      healthSince: s.healthSince,
      lastResult: s.lastResult === null ? null : { passed: s.lastResult.passed, reason: s.lastResult.reason, durationMs: s.lastResult.durationMs, at: s.lastResultAt, outputTail: s.lastResult.outputTail },
    }));
  }

  private makeView(): DaemonView {
    return {
      startedAt: this.startedAt,
      maintenanceDir: this.maintenance.dir,
      lifecycle: () => this.lifecycle.state,
      session: () => ({ state: this.session.state, id: this.session.id, negotiatedTimeoutMs: this.session.negotiatedTimeoutMs, unreachableForMs: this.session.unreachableForMs }),
      services: () => this.facts(),
      hostMaintenance: () => this.maintenance.state.host,
      maintenance: () => this.maintenance.state,
      checks: () => ({ queued: this.pool.pending, running: this.pool.running }),
      engine: () => this.pool.engineFacts(),
      reload: () => this.lastReload,
      zkTlsClientCertValidTo: () => this.options.zkTls?.current.certValidTo?.getTime() ?? null,
      zkTlsIdentity: () => {
        const tls = this.options.zkTls;
        return tls?.current.subject == null ? null : { subject: tls.current.subject, pinned: tls.subjectInAcl };
      },
      on: (event, listener) => void this.events.on(event, listener as never),
    };
  }
}

function delay<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms).unref());
}
