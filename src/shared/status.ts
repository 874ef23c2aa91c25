// What GET /status answers and what `zk-watcher status` prints. Pure: the daemon's
// facts in, a JSON document or a table out. No secret reaches it: paths, results and
// output tails only, with the [auth] password blotted out of the free text.

import { describeNote, hostMaintenanceNote, maintenanceNoteOf, type MaintenanceNote, type MaintenanceState } from './maintenance.js';
import type { Registration } from './registration.js';
import { blot } from './secrets.js';
import type { RegistryFormat } from './formats/format.js';

export interface ServiceFacts {
  readonly name: string;
  readonly path: string;
  /** The registry format its node is written in; absent: zk_watcher. */
  readonly format?: RegistryFormat;
  readonly healthy: boolean | null;
  readonly registration: Registration;
  readonly maintenance: boolean;
  /** When the current health (including "unknown") began, epoch ms. */
  readonly healthSince: number;
  readonly lastResult: { readonly passed: boolean; readonly reason: string; readonly durationMs: number; readonly at: number; readonly outputTail: string } | null;
}

export interface AgentFacts {
  readonly version: string;
  readonly pid: number;
  readonly sessionState: string;
  readonly sessionId: string | null;
  readonly startedAt: number;
  readonly now: number;
  readonly hostMaintenance: boolean;
  readonly maintenanceDir: string;
  readonly services: readonly ServiceFacts[];
  /** What is in maintenance and why (the flag files' notes); without it no reasons are shown. */
  readonly maintenance?: MaintenanceState;
  /** When our client certificate for ZooKeeper stops being valid, epoch ms; null or absent without one. */
  readonly zkTlsClientCertValidTo?: number | null;
  /** Our certificate's subject, and whether our nodes' ACL names it (x509: a SIGHUP must keep it); null or absent without one. */
  readonly zkTlsIdentity?: { readonly subject: string; readonly pinned: boolean } | null;
}

export interface ServiceStatus {
  readonly name: string;
  readonly healthy: boolean | null;
  /** True only when ZooKeeper confirmed the node under the current, connected session. */
  readonly registered: boolean;
  /** registered, absent, or unconfirmed: contact was lost and the node may or may not be there. */
  readonly registration: Registration;
  readonly maintenance: boolean;
  /** Why it is in maintenance (its own flag file's note, else the host's); null when it is not. */
  readonly maintenanceNote: MaintenanceNote | null;
  readonly path: string;
  /** zk_watcher, curator, nerve or serverset (absent from agents older than formats). */
  readonly format?: string;
  readonly since: string;
  readonly lastResult: { readonly passed: boolean; readonly reason: string; readonly durationMs: number; readonly at: string } | null;
  readonly outputTail: string;
}

export interface StatusDocument {
  readonly agent: {
    readonly version: string;
    readonly pid: number;
    readonly sessionState: string;
    readonly sessionId: string | null;
    readonly startedAt: string;
    readonly uptimeSeconds: number;
    readonly hostMaintenance: boolean;
    /** DIR/all's note (reason, by, at) while the host is in maintenance, else null. */
    readonly hostMaintenanceNote: MaintenanceNote | null;
    readonly maintenanceDir: string;
    /** ISO time our client certificate for ZooKeeper (--zk-tls-cert) stops being valid; only with one. */
    readonly zkTlsClientCertValidTo?: string;
    /** Our client certificate's subject as ZooKeeper names us, and whether a reload must keep it (the x509 ACL); only with one. */
    readonly zkTlsSubject?: string;
    readonly zkTlsSubjectPinned?: boolean;
  };
  readonly services: readonly ServiceStatus[];
}


export function statusDocument(facts: AgentFacts, secret: string | null): StatusDocument {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    agent: {
      version: facts.version,
      pid: facts.pid,
      sessionState: facts.sessionState,
      sessionId: facts.sessionId,
      startedAt: iso(facts.startedAt),
      uptimeSeconds: Math.round((facts.now - facts.startedAt) / 1000),
      hostMaintenance: facts.hostMaintenance,
      hostMaintenanceNote: facts.maintenance === undefined ? null : hostMaintenanceNote(facts.maintenance),
      maintenanceDir: facts.maintenanceDir,
      ...(facts.zkTlsClientCertValidTo == null ? {} : { zkTlsClientCertValidTo: iso(facts.zkTlsClientCertValidTo) }),
      ...(facts.zkTlsIdentity == null ? {} : { zkTlsSubject: facts.zkTlsIdentity.subject, zkTlsSubjectPinned: facts.zkTlsIdentity.pinned }),
    },
    services: facts.services.map((s) => ({
      name: s.name,
      healthy: s.healthy,
      registered: s.registration === 'registered',
      registration: s.registration,
      maintenance: s.maintenance,
      maintenanceNote: !s.maintenance || facts.maintenance === undefined ? null : maintenanceNoteOf(facts.maintenance, s.name),
      path: s.path,
      // The agent always knows it; facts built without one (older callers, tests) leave it out.
      ...(s.format === undefined ? {} : { format: s.format }),
      since: iso(s.healthSince),
      lastResult:
        s.lastResult === null
          ? null
          : { passed: s.lastResult.passed, reason: blot(s.lastResult.reason, secret), durationMs: Math.round(s.lastResult.durationMs), at: iso(s.lastResult.at) },
      outputTail: blot(s.lastResult?.outputTail ?? '', secret),
    })),
  };
}

/** A fetched body -> the document, or why it is not one (an old agent, or something else on the port). */
export function parseStatusDocument(body: string): StatusDocument | string {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return 'the answer is not JSON';
  }
  const doc = value as Partial<StatusDocument> | null;
  if (doc === null || typeof doc !== 'object' || typeof doc.agent !== 'object' || doc.agent === null || !Array.isArray(doc.services)) {
    return 'the answer is not a zk-watcher status document';
  }
  return doc as StatusDocument;
}

/** 75 s -> "1m15s": how long ago, compact enough for a table. */
export function age(fromIso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(fromIso)) / 1000));
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d${hours % 24}h`;
}

/** The last non-blank line of an output tail, cut to `width` characters. */
export function oneLine(text: string, width: number): string {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  const last = (lines.at(-1) ?? '').replace(/[\x00-\x1f\x7f]/g, ' ');
  return last.length <= width ? last : last.slice(0, Math.max(0, width - 1)) + '…';
}

const OUTPUT_WIDTH = 60;
const REASON_WIDTH = 40;

/** yes, no, or unconfirmed (an agent from before `registration` existed says yes or no). */
function registrationWord(s: ServiceStatus): string {
  if (s.registration === 'unconfirmed') return 'unconfirmed';
  return s.registered ? 'yes' : 'no';
}

const MAINT_REASON_WIDTH = 30;

/** " (maint)", with the service's own reason when it has one (the host's is in the heading); '' when not in maintenance. */
function maintenanceWord(s: ServiceStatus, hostMaintenance: boolean): string {
  if (!s.maintenance) return '';
  const reason = hostMaintenance ? '' : (s.maintenanceNote?.reason ?? '');
  return reason === '' ? ' (maint)' : ` (maint: ${oneLine(reason, MAINT_REASON_WIDTH)})`;
}

export function statusTable(doc: StatusDocument, now: number): string {
  const a = doc.agent;
  const head = [
    `zk-watcher ${a.version}, pid ${a.pid}, up ${age(a.startedAt, now)}`,
    `session ${a.sessionState}${a.sessionId === null ? '' : ` (0x${a.sessionId})`}`,
    `host maintenance ${a.hostMaintenance ? `ON${a.hostMaintenanceNote == null ? '' : `: ${describeNote(a.hostMaintenanceNote)}`}` : 'off'}`,
  ].join('; ');
  const rows: string[][] = [['SERVICE', 'ZNODE', 'HEALTH', 'REGISTERED', 'LAST RESULT', 'SINCE', 'OUTPUT']];
  for (const s of doc.services) {
    const health = (s.healthy === null ? 'unknown' : s.healthy ? 'healthy' : 'unhealthy') + maintenanceWord(s, a.hostMaintenance);
    const last = s.lastResult === null ? '-' : `${s.lastResult.passed ? 'pass' : 'fail'} ${s.lastResult.durationMs}ms ${oneLine(s.lastResult.reason, REASON_WIDTH)}`.trim();
    // A format other than zk_watcher's is named beside the node, so the table stays as it was for the rest.
    const znode = s.format === undefined || s.format === 'zk_watcher' ? s.path : `${s.path} (${s.format})`;
    rows.push([s.name, znode, health, registrationWord(s), last, age(s.since, now), oneLine(s.outputTail, OUTPUT_WIDTH)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
  return [head, ...lines].join('\n') + '\n';
}

/** `zk-watcher status`'s exit codes (1, no agent answers, and 2, a bad command line, are the command's own). */
export const STATUS_EXIT = { ok: 0, notConnected: 3, notRegistered: 4 } as const;

export interface StatusVerdict {
  readonly code: (typeof STATUS_EXIT)[keyof typeof STATUS_EXIT];
  /** What is wrong, in one line; null when all is well. */
  readonly problem: string | null;
}

const NAMES_SHOWN = 5;

/**
 * Whether the agent does its job: its session is connected, and every service that passes
 * its checks and is not in maintenance is registered. A session that is not connected comes
 * first: no registration can be confirmed without one.
 */
export function statusVerdict(doc: StatusDocument): StatusVerdict {
  const state = doc.agent.sessionState;
  if (state !== 'connected') return { code: STATUS_EXIT.notConnected, problem: `the agent's ZooKeeper session is not connected (${state})` };
  const missing = doc.services.filter((s) => s.healthy === true && !s.maintenance && !doc.agent.hostMaintenance && !s.registered);
  if (missing.length === 0) return { code: STATUS_EXIT.ok, problem: null };
  const names = missing.slice(0, NAMES_SHOWN).map((s) => s.name).join(', ') + (missing.length > NAMES_SHOWN ? ` and ${missing.length - NAMES_SHOWN} more` : '');
  const count = missing.length === 1 ? '1 healthy service is' : `${missing.length} healthy services are`;
  return { code: STATUS_EXIT.notRegistered, problem: `${count} not registered (not in maintenance): ${names}` };
}
