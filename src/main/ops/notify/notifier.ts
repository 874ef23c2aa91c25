// The agent's side of Type=notify: READY=1 once start-up registrations converged (or
// after READY_DEADLINE_MS), WATCHDOG=1 every WATCHDOG_USEC/2 while the event loop runs and
// the ZooKeeper session is healthy, STATUS= whenever the picture changes, STOPPING=1 on
// shutdown. The decisions are in shared/sd-notify.ts; this file has the timers.

import type { Logger } from 'pino';
import { notifyMessage, pendingConvergence, readyNow, sessionHealthy, statusLine, watchdogIntervalMs, type ServiceView, type SessionView } from '../../../shared/sd-notify.js';
import type { ZkSession } from '../../zk/session.js';
import { openNotifyChannel, type NotifyChannel } from './notify-channel.js';

/** How often STATUS= and readiness are re-evaluated. */
const STATUS_TICK_MS = 1000;

export interface NotifierSources {
  readonly session: ZkSession;
  services(): ServiceView[];
}

export class Notifier {
  private ready = false;
  private lastStatus = '';
  private watchdogFed = true;
  private readonly startedAt = performance.now();
  /** Since when no server has answered us (start counts); null while connected. */
  private unreachableSince: number | null = performance.now();
  private statusTimer: NodeJS.Timeout | undefined;
  private watchdogTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly channel: NotifyChannel,
    private readonly watchdogMs: number | null,
    private readonly sources: NotifierSources,
    private readonly log: Logger,
  ) {
    const session = sources.session;
    session.on('connected', () => (this.unreachableSince = null));
    session.on('disconnected', () => (this.unreachableSince ??= performance.now()));
    session.on('lost', () => (this.unreachableSince ??= performance.now()));
  }

  /** Null when not started by systemd ($NOTIFY_SOCKET unset). */
  static fromEnvironment(address: string | null, env: NodeJS.ProcessEnv, sources: NotifierSources, logger: Logger): Notifier | null {
    if (address === null) return null;
    const log = logger.child({ component: 'notify' });
    const channel = openNotifyChannel(address, log);
    const watchdogMs = watchdogIntervalMs(env, process.pid);
    if (channel.via === 'systemd-notify') log.warn({ event: 'notify_fallback' }, 'the zkw-notify helper was not built (no C compiler?): using systemd-notify, whose messages systemd can fail to attribute');
    log.info({ event: 'notify_enabled', socket: address, via: channel.via, watchdogEveryMs: watchdogMs }, 'speaking the systemd notify protocol');
    return new Notifier(channel, watchdogMs, sources, log);
  }

  start(): void {
    this.statusTimer = setInterval(() => this.tick(), STATUS_TICK_MS);
    this.tick();
    if (this.watchdogMs !== null) {
      this.watchdogTimer = setInterval(() => this.feedWatchdog(), this.watchdogMs);
      this.feedWatchdog();
    }
  }

  private session(): SessionView {
    const s = this.sources.session;
    const unreachableForMs = this.unreachableSince === null ? 0 : performance.now() - this.unreachableSince;
    return { state: s.state, unreachableForMs, timeoutMs: s.negotiatedTimeoutMs };
  }

  private tick(): void {
    const services = this.sources.services();
    if (!this.ready && readyNow(services, performance.now() - this.startedAt)) {
      this.ready = true;
      const pending = pendingConvergence(services);
      if (pending === null) this.log.info({ event: 'notify_ready' }, 'start-up registrations converged: READY=1');
      else this.log.warn({ event: 'notify_ready', pending }, `READY=1 after the start-up deadline, still ${pending}`);
      this.channel.send('READY=1');
    }
    const status = statusLine(services, this.session(), this.ready);
    if (status !== this.lastStatus) {
      this.lastStatus = status;
      this.channel.send(notifyMessage('STATUS', status));
    }
  }

  private feedWatchdog(): void {
    const session = this.session();
    const healthy = sessionHealthy(session);
    if (healthy !== this.watchdogFed) {
      this.watchdogFed = healthy;
      if (healthy) this.log.info({ event: 'watchdog_resumed' }, 'ZooKeeper answers again: feeding the systemd watchdog');
      else this.log.error({ event: 'watchdog_withheld', state: session.state, unreachableForMs: Math.round(session.unreachableForMs) }, 'no ZooKeeper server for longer than the session timeout: no longer feeding the systemd watchdog, so systemd restarts us');
    }
    if (healthy) this.channel.send('WATCHDOG=1');
  }

  /** Shutdown begins: say so, and stop feeding the watchdog (systemd's stop timeout governs now). */
  stopping(): void {
    clearInterval(this.statusTimer);
    clearInterval(this.watchdogTimer);
    this.channel.send('STOPPING=1');
    this.channel.send(notifyMessage('STATUS', 'stopping: removing our registrations from ZooKeeper'));
  }

  close(): Promise<void> {
    return this.channel.close(1000);
  }
}
