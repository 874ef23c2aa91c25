// The flags of the status server and of `zk-watcher status`. Pure: argv in, options out.

import { isIP } from 'node:net';
import { parseArgs } from 'node:util';

export const DEFAULT_STATUS_ADDRESS = '127.0.0.1';
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

export interface StatusCommandOptions {
  readonly port: number;
  readonly address: string;
  readonly json: boolean;
}

export const STATUS_USAGE = `Usage: zk-watcher status [--status-port PORT] [--status-address ADDR] [--json]

Shows what a running agent (started with --status-port) reports at GET /status.

      --status-port PORT     the agent's --status-port (required)
      --status-address ADDR  the agent's --status-address (default ${DEFAULT_STATUS_ADDRESS})
      --json                 print the JSON document as the agent sent it
  -h, --help                 print this help and exit

Exit codes: 0 the agent answered; 1 it could not be reached; 2 bad command line.`;

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
  if (v['status-port'] === undefined) return { kind: 'error', message: '--status-port is required: the port the agent was started with' };
  const port = parseStatusPort(v['status-port']);
  if (typeof port === 'string') return { kind: 'error', message: port };
  const address = parseStatusAddress(v['status-address'] ?? DEFAULT_STATUS_ADDRESS);
  if (typeof address !== 'string') return { kind: 'error', message: address.problem };
  return { kind: 'run', options: { port, address, json: v.json === true } };
}
