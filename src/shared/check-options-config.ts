// A service section's check-kind options (http_*, tcp_*, grpc, grpc_*, tls_*) -> the values
// the worker runs with, or problems at FILE:LINE naming the key. Pure; called by readService.
//
// An option written in a section that lacks its kind (http_expect without http) is an error,
// not a warning: its author believes something is checked that is not. The same option in
// [DEFAULT] is inherited only where it applies and ignored elsewhere, since [DEFAULT] is
// meant for keys shared by sections of several kinds.

import { parseTcpTarget } from './check-target.js';
import {
  DEFAULT_HTTP_OPTIONS,
  MATCH_WINDOW_BYTES,
  decodeEscapes,
  parseBoolean,
  parseHeaders,
  parseMethod,
  parseStatusList,
  regexProblem,
  serverNameProblem,
} from './check-options.js';
import type { GrpcCheck, HttpOptions, TcpOptions, TlsOptions } from './types.js';

export const HTTP_OPTION_KEYS = ['http_method', 'http_headers', 'http_body', 'http_status', 'http_expect', 'http_expect_regex', 'http_follow_redirects'] as const;
export const TCP_OPTION_KEYS = ['tcp_send', 'tcp_expect', 'tcp_tls'] as const;
export const GRPC_OPTION_KEYS = ['grpc_service', 'grpc_tls'] as const;
export const TLS_KEYS = ['tls_ca', 'tls_server_name', 'tls_skip_verify'] as const;
/** Every option key, for the list of known keys. */
export const CHECK_OPTION_KEYS = [...HTTP_OPTION_KEYS, ...TCP_OPTION_KEYS, ...GRPC_OPTION_KEYS, ...TLS_KEYS] as const;

type Raw = { readonly value: string; readonly line: number };

export interface OptionContext {
  /** The key's value, own or from [DEFAULT]; undefined when unset or already reported as unreadable. */
  readonly read: (key: string) => Raw | undefined;
  /** Whether the section itself writes the key (not only [DEFAULT]). */
  readonly own: (key: string) => boolean;
  /** An error; the caller prefixes the section. */
  readonly fail: (line: number, message: string, key: string) => void;
  /** A warning; the caller prefixes the section. */
  readonly warn: (line: number, message: string, key: string) => void;
}

/** The kinds the section set (already validated by readService). */
export interface SectionKinds {
  readonly http: string | null;
  readonly tcp: boolean;
  readonly grpc: Raw | undefined;
}

export interface SectionCheckOptions {
  readonly httpOptions?: HttpOptions;
  readonly tcpOptions?: TcpOptions;
  readonly grpc: GrpcCheck | null;
  readonly tls?: TlsOptions;
  readonly tlsCaLine?: number;
}

export function readCheckOptions(ctx: OptionContext, kinds: SectionKinds): SectionCheckOptions {
  /** The key's value when its kind is set; an error when the section writes it without its kind. */
  const option = (key: string, applies: boolean, kind: string): Raw | undefined => {
    if (applies) return ctx.read(key);
    if (ctx.own(key)) {
      const raw = ctx.read(key);
      if (raw !== undefined) ctx.fail(raw.line, `${key} applies to ${kind}, and this section has none`, key);
    }
    return undefined;
  };
  const flag = (key: string, raw: Raw | undefined): boolean => {
    if (raw === undefined) return false;
    const b = parseBoolean(raw.value);
    if (typeof b === 'string') {
      ctx.fail(raw.line, `${key} ${b}`, key);
      return false;
    }
    return b;
  };

  const http = kinds.http !== null;
  const httpOptions = http ? readHttp(ctx, option) : undefined;
  if (!http) for (const key of HTTP_OPTION_KEYS) option(key, false, 'an http check');

  const tcpTls = flag('tcp_tls', option('tcp_tls', kinds.tcp, 'a tcp check'));
  const tcpOptions: TcpOptions | undefined = kinds.tcp
    ? { send: escaped(ctx, 'tcp_send', ctx.read('tcp_send')), expect: escaped(ctx, 'tcp_expect', ctx.read('tcp_expect')), tls: tcpTls }
    : undefined;
  if (!kinds.tcp) for (const key of ['tcp_send', 'tcp_expect']) option(key, false, 'a tcp check');

  const grpcTls = flag('grpc_tls', option('grpc_tls', kinds.grpc !== undefined, 'a grpc check'));
  const serviceRaw = option('grpc_service', kinds.grpc !== undefined, 'a grpc check');
  if (serviceRaw !== undefined && /[\x00-\x1f\x7f]/.test(serviceRaw.value)) ctx.fail(serviceRaw.line, 'grpc_service has a control character', 'grpc_service');
  let grpc: GrpcCheck | null = null;
  if (kinds.grpc !== undefined) {
    const target = parseTcpTarget(kinds.grpc.value);
    if (typeof target === 'string') ctx.fail(kinds.grpc.line, `grpc '${kinds.grpc.value}' ${target}`, 'grpc');
    else grpc = { target, service: serviceRaw?.value ?? '', tls: grpcTls };
  }

  // A redirect may lead an http:// check to https://, where the TLS keys then apply.
  const tlsUsed = (kinds.http !== null && (/^https:/i.test(kinds.http) || httpOptions?.followRedirects === true)) || tcpTls || grpcTls;
  const tlsKind = 'an https:// URL, tcp_tls or grpc_tls';
  const caRaw = option('tls_ca', tlsUsed, tlsKind);
  const nameRaw = option('tls_server_name', tlsUsed, tlsKind);
  const skipRaw = option('tls_skip_verify', tlsUsed, tlsKind);
  if (!tlsUsed) return { httpOptions, tcpOptions, grpc };
  const skipVerify = flag('tls_skip_verify', skipRaw);
  if (caRaw !== undefined) {
    // The agent's working directory is / under systemd: a relative path would mean something else there.
    if (!caRaw.value.startsWith('/')) ctx.fail(caRaw.line, `tls_ca must be an absolute path, got '${caRaw.value}'`, 'tls_ca');
    else if (skipVerify) ctx.warn(caRaw.line, `tls_ca '${caRaw.value}' is not used: tls_skip_verify is on, so no certificate is verified`, 'tls_ca');
  }
  if (nameRaw !== undefined) {
    const bad = serverNameProblem(nameRaw.value);
    if (bad !== null) ctx.fail(nameRaw.line, `tls_server_name ${bad}`, 'tls_server_name');
  }
  const tls: TlsOptions = { ca: caRaw?.value ?? null, serverName: nameRaw?.value ?? null, skipVerify };
  return { httpOptions, tcpOptions, grpc, tls, ...(caRaw === undefined || skipVerify ? {} : { tlsCaLine: caRaw.line }) };
}

function readHttp(ctx: OptionContext, option: (key: string, applies: boolean, kind: string) => Raw | undefined): HttpOptions {
  const get = (key: string): Raw | undefined => option(key, true, 'an http check');
  const methodRaw = get('http_method');
  let method = DEFAULT_HTTP_OPTIONS.method;
  if (methodRaw !== undefined) {
    const m = parseMethod(methodRaw.value);
    if (typeof m === 'string') method = m;
    else ctx.fail(methodRaw.line, `http_method ${m.problem}`, 'http_method');
  }
  const headersRaw = get('http_headers');
  let headers: HttpOptions['headers'] = [];
  if (headersRaw !== undefined) {
    const h = parseHeaders(headersRaw.value);
    if (typeof h === 'string') ctx.fail(headersRaw.line, `http_headers ${h}`, 'http_headers');
    else headers = h;
  }
  const bodyRaw = get('http_body');
  if (bodyRaw !== undefined) {
    if (method === 'HEAD') ctx.fail(bodyRaw.line, 'http_body cannot go with http_method HEAD', 'http_body');
    else if (method === 'GET') ctx.warn(bodyRaw.line, 'http_body is sent with a GET, which most servers ignore; did you mean http_method: POST?', 'http_body');
  }
  const statusRaw = get('http_status');
  let status = DEFAULT_HTTP_OPTIONS.status;
  if (statusRaw !== undefined) {
    const s = parseStatusList(statusRaw.value);
    if (typeof s === 'string') ctx.fail(statusRaw.line, `http_status ${s}`, 'http_status');
    else status = s;
  }
  const expectRaw = get('http_expect');
  const regexRaw = get('http_expect_regex');
  for (const [key, raw] of [['http_expect', expectRaw], ['http_expect_regex', regexRaw]] as const) {
    if (raw === undefined) continue;
    if (raw.value === '') ctx.fail(raw.line, `${key} is empty`, key);
    else if (method === 'HEAD') ctx.fail(raw.line, `${key} cannot go with http_method HEAD: a HEAD answer has no body`, key);
  }
  if (regexRaw !== undefined && regexRaw.value !== '') {
    const bad = regexProblem(regexRaw.value);
    if (bad !== null) ctx.fail(regexRaw.line, `http_expect_regex ${bad}`, 'http_expect_regex');
  }
  if (expectRaw !== undefined && new TextEncoder().encode(expectRaw.value).length > MATCH_WINDOW_BYTES) {
    ctx.fail(expectRaw.line, `http_expect is longer than the ${MATCH_WINDOW_BYTES / 1024} KiB of body searched`, 'http_expect');
  }
  const followRaw = get('http_follow_redirects');
  let followRedirects = false;
  if (followRaw !== undefined) {
    const b = parseBoolean(followRaw.value);
    if (typeof b === 'string') ctx.fail(followRaw.line, `http_follow_redirects ${b}`, 'http_follow_redirects');
    else followRedirects = b;
  }
  return { method, headers, body: bodyRaw?.value ?? null, status, expect: expectRaw?.value ?? null, expectRegex: regexRaw?.value ?? null, followRedirects };
}

function escaped(ctx: OptionContext, key: 'tcp_send' | 'tcp_expect', raw: Raw | undefined): string | null {
  if (raw === undefined) return null;
  const bytes = decodeEscapes(raw.value);
  if (!(bytes instanceof Uint8Array)) ctx.fail(raw.line, `${key} ${bytes.problem}`, key);
  else if (bytes.length === 0) ctx.fail(raw.line, `${key} is empty`, key);
  else if (key === 'tcp_expect' && bytes.length > MATCH_WINDOW_BYTES) ctx.fail(raw.line, `tcp_expect is longer than the ${MATCH_WINDOW_BYTES / 1024} KiB of reply searched`, key);
  return raw.value;
}
