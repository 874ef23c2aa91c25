// --from-env: the original Docker image's variables -> one [service] Config, checked by the
// same rules as an INI file (buildConfig), with problems named by variable. Pure: values in.
//
// What nextdoor/zkwatcher's entrypoint.sh did, and we keep:
//   ZK_PATH, SVC_HOST, SVC_PORT, CMD required (an empty value counts as missing);
//   SVC_HOST, if unset, is read from /tmp/hostname when that file exists;
//   REFRESH 30; ZOOKEEPER_HOST the default gateway (DOCKER_HOST_IP); ZOOKEEPER_PORT 2181;
//   VERBOSE: any non-empty value turns on verbose logs (even "false");
//   WAIT_TIME seconds slept before starting; DRAIN_TIME seconds before exiting on SIGTERM.
// Ours: STATUS_PORT, the status server's port (0 or off: none), over the command line's.
// Ours too: ZK_TLS, ZK_TLS_CA, ZK_TLS_CERT, ZK_TLS_KEY, ZK_TLS_VERIFY_HOSTNAME and ZK_ACL, the
// --zk-tls* and --zk-acl flags (shared/zk-tls-args.ts), over the command line's when set.
// Ours too: ZK_FORMAT, the service's registry format (the `format` key), when set.
// Ours too: the check kinds and their most needed options, each the key of its name in lower
// case (HTTP is `http`, GRPC_SERVICE `grpc_service`...), a line only when set; CMD is then
// required only when no HTTP, TCP or GRPC is set. HTTP_HEADERS may hold one header per line.

import { buildConfig } from './config.js';
import type { Problem } from './problems.js';
import { connectStringProblem } from './servers.js';
import { parseStatusPort } from './status-args.js';
import type { Config } from './types.js';
import { zkTlsFromEnv, type ZkAclMode, type ZkTlsSettings } from './zk-tls-args.js';

/** What the effectful side read for us (null: not available). */
export interface EnvFacts {
  /** The default gateway's IPv4 address: the Docker host, seen from a bridged container. */
  readonly defaultGateway: string | null;
  /** The contents of /tmp/hostname, if the file exists. */
  readonly hostnameFile: string | null;
}

export interface FromEnvSettings {
  readonly config: Config;
  /** The connect string: ZOOKEEPER_HOST:ZOOKEEPER_PORT. */
  readonly servers: string;
  readonly verbose: boolean;
  readonly waitTimeS: number;
  readonly drainTimeS: number;
  /** STATUS_PORT: a port, null for none (0 or off), undefined when not set (the command line's stands). */
  readonly statusPort: number | null | undefined;
  /** ZK_TLS_*: TLS to ZooKeeper; null for ZK_TLS=false (off, whatever the flags say), undefined when no variable is set (the command line's stands). */
  readonly zkTls: ZkTlsSettings | null | undefined;
  /** ZK_ACL; undefined when not set. */
  readonly zkAcl: ZkAclMode | undefined;
}

export type FromEnvResult =
  | { readonly ok: true; readonly settings: FromEnvSettings; readonly notes: readonly string[]; readonly warnings: readonly Problem[] }
  | { readonly ok: false; readonly problems: readonly Problem[] };

export const REQUIRED_VARIABLES = ['ZK_PATH', 'SVC_HOST', 'SVC_PORT', 'CMD'] as const;
/** The section name the original image wrote; it names the service in logs. */
export const FROM_ENV_SECTION = 'service';
const FALLBACK_ZOOKEEPER_HOST = 'localhost';
/** Valid values for the lines of variables that are missing or unusable (never registered: the result is an error). */
const STAND_INS: Readonly<Record<string, string>> = { CMD: 'true', REFRESH: '30', SVC_PORT: '1', SVC_HOST: 'stand-in.invalid', ZK_PATH: '/stand-in', ZK_FORMAT: 'zk_watcher' };
/** Optional variables and their keys: a line only when set, so unset they leave the section as the original image wrote it. */
const OPTIONAL_KEYS: readonly (readonly [string, string])[] = [
  ['format', 'ZK_FORMAT'],
  ['http', 'HTTP'],
  ['http_status', 'HTTP_STATUS'],
  ['http_expect', 'HTTP_EXPECT'],
  ['http_headers', 'HTTP_HEADERS'],
  ['tcp', 'TCP'],
  ['grpc', 'GRPC'],
  ['grpc_service', 'GRPC_SERVICE'],
  ['grpc_tls', 'GRPC_TLS'],
  ['tls_ca', 'TLS_CA'],
  ['tls_server_name', 'TLS_SERVER_NAME'],
  ['tls_skip_verify', 'TLS_SKIP_VERIFY'],
];
/** Any of these is a check: with one, CMD may be left out. */
export const CHECK_KIND_VARIABLES = ['HTTP', 'TCP', 'GRPC'] as const;
/** Variables whose value may have several lines (one header each), written as continuation lines. */
const MULTI_LINE = new Set(['HTTP_HEADERS']);

type Env = Readonly<Record<string, string | undefined>>;

export function settingsFromEnv(env: Env, facts: EnvFacts): FromEnvResult {
  const problems: Problem[] = [];
  const notes: string[] = [];
  const bad = (variable: string, message: string): void => {
    problems.push({ file: `environment variable ${variable}`, line: 0, message, severity: 'error' });
  };
  // The entrypoint used ${VAR:-default}: an empty value is the same as an unset one.
  const get = (name: string): string | undefined => (env[name] === undefined || env[name] === '' ? undefined : env[name]);

  let svcHost = get('SVC_HOST');
  if (svcHost === undefined && facts.hostnameFile !== null && facts.hostnameFile.trim() !== '') {
    svcHost = facts.hostnameFile.trim();
    notes.push(`SVC_HOST is not set: using ${svcHost} from /tmp/hostname`);
  }
  const values: Record<string, string | undefined> = {
    ZK_PATH: get('ZK_PATH'),
    SVC_HOST: svcHost,
    // entrypoint.sh ran `eval echo` on SVC_PORT, so `\$APACHE_PORT_80_TCP_PORT` worked.
    SVC_PORT: expandVariables(get('SVC_PORT'), env),
    CMD: get('CMD'),
    REFRESH: get('REFRESH') ?? '30',
    ...Object.fromEntries(OPTIONAL_KEYS.map(([, name]) => [name, get(name)])),
  };
  const kindSet = CHECK_KIND_VARIABLES.some((name) => values[name] !== undefined);
  for (const name of REQUIRED_VARIABLES) {
    if (values[name] !== undefined) continue;
    if (name === 'CMD' && kindSet) continue;
    if (name === 'SVC_PORT' && get('SVC_PORT') !== undefined) bad(name, `'${get('SVC_PORT')}' expands to nothing (its variables are not set)`);
    else bad(name, `is required by --from-env and is not set`);
  }
  // One INI line per variable, so a problem's line number tells which variable it came from.
  const lines: [string, string][] = [
    // Without CMD, a check kind variable stands for it.
    ...(values.CMD === undefined && kindSet ? [] : [['cmd', 'CMD'] as [string, string]]),
    ['refresh', 'REFRESH'],
    ['service_port', 'SVC_PORT'],
    ['service_hostname', 'SVC_HOST'],
    ['zookeeper_path', 'ZK_PATH'],
    // Optional, so a line only when set: unset, the format is zk_watcher's, as the original image's.
    ...OPTIONAL_KEYS.filter(([, name]) => values[name] !== undefined).map(([key, name]) => [key, name] as [string, string]),
  ];
  for (const [, name] of lines) {
    if (!MULTI_LINE.has(name) && /[\r\n]/.test(values[name] ?? '')) bad(name, 'must be a single line');
  }

  const port = number(get('ZOOKEEPER_PORT') ?? '2181', 'ZOOKEEPER_PORT', bad, { integer: true, min: 1, max: 65535 });
  const host = get('ZOOKEEPER_HOST') ?? facts.defaultGateway ?? FALLBACK_ZOOKEEPER_HOST;
  if (get('ZOOKEEPER_HOST') === undefined) {
    notes.push(facts.defaultGateway !== null
      ? `ZOOKEEPER_HOST is not set: using the default gateway ${host} (the Docker host)`
      : `ZOOKEEPER_HOST is not set and there is no default gateway: using ${host}`);
  }
  const servers = `${host}:${get('ZOOKEEPER_PORT') ?? '2181'}`;
  if (port !== undefined) {
    const serverProblem = connectStringProblem(servers);
    if (serverProblem !== null) bad('ZOOKEEPER_HOST', `'${host}' does not make a ZooKeeper address: ${serverProblem}`);
  }
  const waitTimeS = number(get('WAIT_TIME') ?? '0', 'WAIT_TIME', bad, { integer: false, min: 0, max: 86_400 });
  const drainTimeS = number(get('DRAIN_TIME') ?? '0', 'DRAIN_TIME', bad, { integer: false, min: 0, max: 86_400 });
  const statusPort = statusPortOf(get('STATUS_PORT'), bad);
  const zk = zkTlsFromEnv(env, bad);
  // A missing or multi-line value is already reported: a valid stand-in takes its line, so the
  // section's rules still judge every other variable and the operator sees every problem at once.
  const unusable = new Set(lines.filter(([, name]) => values[name] === undefined || (!MULTI_LINE.has(name) && /[\r\n]/.test(values[name]!))).map(([, name]) => name));
  const value = (name: string): string => (unusable.has(name) ? STAND_INS[name]! : values[name]!);

  // configparser would interpolate '%': double it so the value arrives as the operator wrote it.
  // A multi-line value becomes continuation lines; lineOf[i] names the variable of line i + 2.
  const textLines: string[] = [];
  const lineOf: string[] = [];
  for (const [key, name] of lines) {
    // An optional variable already refused has no stand-in: its line is left out.
    if (unusable.has(name) && STAND_INS[name] === undefined) continue;
    const parts = MULTI_LINE.has(name) ? value(name).split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '') : [value(name)];
    parts.forEach((part, i) => {
      textLines.push(`${i === 0 ? `${key}: ` : '  '}${part.replace(/%/g, '%%')}\n`);
      lineOf.push(name);
    });
  }
  const text = `[${FROM_ENV_SECTION}]\n${textLines.join('')}`;
  const built = buildConfig([{ file: 'environment', text }]);
  const renamed = built.problems.flatMap((p): Problem[] => {
    const name = p.line >= 2 ? lineOf[p.line - 2] : undefined;
    if (name !== undefined && unusable.has(name)) return [];
    return [{ ...p, file: name === undefined ? 'environment' : `environment variable ${name}`, line: 0 }];
  });
  if (unusable.size > 0) return { ok: false, problems: [...problems, ...renamed] };
  if (built.config === null || problems.length > 0) return { ok: false, problems: [...problems, ...renamed] };
  return {
    ok: true,
    notes,
    warnings: renamed,
    settings: { config: built.config, servers, verbose: get('VERBOSE') !== undefined, waitTimeS: waitTimeS!, drainTimeS: drainTimeS!, statusPort, zkTls: zk.tls, zkAcl: zk.acl },
  };
}

/** STATUS_PORT -> a port, null (0 or off: no status server), or undefined (not set); a bad value is reported. */
function statusPortOf(raw: string | undefined, bad: (variable: string, message: string) => void): number | null | undefined {
  if (raw === undefined) return undefined;
  // Exactly as the image's HEALTHCHECK (a shell test) reads it: no case folding, no spaces.
  if (raw === '0' || raw === 'off') return null;
  const port = /^[0-9]+$/.test(raw) ? parseStatusPort(raw) : 'not a number';
  if (typeof port === 'number') return port;
  bad('STATUS_PORT', `must be a port from 1 to 65535, or 0 or off for no status server, got '${raw}'`);
  return undefined;
}

/** `$NAME` and `${NAME}` from env (unset: empty), as the entrypoint's `eval echo` did for plain references. */
export function expandVariables(value: string | undefined, env: Env): string | undefined {
  if (value === undefined) return undefined;
  const expanded = value.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_m, braced: string | undefined, bare: string | undefined) => env[(braced ?? bare)!] ?? '');
  return expanded === '' ? undefined : expanded;
}

function number(
  raw: string,
  name: string,
  bad: (variable: string, message: string) => void,
  rule: { integer: boolean; min: number; max: number },
): number | undefined {
  const n = (rule.integer ? /^[0-9]+$/ : /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/).test(raw) ? Number(raw) : NaN;
  if (!(n >= rule.min && n <= rule.max)) {
    bad(name, `must be a ${rule.integer ? 'whole number' : 'number of seconds'} from ${rule.min} to ${rule.max}, got '${raw}'`);
    return undefined;
  }
  return n;
}

/**
 * The default route's gateway from /proc/net/route text (what `route -n | awk '/UG/'` gave the
 * entrypoint): destination 0, RTF_UP|RTF_GATEWAY set, addresses in little-endian hex.
 */
export function defaultGatewayFromRouteTable(text: string): string | null {
  for (const line of text.split('\n').slice(1)) {
    const [, destination, gateway, flags] = line.trim().split(/\s+/);
    if (destination !== '00000000' || gateway === undefined || !/^[0-9A-Fa-f]{8}$/.test(gateway)) continue;
    if ((parseInt(flags ?? '0', 16) & 0x3) !== 0x3) continue;
    const bytes = [6, 4, 2, 0].map((i) => parseInt(gateway.slice(i, i + 2), 16));
    return bytes.join('.');
  }
  return null;
}
