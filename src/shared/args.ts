// The command line: zk_watcher's flags, unchanged, plus our own. Pure: argv in, options out.

import { parseArgs } from 'node:util';
import { DEFAULT_MAINTENANCE_DIR, DEFAULT_STATUS_ADDRESS, DEFAULT_STATUS_PORT, parseStatusAddress, parseStatusPort } from './status-args.js';
import { facilityCode, syslogIdentity } from './syslog.js';
import { isLogFormat, LOG_FORMATS, type LogFormat } from './log-text.js';
import { zkTlsFromFlags, type ZkAclMode, type ZkTlsSettings } from './zk-tls-args.js';

export interface Options {
  readonly configPaths: readonly string[];
  readonly servers: string;
  readonly verbose: boolean;
  readonly syslog: boolean;
  /** With --syslog: the syslog daemon's socket, if not logger(1)'s default (/dev/log). */
  readonly syslogSocket: string | null;
  /** With --syslog: the tag (program name) and facility each line is sent with. */
  readonly syslogTag: string;
  readonly syslogFacility: string;
  /** auto: text when stdout is a terminal, pino's JSON otherwise. */
  readonly logFormat: LogFormat;
  readonly printConfig: boolean;
  /** Validate the config as start and reload would, print its problems, exit 0 or 2. */
  readonly checkConfig: boolean;
  /** With checkConfig: warnings fail the check too (exit 2). */
  readonly strict: boolean;
  /** Requested session timeout in ms; the server's negotiated value is what counts. */
  readonly sessionTimeoutMs: number;
  /** How many checks may run at once across all services. */
  readonly maxConcurrentChecks: number;
  /** ZooKeeper creates and updates per second, at most. */
  readonly maxWritesPerSecond: number;
  /** Seconds between `engine_stats` log lines; 0: none. */
  readonly statsIntervalS: number;
  /** Serve /status and /metrics on this port (null: no server). */
  readonly statusPort: number | null;
  readonly statusAddress: string;
  /** zkwatcher_check_duration_seconds: one histogram per service, one for the agent, or none. */
  readonly durationHistogram: DurationHistogram;
  readonly maintenanceDir: string;
  /** Run every check once, print a report, exit 0/1; never connects to ZooKeeper. */
  readonly once: boolean;
  /** With --once: the report as JSON. */
  readonly json: boolean;
  /** One service from the original Docker image's variables instead of -c. */
  readonly fromEnv: boolean;
  /** TLS to ZooKeeper (--zk-tls...; null: plain TCP). */
  readonly zkTls: ZkTlsSettings | null;
  /** --zk-acl: the ACL of our nodes (auto: digest with [auth], x509 with a client certificate, else open). */
  readonly zkAcl: ZkAclMode;
}

export type ParsedArgs =
  | { readonly kind: 'run'; readonly options: Options }
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'error'; readonly message: string };

export const DEFAULT_CONFIG = '/etc/zk/config.cfg';
export const DEFAULT_SERVERS = 'localhost:2181';

export const USAGE = `Usage: zk-watcher [options]

Registers this host's services in ZooKeeper while their health checks pass.

Options (zk_watcher's, unchanged):
  -c, --config FILE      config file (default ${DEFAULT_CONFIG}); repeat for more files
  -s, --server HOSTS     ZooKeeper connect string: host:port[,host:port...][/chroot]
                         (default ${DEFAULT_SERVERS})
  -v, --verbose          log debug events too
  -l, --syslog           log to syslog (through logger(1)) instead of stdout
      --version          print the version and exit
  -h, --help             print this help and exit

Options (zk-watcher's own):
      --syslog-socket PATH
                         with -l: the syslog socket (default: logger(1)'s, /dev/log)
      --syslog-tag TAG   with -l: the tag of each line (default: zk-watcher; run as
                         zk_watcher, the original's zk_watcher)
      --syslog-facility NAME
                         with -l: daemon, syslog, user, local0..local7, ... (default:
                         daemon; run as zk_watcher, the original's syslog)
      --log-format auto|json|text
                         one JSON object a line (for machines, jq, journald) or
                         one readable line an event (default auto: text when
                         stdout is a terminal, JSON otherwise)
      --print-config     print the parsed services as JSON and exit (never the password)
      --check-config     check the config as a start or reload would, print every
                         problem, exit 0 if it can be used and 2 if not (the unit's
                         ExecReload= runs this before it signals the agent); the
                         same as the check command
      --session-timeout SECONDS
                         ZooKeeper session timeout to request (default 10)
      --max-concurrent-checks N
                         checks that may run at once (default 256)
      --max-writes-per-second N
                         ZooKeeper creates/updates per second, at most, after a
                         burst of twice that (default 500; deletes are never held back)
      --stats-interval SECONDS
                         log an engine_stats line (checks/s, schedule lag,
                         event-loop delay, queue) this often (default 60; 0: never)
      --once             run every check once, print a table, exit 0 if all passed
                         and 1 if not; never connects to ZooKeeper
      --json             with --once: print the results as JSON instead
      --from-env         configure one service from the Docker image's variables
                         (ZK_PATH, SVC_HOST, SVC_PORT, CMD, ...) instead of -c and -s
      --status-port PORT serve GET /status (JSON) and GET /metrics (Prometheus)
                         on this port (default, or off: no server)
      --status-address ADDR
                         the address to serve them on (default ${DEFAULT_STATUS_ADDRESS})
      --duration-histogram service|agent|off
                         /metrics' check-duration histogram: per service (17
                         series each), one for the whole agent, or none (default
                         agent: bounded at any number of services)
      --maintenance-dir DIR
                         DIR/all takes the host out of the registry, DIR/SERVICE
                         one service; a local directory, read each second (default ${DEFAULT_MAINTENANCE_DIR})
      --zk-tls           TLS to every ZooKeeper server (its secureClientPort);
                         any --zk-tls-* option implies it
      --zk-tls-ca FILE   PEM CA bundle the servers' certificates must chain to
                         (default: Node's built-in CAs)
      --zk-tls-cert FILE, --zk-tls-key FILE
                         client certificate and its unencrypted key (PEM); re-read
                         on SIGHUP
      --zk-tls-no-verify-hostname
                         do not check that a server's certificate names its host
      --zk-acl auto|open our nodes' ACL: auto (default) is digest(user) ALL with
                         [auth], else x509:SUBJECT ALL with a client certificate,
                         each plus world READ, else open; open: world:anyone ALL

Commands (each has its own --help):
  zk-watcher check -c FILE... [--strict]
                         check the config (as --check-config); with --strict,
                         warnings such as an unknown key fail it too
  zk-watcher status [--status-port PORT] [--status-address ADDR] [--json]
                         show a running agent's services as a table (default
                         127.0.0.1:${DEFAULT_STATUS_PORT}); exit 3 not connected, 4 not registered
  zk-watcher maint [on|off] [SERVICE] [--reason TEXT]
                         take the host (or SERVICE) out of the registry and put
                         it back, saying why; alone: what is in maintenance
  zk-watcher registry [-c FILE] [-s HOSTS] [--json]
                         what ZooKeeper holds for this host against what the
                         agent wants; exit 3 when they disagree

Exit codes: 0 stopped cleanly; 1 failed at run time; 2 bad command line or config.`;

export const CHECK_USAGE = `Usage: zk-watcher check [-c FILE]... [--strict] [the agent's options]

Checks the config exactly as a start or a reload would (every rule, including two
sections that would register the same node on this host), prints every problem as
FILE:LINE: message (key: KEY), and starts nothing. For CI, and for the unit's
ExecReload= before it signals the agent. The agent's other options are accepted and
checked too, so ExecReload= can pass the same ones as ExecStart=.

  -c, --config FILE      config file or directory (default ${DEFAULT_CONFIG}); repeat for more
      --strict           warnings fail the check too: an unknown key (a typo such as
                         zookeper_data, which would leave the node without its data),
                         a path written in a way that is read otherwise, no service
      --from-env         check the service the Docker image's variables describe
  -h, --help             print this help and exit

Exit codes: 0 the config can be used; 2 it has errors (or, with --strict, warnings),
or the command line is wrong.`;

/** Every option; `multiple` only where repeating means more (each -c adds a file). */
const OPTIONS = {
  config: { type: 'string', short: 'c', multiple: true },
  server: { type: 'string', short: 's' },
  verbose: { type: 'boolean', short: 'v' },
  syslog: { type: 'boolean', short: 'l' },
  'syslog-socket': { type: 'string' },
  'syslog-tag': { type: 'string' },
  'syslog-facility': { type: 'string' },
  'log-format': { type: 'string' },
  version: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  'print-config': { type: 'boolean' },
  'check-config': { type: 'boolean' },
  strict: { type: 'boolean' },
  'session-timeout': { type: 'string' },
  'max-concurrent-checks': { type: 'string' },
  'max-writes-per-second': { type: 'string' },
  'stats-interval': { type: 'string' },
  'status-port': { type: 'string' },
  'status-address': { type: 'string' },
  'duration-histogram': { type: 'string' },
  'maintenance-dir': { type: 'string' },
  once: { type: 'boolean' },
  json: { type: 'boolean' },
  'from-env': { type: 'boolean' },
  'zk-tls': { type: 'boolean' },
  'zk-tls-ca': { type: 'string' },
  'zk-tls-cert': { type: 'string' },
  'zk-tls-key': { type: 'string' },
  'zk-tls-no-verify-hostname': { type: 'boolean' },
  'zk-acl': { type: 'string' },
} as const satisfies NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/** zk_watcher's long options (optparse, with its --help and --version). */
const ORIGINAL_LONG = ['config', 'server', 'verbose', 'syslog', 'help', 'version'] as const;

/**
 * optparse took any unique prefix of a long option (`--conf=x`, `--serv`, `--verb`); hosts'
 * command lines still use them. Each such prefix of one of zk_watcher's own options becomes
 * that option; exact names of ours are left alone, and so is everything else (parseArgs judges it).
 */
export function expandOriginalPrefixes(argv: readonly string[], takesValue: (name: string) => boolean): string[] | { error: string } {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    // -c FILE, -s HOSTS (also -vc FILE): the next word is the value, even one that starts
    // with a dash, as optparse took it (parseArgs wants those as --config=VALUE).
    // Only zk_watcher's boolean flags may come first: in `-cservices` the rest is the value.
    const short = /^-([vlh]*)([cs])$/.exec(arg);
    if (short !== null && i + 1 < argv.length) {
      if (short[1] !== '') out.push(`-${short[1]}`);
      out.push(`--${short[2] === 'c' ? 'config' : 'server'}=${argv[++i]!}`);
      continue;
    }
    if (!arg.startsWith('--') || arg === '--') {
      out.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    let full = name;
    if (!(name in OPTIONS)) {
      const matches = ORIGINAL_LONG.filter((o) => o.startsWith(name));
      if (matches.length > 1) return { error: `option --${name} is ambiguous: ${matches.map((m) => `--${m}`).join(', ')}?` };
      if (matches.length === 1) full = matches[0]!;
    }
    // Without `=`, the next word is this option's value, whatever it looks like.
    if (eq === -1 && takesValue(full) && i + 1 < argv.length) out.push(`--${full}=${argv[++i]!}`);
    else out.push(eq === -1 ? `--${full}` : `--${full}${arg.slice(eq)}`);
  }
  return out;
}


/**
 * `program`: the name we were run as (zk_watcher keeps the original's syslog identity).
 * `subcommand` 'check': `zk-watcher check ...`, which is --check-config with --strict allowed.
 */
export function parseCommandLine(argv: readonly string[], program = 'zk-watcher', subcommand: 'check' | null = null): ParsedArgs {
  const expanded = expandOriginalPrefixes(argv, (name) => (OPTIONS as Record<string, { type: string }>)[name]?.type === 'string');
  if (!Array.isArray(expanded)) return { kind: 'error', message: expanded.error };
  let parsed;
  try {
    parsed = parseArgs({
      args: expanded,
      strict: true,
      allowPositionals: false,
      options: OPTIONS,
    });
  } catch (e) {
    return { kind: 'error', message: (e as Error).message };
  }
  const v = parsed.values;
  if (v.help === true) return { kind: 'help' };
  if (v.version === true) return { kind: 'version' };

  const servers = v.server ?? DEFAULT_SERVERS;
  if (servers.trim() === '') return { kind: 'error', message: '--server is empty' };

  const sessionTimeout = v['session-timeout'] === undefined ? 10 : Number(v['session-timeout']);
  if (!(sessionTimeout >= 1 && sessionTimeout <= 3600)) {
    return { kind: 'error', message: `--session-timeout must be a number of seconds from 1 to 3600, got '${v['session-timeout']}'` };
  }
  const concurrency = v['max-concurrent-checks'] === undefined ? 256 : Number(v['max-concurrent-checks']);
  if (!(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 100_000)) {
    return { kind: 'error', message: `--max-concurrent-checks must be a whole number from 1 to 100000, got '${v['max-concurrent-checks']}'` };
  }
  const writes = v['max-writes-per-second'] === undefined ? 500 : Number(v['max-writes-per-second']);
  if (!(Number.isInteger(writes) && writes >= 1 && writes <= 1_000_000)) {
    return { kind: 'error', message: `--max-writes-per-second must be a whole number from 1 to 1000000, got '${v['max-writes-per-second']}'` };
  }
  const statsInterval = v['stats-interval'] === undefined ? 60 : Number(v['stats-interval']);
  if (!(statsInterval >= 0 && statsInterval <= 86_400)) {
    return { kind: 'error', message: `--stats-interval must be a number of seconds from 0 to 86400, got '${v['stats-interval']}'` };
  }
  // off (or 0): no status server, so the unit's --status-port ${ZK_STATUS_PORT} can be turned off from /etc/default.
  const statusPort = v['status-port'] === undefined || v['status-port'] === 'off' || v['status-port'] === '0' ? null : parseStatusPort(v['status-port']);
  if (typeof statusPort === 'string') return { kind: 'error', message: statusPort };
  const statusAddress = parseStatusAddress(v['status-address'] ?? DEFAULT_STATUS_ADDRESS);
  if (typeof statusAddress !== 'string') return { kind: 'error', message: statusAddress.problem };
  const durationHistogram = v['duration-histogram'] ?? 'agent';
  if (!isDurationHistogram(durationHistogram)) return { kind: 'error', message: `--duration-histogram must be service, agent or off, got '${durationHistogram}'` };
  for (const flag of ['syslog-socket', 'syslog-tag', 'syslog-facility'] as const) {
    if (v[flag] !== undefined && v.syslog !== true) return { kind: 'error', message: `--${flag} needs -l/--syslog` };
  }
  const identity = syslogIdentity(program);
  const syslogFacility = v['syslog-facility'] ?? identity.facility;
  if (facilityCode(syslogFacility) === null) return { kind: 'error', message: `--syslog-facility '${syslogFacility}' is not a syslog facility (daemon, syslog, user, local0 ... local7, ...)` };
  const syslogTag = v['syslog-tag'] ?? identity.tag;
  if (!/^[!-~]{1,48}$/.test(syslogTag)) return { kind: 'error', message: `--syslog-tag must be 1 to 48 printable characters without spaces, got '${syslogTag}'` };
  const logFormat = v['log-format'] ?? 'auto';
  if (!isLogFormat(logFormat)) return { kind: 'error', message: `--log-format must be ${LOG_FORMATS.join(', ')}, got '${logFormat}'` };
  const maintenanceDir = v['maintenance-dir'] ?? DEFAULT_MAINTENANCE_DIR;
  if (maintenanceDir === '') return { kind: 'error', message: '--maintenance-dir is empty' };
  if (v.json === true && v.once !== true) return { kind: 'error', message: '--json only goes with --once' };
  const checkConfig = subcommand === 'check' || v['check-config'] === true;
  if (v.strict === true && !checkConfig) return { kind: 'error', message: '--strict only goes with check (zk-watcher check --strict -c FILE)' };
  const zk = zkTlsFromFlags(v);
  if ('error' in zk) return { kind: 'error', message: zk.error };
  if (v['from-env'] === true && (v.config !== undefined || v.server !== undefined)) {
    return { kind: 'error', message: '--from-env reads the service and the server from the environment; it cannot be combined with -c/--config or -s/--server' };
  }
  return {
    kind: 'run',
    options: {
      configPaths: v.config ?? [DEFAULT_CONFIG],
      servers: servers.trim(),
      verbose: v.verbose === true,
      syslog: v.syslog === true,
      syslogSocket: v['syslog-socket'] ?? null,
      syslogTag,
      syslogFacility,
      logFormat,
      printConfig: v['print-config'] === true,
      checkConfig,
      strict: v.strict === true,
      sessionTimeoutMs: Math.round(sessionTimeout * 1000),
      maxConcurrentChecks: concurrency,
      maxWritesPerSecond: writes,
      statsIntervalS: statsInterval,
      statusPort,
      statusAddress,
      durationHistogram,
      maintenanceDir,
      once: v.once === true,
      json: v.json === true,
      fromEnv: v['from-env'] === true,
      zkTls: zk.tls,
      zkAcl: zk.acl,
    },
  };
}

export const DURATION_HISTOGRAMS = ['service', 'agent', 'off'] as const;
export type DurationHistogram = (typeof DURATION_HISTOGRAMS)[number];

function isDurationHistogram(value: string): value is DurationHistogram {
  return (DURATION_HISTOGRAMS as readonly string[]).includes(value);
}
