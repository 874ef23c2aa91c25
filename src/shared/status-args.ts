// The flags of the status server and of `zk-watcher status`. Pure: argv in, options out.

import { isIP } from 'node:net';
import { parseArgs } from 'node:util';

export const DEFAULT_STATUS_ADDRESS = '127.0.0.1';
/** Where `zk-watcher status` asks when not told: the port the packaged unit serves on (the agent itself serves none unless asked). */
export const DEFAULT_STATUS_PORT = 9647;
export const DEFAULT_MAINTENANCE_DIR = '/var/lib/zk-watcher/maintenance';

/** A --status-port value -> the port, or why not. */
export function parseStatusPort(text: string): number | string {
  const port = Number(text);
  return /^\d+$/.test(text.trim()) && port >= 1 && port <= 65535 ? port : `--status-port must be a port from 1 to 65535, got '${text}'`;
}

/** A --status-address value -> the address, or why not (an IP address: we bind to it, we do not resolve names). */
export function parseStatusAddress(text: string): string | { problem: string } {
  return isIP(text) !== 0 ? text : { problem: `--status-address must be an IPv4 or IPv6 address (e.g. 127.0.0.1, 0.0.0.0, ::1), got '${text}'` };
}

/** The packaged unit's settings, where an operator changes its status port. */
export const UNIT_DEFAULTS_FILE = '/etc/default/zk-watcher';

/**
 * The port `status` and `registry` ask when no --status-port is given: $ZK_STATUS_PORT,
 * else the ZK_STATUS_PORT= the unit's defaults file sets (so a host that moved the unit's
 * port needs no flag), else DEFAULT_STATUS_PORT. Values that are not a port are passed over.
 */
export function defaultAgentPort(envValue: string | undefined, defaultsText: string | null): number {
  const fromEnv = envValue === undefined ? null : parseStatusPort(envValue);
  if (typeof fromEnv === 'number') return fromEnv;
  let fromFile: number | string | null = null;
  for (const line of (defaultsText ?? '').split('\n')) {
    const m = /^\s*(?:export\s+)?ZK_STATUS_PORT=(["']?)([^"'\s]*)\1\s*(?:#.*)?$/.exec(line);
    if (m !== null) fromFile = parseStatusPort(m[2]!);
  }
  return typeof fromFile === 'number' ? fromFile : DEFAULT_STATUS_PORT;
}

/**
 * Where a command (status, registry) finds the agent: its --status-port (default
 * `defaultPort`, see defaultAgentPort) and --status-address, or why not.
 */
export function agentAddress(values: { readonly 'status-port'?: string; readonly 'status-address'?: string }, defaultPort = DEFAULT_STATUS_PORT): { port: number; address: string } | string {
  const port = values['status-port'] === undefined ? defaultPort : parseStatusPort(values['status-port']);
  if (typeof port === 'string') return port;
  const address = parseStatusAddress(values['status-address'] ?? DEFAULT_STATUS_ADDRESS);
  if (typeof address !== 'string') return address.problem;
  return { port, address };
}

/** address:port as a URL names it ([v6]:port). */
export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export interface StatusCommandOptions {
  readonly port: number;
  readonly address: string;
  readonly json: boolean;
}

export const STATUS_USAGE = `Usage: zk-watcher status [--status-port PORT] [--status-address ADDR] [--json]

Shows what a running agent (started with --status-port) reports at GET /status: its
ZooKeeper session, and each service's node, health and registration. The exit code
says whether all is well, so monitoring and scripts can use it.

      --status-port PORT     the agent's --status-port (default: $ZK_STATUS_PORT, else the
                             ZK_STATUS_PORT the unit's ${UNIT_DEFAULTS_FILE} sets, else
                             ${DEFAULT_STATUS_PORT}, the port the packaged unit serves on)
      --status-address ADDR  the agent's --status-address (default ${DEFAULT_STATUS_ADDRESS})
      --json                 print the JSON document as the agent sent it
  -h, --help                 print this help and exit

Exit codes:
  0  all is well: the session is connected, and every healthy service outside
     maintenance is registered
  1  no agent answers at the address (not running, or no --status-port)
  2  bad command line
  3  the agent's ZooKeeper session is not connected (connecting or disconnected)
  4  connected, but a healthy service outside maintenance is not registered (its
     node is held by another session, the write failed, or it is being written now)`;

export function parseStatusCommandLine(argv: readonly string[], defaultPort = DEFAULT_STATUS_PORT): { kind: 'run'; options: StatusCommandOptions } | { kind: 'help' } | { kind: 'error'; message: string } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: { 'status-port': { type: 'string' }, 'status-address': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    return { kind: 'error', message: (e as Error).message };
  }
  const v = parsed.values;
  if (v.help === true) return { kind: 'help' };
  const agent = agentAddress(v, defaultPort);
  if (typeof agent === 'string') return { kind: 'error', message: agent };
  return { kind: 'run', options: { ...agent, json: v.json === true } };
}
