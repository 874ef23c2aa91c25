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

/** TLS of an https:// URL, `tcp_tls` and `grpc_tls` (the keys tls_ca, tls_server_name, tls_skip_verify). */
export interface TlsOptions {
  /** Absolute path of a PEM file whose CAs are the only ones trusted; null: Node's built-in roots. */
  readonly ca: string | null;
  /** The name sent (SNI) and verified instead of the target's host; null: the target's host. */
  readonly serverName: string | null;
  /** Accept any certificate (the connection is still encrypted). */
  readonly skipVerify: boolean;
}

/** How an `http:` check asks and what its answer must be (the http_* keys). */
export interface HttpOptions {
  /** Upper case: GET, HEAD, POST, PUT, DELETE, OPTIONS or PATCH. */
  readonly method: string;
  /** Request headers as written, in order (a Host header replaces the URL's). */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string | null;
  /** Inclusive [low, high] ranges of the status codes that pass. */
  readonly status: readonly (readonly [number, number])[];
  /** A substring the body must contain (in its first 64 KiB). */
  readonly expect: string | null;
  /** A JavaScript regular expression the body must match (in its first 64 KiB). */
  readonly expectRegex: string | null;
  readonly followRedirects: boolean;
}

/** What a `tcp:` check does once connected (the tcp_* keys). */
export interface TcpOptions {
  /** Bytes to send, as written (\r \n \t \\ \xHH escapes decoded by the worker); null: send nothing. */
  readonly send: string | null;
  /** A reply substring, as written with the same escapes; null: connecting is enough. */
  readonly expect: string | null;
  readonly tls: boolean;
}

/** A `grpc: HOST:PORT` check: grpc.health.v1.Health/Check for one service name. */
export interface GrpcCheck {
  readonly target: TcpTarget;
  /** '' asks for the server as a whole. */
  readonly service: string;
  readonly tls: boolean;
}

export interface ServiceSpec {
  readonly name: string;
  /** The check kinds a section asked for; at least one is set, and all set must pass. */
  readonly cmd: string | null;
  /** `http: URL`: passes on a 2xx answer within the timeout. */
  readonly http: string | null;
  /** `tcp: HOST:PORT`: passes when a connection opens within the timeout. */
  readonly tcp: TcpTarget | null;
  /**
   * The options of the check kinds (issue 17). Absent in specs built by hand (tests): a GET
   * passing on 2xx, a bare connect, no grpc, the system's CAs. The config sets httpOptions
   * with http, tcpOptions with tcp, tls when something speaks TLS.
   */
  readonly httpOptions?: HttpOptions;
  readonly tcpOptions?: TcpOptions;
  readonly grpc?: GrpcCheck | null;
  readonly tls?: TlsOptions;
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
  /** tlsCaLine: where tls_ca was written, for the loader's "cannot read the CA file" error. */
  readonly source: SourceRef & { readonly tlsCaLine?: number };
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
  /** As in ServiceSpec; absent: the defaults (see checkJob in shared/check-job.ts). */
  readonly httpOptions?: HttpOptions;
  readonly tcpOptions?: TcpOptions;
  readonly grpc?: GrpcCheck | null;
  readonly tls?: TlsOptions;
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
