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

/**
 * Where a command (status, registry) finds the agent: its --status-port (default
 * DEFAULT_STATUS_PORT) and --status-address, or why not.
 */
export function agentAddress(values: { readonly 'status-port'?: string; readonly 'status-address'?: string }): { port: number; address: string } | string {
  const port = values['status-port'] === undefined ? DEFAULT_STATUS_PORT : parseStatusPort(values['status-port']);
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

      --status-port PORT     the agent's --status-port (default ${DEFAULT_STATUS_PORT}, the port
                             the packaged unit serves on)
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

export function parseStatusCommandLine(argv: readonly string[]): { kind: 'run'; options: StatusCommandOptions } | { kind: 'help' } | { kind: 'error'; message: string } {
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
  const agent = agentAddress(v);
  if (typeof agent === 'string') return { kind: 'error', message: agent };
  return { kind: 'run', options: { ...agent, json: v.json === true } };
}
