// The systemd notify protocol's decisions (sd_notify(3)): where to send, how often the
// watchdog is fed, when the agent counts as ready, and the STATUS= text a person reads
// in `systemctl status`. Whether the watchdog is fed at all is the check engine's
// liveness (engine-liveness.ts), never ZooKeeper's. Pure.

import { cleanText, wantRegistered } from './maintenance.js';
import type { Registration } from './registration.js';

/** How long start-up waits for registrations to converge before READY=1 is sent anyway. */
export const READY_DEADLINE_MS = 60_000;

export type NotifyTarget = { readonly kind: 'none' } | { readonly kind: 'socket'; readonly address: string } | { readonly kind: 'invalid'; readonly problem: string };

/** $NOTIFY_SOCKET: unset (not under systemd), an absolute path, or an abstract name written '@name'. */
export function notifyTarget(env: Readonly<Record<string, string | undefined>>): NotifyTarget {
  const address = env['NOTIFY_SOCKET'];
  if (address === undefined || address === '') return { kind: 'none' };
  // sockaddr_un's sun_path holds 108 bytes, the path's NUL included.
  if (Buffer.byteLength(address) > 107) return { kind: 'invalid', problem: `NOTIFY_SOCKET '${address}' is longer than a unix socket address can be` };
  if (!address.startsWith('/') && !address.startsWith('@')) return { kind: 'invalid', problem: `NOTIFY_SOCKET '${address}' is neither an absolute path nor an @abstract name` };
  return { kind: 'socket', address };
}

/**
 * Milliseconds between WATCHDOG=1 messages: half of $WATCHDOG_USEC, as sd_watchdog_enabled(3)
 * advises; null when systemd asks for no watchdog, or asks it of another process ($WATCHDOG_PID).
 */
export function watchdogIntervalMs(env: Readonly<Record<string, string | undefined>>, pid: number): number | null {
  const usec = env['WATCHDOG_USEC'];
  if (usec === undefined || !/^[0-9]+$/.test(usec) || Number(usec) === 0) return null;
  const forPid = env['WATCHDOG_PID'];
  if (forPid !== undefined && forPid !== '' && forPid !== String(pid)) return null;
  return Math.max(1, Math.floor(Number(usec) / 2000));
}

/** What the agent knows of one service, for readiness and STATUS=. */
export interface ServiceView {
  /** Its check has produced at least one result. */
  readonly checked: boolean;
  readonly healthy: boolean | null;
  readonly registration: Registration;
  /** Out of the registry by a maintenance flag file (its own or the host's). */
  readonly maintenance?: boolean;
  /** Why, as the flag file says ('' when it does not). */
  readonly maintenanceReason?: string;
}

export interface SessionView {
  readonly state: 'connecting' | 'connected' | 'disconnected' | 'closed';
  /** ms the session has gone without a server (since start, or since the last connection); 0 when connected. */
  readonly unreachableForMs: number;
  readonly timeoutMs: number;
}

/** Not yet ready: what start-up still waits for, in words; null when registrations have converged. */
export function pendingConvergence(services: readonly ServiceView[]): string | null {
  const unchecked = services.filter((s) => !s.checked).length;
  if (unchecked > 0) return `waiting for the first check result of ${unchecked} of ${services.length} services`;
  // A healthy service in maintenance is settled unregistered: a host booting in maintenance is ready at once.
  const unsettled = services.filter((s) => (s.registration === 'registered') !== wantRegistered(s.healthy, s.maintenance === true)).length;
  if (unsettled > 0) return `waiting for ZooKeeper to confirm ${unsettled} of ${services.length} registrations`;
  return null;
}

/** Without ZooKeeper, READY=1 comes once every check has answered and no server has for this long (since start, or since the connection was lost). */
export const READY_WITHOUT_ZOOKEEPER_MS = 10_000;

export type Readiness = 'converged' | 'zookeeper_unreachable' | 'deadline' | null;

/**
 * Why READY=1 may be sent now, or null: when every service's first registration has
 * settled; or when every check has answered while no ZooKeeper server has for
 * READY_WITHOUT_ZOOKEEPER_MS (a host booting during an outage must still start, and
 * registers once ZooKeeper is back); or at the deadline, whatever is still pending.
 */
export function readiness(services: readonly ServiceView[], sinceStartMs: number, session: SessionView): Readiness {
  if (pendingConvergence(services) === null) return 'converged';
  if (sinceStartMs >= READY_DEADLINE_MS) return 'deadline';
  const allChecked = services.every((s) => s.checked);
  if (allChecked && session.state !== 'connected' && session.unreachableForMs >= READY_WITHOUT_ZOOKEEPER_MS) return 'zookeeper_unreachable';
  return null;
}

/** How much of a maintenance reason STATUS= shows: `systemctl status` prints one line. */
const STATUS_REASON_LENGTH = 60;

/** "(deploy 42)", "(deploy 42; 1 more reason)", or '' when no file gives a reason. */
function reasonsInBrackets(reasons: readonly string[]): string {
  const distinct = [...new Set(reasons.filter((r) => r !== ''))];
  if (distinct.length === 0) return '';
  const more = distinct.length - 1;
  return ` (${cleanText(distinct[0]!, STATUS_REASON_LENGTH)}${more > 0 ? `; ${more} more ${more === 1 ? 'reason' : 'reasons'}` : ''})`;
}

/** ", 2 in maintenance (deploy 42)", or "; host in maintenance (rack move)" when DIR/all exists (hostReason not null). */
function maintenancePart(services: readonly ServiceView[], hostReason: string | null): string {
  if (hostReason !== null) return `; host in maintenance${reasonsInBrackets([hostReason])}`;
  const inMaintenance = services.filter((s) => s.maintenance === true);
  if (inMaintenance.length === 0) return '';
  return `, ${inMaintenance.length} in maintenance${reasonsInBrackets(inMaintenance.map((s) => s.maintenanceReason ?? ''))}`;
}

/**
 * e.g. "42 services, 40 healthy, 38 registered, 2 in maintenance (deploy 42); ZooKeeper connected".
 * `hostReason`: the host's maintenance reason while DIR/all exists ('' when it gives none), else null.
 */
export function statusLine(services: readonly ServiceView[], session: SessionView, ready: boolean, hostReason: string | null = null): string {
  const healthy = services.filter((s) => s.healthy === true).length;
  const registered = services.filter((s) => s.registration === 'registered').length;
  const unconfirmed = services.filter((s) => s.registration === 'unconfirmed').length;
  const counts = `${services.length} ${services.length === 1 ? 'service' : 'services'}, ${healthy} healthy, ${registered} registered${unconfirmed > 0 ? `, ${unconfirmed} unconfirmed` : ''}${maintenancePart(services, hostReason)}`;
  let zk = `ZooKeeper ${session.state}`;
  if (session.state !== 'connected' && session.unreachableForMs >= 1000) zk += ` (no server for ${Math.floor(session.unreachableForMs / 1000)} s)`;
  const pending = ready ? null : pendingConvergence(services);
  return pending === null ? `${counts}; ${zk}` : `starting: ${pending}; ${counts}; ${zk}`;
}

/** One notify message (KEY=value). The helper sends a line per datagram: keep values on one line. */
export function notifyMessage(key: string, value: string): string {
  return `${key}=${value.replace(/[\r\n]+/g, ' ')}`;
}
