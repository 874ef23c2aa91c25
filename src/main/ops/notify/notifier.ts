// The agent's side of Type=notify: READY=1 once start-up registrations converged (or
// sooner when ZooKeeper is unreachable, or after READY_DEADLINE_MS), WATCHDOG=1 every
// WATCHDOG_USEC/2 while the check engine is alive (its loop turns and its checks run:
// never withheld because ZooKeeper is down), STATUS= whenever the picture changes,
// STOPPING=1 on shutdown. The decisions are in shared/; this file has the timers.

import type { Logger } from 'pino';
import { engineStall } from '../../../shared/engine-liveness.js';
import { hostMaintenanceNote, maintenanceNoteOf, NO_MAINTENANCE } from '../../../shared/maintenance.js';
import { notifyMessage, pendingConvergence, readiness, statusLine, watchdogIntervalMs, type ServiceView, type SessionView } from '../../../shared/sd-notify.js';
import type { DaemonView } from '../../lifecycle/daemon-view.js';
import { choreClock, type CancelChore } from '../chore-clock.js';
import { openNotifyChannel, type NotifyChannel } from './notify-channel.js';

/** How often STATUS= and readiness are re-evaluated. */
const STATUS_TICK_MS = 1000;

export class Notifier {
  private ready = false;
  private lastStatus = '';
  /** Why the watchdog is not fed now; null while it is. */
  private withheld: string | null = null;
  private startedAt = performance.now();
  private cancelStatus: CancelChore | undefined;
  private cancelWatchdog: CancelChore | undefined;

  constructor(
    private readonly channel: NotifyChannel,
    private readonly watchdogMs: number | null,
    private readonly daemon: DaemonView,
    private readonly log: Logger,
  ) {}

  /** Null when not started by systemd ($NOTIFY_SOCKET unset). */
  static fromEnvironment(address: string | null, env: NodeJS.ProcessEnv, daemon: DaemonView, logger: Logger): Notifier | null {
    if (address === null) return null;
    const log = logger.child({ component: 'notify' });
    const channel = openNotifyChannel(address, log);
    const watchdogMs = watchdogIntervalMs(env, process.pid);
    if (channel.via === 'systemd-notify') log.warn({ event: 'notify_fallback' }, 'the zkw-notify helper was not built (no C compiler?): using systemd-notify, whose messages systemd can fail to attribute');
    log.info({ event: 'notify_enabled', socket: address, via: channel.via, watchdogEveryMs: watchdogMs }, 'speaking the systemd notify protocol');
    return new Notifier(channel, watchdogMs, daemon, log);
  }

  /** The watchdog is fed from the moment the process runs (WAIT_TIME included); readiness counts from start(). */
  startWatchdog(): void {
    if (this.watchdogMs === null || this.cancelWatchdog !== undefined) return;
    this.cancelWatchdog = choreClock.every(this.watchdogMs, () => this.feedWatchdog());
    this.feedWatchdog();
  }

  start(): void {
    this.startedAt = performance.now();
    this.cancelStatus = choreClock.every(STATUS_TICK_MS, () => this.tick());
    this.tick();
    this.startWatchdog();
  }

  private services(): ServiceView[] {
    const maintenance = this.daemon.maintenance?.() ?? NO_MAINTENANCE;
    return this.daemon.services().map((f) => ({
      checked: f.lastResult !== null || f.healthy !== null,
      healthy: f.healthy,
      registration: f.registration,
      maintenance: f.maintenance,
      maintenanceReason: f.maintenance ? (maintenanceNoteOf(maintenance, f.name)?.reason ?? '') : '',
    }));
  }

  /** The host's maintenance reason while DIR/all exists, else null. */
  private hostReason(): string | null {
    return hostMaintenanceNote(this.daemon.maintenance?.() ?? NO_MAINTENANCE)?.reason ?? null;
  }

  private session(): SessionView {
    const s = this.daemon.session();
    return { state: s.state, unreachableForMs: s.unreachableForMs, timeoutMs: s.negotiatedTimeoutMs };
  }

  private tick(): void {
    const services = this.services();
    const session = this.session();
    const why = this.ready ? null : readiness(services, performance.now() - this.startedAt, session);
    if (why !== null) {
      this.ready = true;
      const pending = pendingConvergence(services);
      if (why === 'converged') this.log.info({ event: 'notify_ready' }, 'start-up registrations converged: READY=1');
      else if (why === 'zookeeper_unreachable') this.log.warn({ event: 'notify_ready', pending }, `READY=1 without ZooKeeper: every check has answered, and no ZooKeeper server has for ${Math.round(session.unreachableForMs / 1000)} s; registering once one does`);
      else this.log.warn({ event: 'notify_ready', pending }, `READY=1 after the start-up deadline, still ${pending}`);
      this.channel.send('READY=1');
    }
    const status = statusLine(services, session, this.ready, this.hostReason());
    if (status !== this.lastStatus) {
      this.lastStatus = status;
      this.channel.send(notifyMessage('STATUS', status));
    }
  }

  /** Fed while the engine is alive, whatever ZooKeeper does: an outage must not restart every agent of a fleet. */
  private feedWatchdog(): void {
    const stall = engineStall(this.daemon.engine());
    if ((stall === null) !== (this.withheld === null)) {
      if (stall === null) this.log.info({ event: 'watchdog_resumed' }, 'the check engine runs again: feeding the systemd watchdog');
      else this.log.error({ event: 'watchdog_withheld', why: stall }, `the check engine is stuck (${stall}): no longer feeding the systemd watchdog, so systemd restarts us`);
      this.withheld = stall;
    }
    if (stall === null) this.channel.send('WATCHDOG=1');
  }

  /** Shutdown begins: say so, and stop feeding the watchdog (systemd's stop timeout governs now). */
  stopping(): void {
    this.cancelStatus?.();
    this.cancelWatchdog?.();
    this.channel.send('STOPPING=1');
    this.channel.send(notifyMessage('STATUS', 'stopping: removing our registrations from ZooKeeper'));
  }

  close(): Promise<void> {
    return this.channel.close(1000);
  }
}
