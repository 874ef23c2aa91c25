// The plain-data contract shared by the main thread and the check workers.
// Everything here must survive structured clone: no classes, no functions.

import type { PyJsonObject } from './pyjson.js';
import type { FormatSpec } from './formats/format.js';

/** Where a value came from, so every message can name FILE:LINE. */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
}

/** What a section's `zookeeper_data` asked for: JSON object entries, or a bare JSON string. */
export type ZookeeperData =
  | { readonly kind: 'object'; readonly value: PyJsonObject }
  | { readonly kind: 'string'; readonly value: string };

/** A `tcp: HOST:PORT` check's target. */
export interface TcpTarget {
  readonly host: string;
  readonly port: number;
}

export interface ServiceSpec {
  readonly name: string;
  /** The check kinds a section asked for; at least one is set, and all set must pass. */
  readonly cmd: string | null;
  /** `http: URL`: passes on a 2xx answer within the timeout. */
  readonly http: string | null;
  /** `tcp: HOST:PORT`: passes when a connection opens within the timeout. */
  readonly tcp: TcpTarget | null;
  /** Seconds between the end of one check and the start of the next. */
  readonly refresh: number;
  /** Seconds a check may run before its whole process group is killed. */
  readonly timeout: number;
  readonly servicePort: number;
  /** null: this host's FQDN, resolved by the agent at start. */
  readonly serviceHostname: string | null;
  readonly zookeeperPath: string;
  readonly zookeeperData: ZookeeperData;
  /** The registry format of its node (`format` and its keys); absent in specs built by hand (tests): zk_watcher. */
  readonly format?: FormatSpec;
  /** Consecutive passes before registering / failures before removing. */
  readonly rise: number;
  readonly fall: number;
  readonly source: SourceRef;
}

export interface AuthSpec {
  readonly user: string;
  readonly password: string;
  readonly source: SourceRef;
}

export interface Config {
  readonly services: readonly ServiceSpec[];
  readonly auth: AuthSpec | null;
}

/** One run of one service's check, as sent to a worker. */
export interface CheckJob {
  readonly service: string;
  readonly cmd: string | null;
  readonly http: string | null;
  readonly tcp: TcpTarget | null;
  readonly timeoutMs: number;
}

/** The outcome of one check run, as a worker reports it. Never thrown: always data. */
export interface CheckResult {
  readonly service: string;
  readonly passed: boolean;
  /** Human-readable reason when not passed (exit code, signal, timeout, spawn error). */
  readonly reason: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
  /** The last few KiB of stdout+stderr. */
  readonly outputTail: string;
}
