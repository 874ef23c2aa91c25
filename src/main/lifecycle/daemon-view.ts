// What the operations side (status server, metrics, systemd notifier) may see of the
// daemon: one read-only view, so none of them reaches into its parts.

import type { EngineFacts } from '../../shared/engine-liveness.js';
import type { LifecycleState } from '../../shared/lifecycle-state.js';
import type { MaintenanceState } from '../../shared/maintenance.js';
import type { ServiceFacts } from '../../shared/status.js';
import type { CheckResult } from '../../shared/types.js';
import type { SessionState } from '../zk/session.js';

export interface SessionFacts {
  readonly state: SessionState;
  /** Hex, while connected. */
  readonly id: string | null;
  readonly negotiatedTimeoutMs: number;
  /** How long no server has answered; 0 while connected. */
  readonly unreachableForMs: number;
}

export interface DaemonEvents {
  /** Every check result (secrets already blotted out). */
  result: [service: string, result: CheckResult];
  /** A server answers; `fresh` when this is a new session. */
  sessionConnected: [fresh: boolean];
  /** The session is gone (expired, or silent past its timeout). */
  sessionLost: [];
  /** A ZooKeeper read or write for a registration failed (one `zk_sync_failed` line); it is retried. */
  syncFailed: [];
}

/** As Prometheus reports its own: the config read at start counts as the first successful load. */
export interface ReloadFacts {
  readonly lastSuccessful: boolean;
  /** Epoch ms of the last config applied (at start, or by a reload). */
  readonly lastSuccessAt: number;
}

export interface DaemonView {
  /** Epoch ms. */
  readonly startedAt: number;
  readonly maintenanceDir: string;
  lifecycle(): LifecycleState;
  session(): SessionFacts;
  services(): ServiceFacts[];
  hostMaintenance(): boolean;
  /** What is in maintenance and why (the flag files' notes); optional so a fake view may leave it out. */
  maintenance?(): MaintenanceState;
  checks(): { readonly queued: number; readonly running: number };
  /** What the check engine's liveness (and so the systemd watchdog) is judged on. */
  engine(): EngineFacts;
  reload(): ReloadFacts;
  /** When our client certificate for ZooKeeper (--zk-tls-cert) stops being valid, epoch ms; null without one. Optional so a fake view may leave it out. */
  zkTlsClientCertValidTo?(): number | null;
  /** Our client certificate's subject and whether our nodes' ACL names it (a reload must keep it); null without one. */
  zkTlsIdentity?(): { readonly subject: string; readonly pinned: boolean } | null;
  on<E extends keyof DaemonEvents>(event: E, listener: (...args: DaemonEvents[E]) => void): void;
}
