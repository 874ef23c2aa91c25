// `zk-watcher registry`: what ZooKeeper holds for this host's services beside what the
// running agent wants, for the incident where the two disagree. Pure: what was read from
// ZooKeeper and from the agent's /status in, a verdict per service and its text out.

import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG, DEFAULT_SERVERS } from './args.js';
import { wantRegistered } from './maintenance.js';
import type { Registration } from './registration.js';
import { oneLine } from './status.js';
import { agentAddress, DEFAULT_STATUS_ADDRESS, DEFAULT_STATUS_PORT } from './status-args.js';
import { zkTlsFromFlags, type ZkTlsSettings } from './zk-tls-args.js';
import { hostInNodeData, hostInNodeName } from './formats/node-host.js';

/** Exit codes of `zk-watcher registry`. */
export const REGISTRY_AGREE = 0;
export const REGISTRY_FAILED = 1;
export const REGISTRY_USAGE_ERROR = 2;
export const REGISTRY_DISAGREE = 3;

export const REGISTRY_USAGE = `Usage: zk-watcher registry [-c FILE] [-s SERVERS] [--status-port PORT] [--status-address ADDR] [--json]

Reads what ZooKeeper holds for this host's services (its own, read-only session) and
compares it with what the running agent wants (its /status, when it answers). Per
service: our node present or absent, its owner session and data, and what the agent says.
  MISSING        the agent wants the node (healthy, not in maintenance); ZooKeeper has none
  STALE          ZooKeeper has the node; the agent does not want it (unhealthy, in
                 maintenance, not its service) or no agent answers
  FOREIGN OWNER  the node's owner (ephemeralOwner) is not the agent's session
  STRAY          a node of this host in a service's path that no service wants (named
                 host:port, or a member_ or other node whose data names this host: an old
                 port, an old format, another agent on the host); one the agent's own session
                 holds is shown but not counted (a moved service's old node stays
                 until the new one is confirmed)
A disagreement is looked at again a second later: only one still there is reported.

  -c, --config FILE        the agent's config (default ${DEFAULT_CONFIG}; repeat for more)
  -s, --server HOSTS       ZooKeeper connect string (default ${DEFAULT_SERVERS})
      --status-port PORT   the agent's --status-port (default as for 'zk-watcher status':
                           $ZK_STATUS_PORT, the unit's defaults file, else ${DEFAULT_STATUS_PORT})
      --status-address ADDR
                           the agent's --status-address (default ${DEFAULT_STATUS_ADDRESS})
      --json               print the comparison as JSON
      --zk-tls, --zk-tls-ca FILE, --zk-tls-cert FILE, --zk-tls-key FILE,
      --zk-tls-no-verify-hostname
                           TLS to ZooKeeper, as the agent's flags of the same names
  -h, --help               print this help and exit

Exit codes: 0 ZooKeeper holds what the agent wants; 1 ZooKeeper could not be read, or
something answered at the status port but not as an agent (a timeout, an error); 2 bad
command line or config; 3 they disagree (a flag above, or a stray node). Nothing listening
at the status port counts as no agent: every node of ours is then STALE.`;

export interface RegistryOptions {
  readonly configPaths: readonly string[];
  readonly servers: string;
  readonly statusPort: number;
  readonly statusAddress: string;
  readonly json: boolean;
  /** TLS to ZooKeeper, as the agent's --zk-tls flags (absent: plain TCP). */
  readonly zkTls?: ZkTlsSettings;
}

export type ParsedRegistry = { readonly kind: 'run'; readonly options: RegistryOptions } | { readonly kind: 'help' } | { readonly kind: 'error'; readonly message: string };

export function parseRegistryCommandLine(argv: readonly string[], defaultPort = DEFAULT_STATUS_PORT): ParsedRegistry {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string', short: 'c', multiple: true },
        server: { type: 'string', short: 's' },
        'status-port': { type: 'string' },
        'status-address': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        'zk-tls': { type: 'boolean' },
        'zk-tls-ca': { type: 'string' },
        'zk-tls-cert': { type: 'string' },
        'zk-tls-key': { type: 'string' },
        'zk-tls-no-verify-hostname': { type: 'boolean' },
      },
    });
  } catch (e) {
    return { kind: 'error', message: (e as Error).message };
  }
  const v = parsed.values;
  if (v.help === true) return { kind: 'help' };
  const agent = agentAddress(v, defaultPort);
  if (typeof agent === 'string') return { kind: 'error', message: agent };
  const zk = zkTlsFromFlags(v);
  if ('error' in zk) return { kind: 'error', message: zk.error };
  return { kind: 'run', options: { configPaths: v.config ?? [DEFAULT_CONFIG], servers: v.server ?? DEFAULT_SERVERS, statusPort: agent.port, statusAddress: agent.address, json: v.json === true, ...(zk.tls === null ? {} : { zkTls: zk.tls }) } };
}

/** One service the agent watches, as its /status says. */
export interface AgentService {
  readonly healthy: boolean | null;
  readonly maintenance: boolean;
  readonly registration: Registration;
  readonly path: string;
}

/** What the agent said, or that none answered (and why not). */
export type AgentAnswer =
  | { readonly answered: true; readonly sessionId: string | null; readonly sessionState: string; readonly pid: number; readonly services: ReadonlyMap<string, AgentService> }
  | { readonly answered: false; readonly why: string };

/** Our node as ZooKeeper holds it: owner is the ephemeralOwner in hex, null for a persistent node. */
export interface NodeInZk {
  readonly owner: string | null;
  readonly data: string;
}

export interface ServiceInZk {
  readonly name: string;
  readonly path: string;
  /** null: no node. */
  readonly node: NodeInZk | null;
  /** How many nodes the service's zookeeper_path holds (every host's); null when the path does not exist. */
  readonly nodesInPath: number | null;
}

export type RegistryFlag = 'MISSING' | 'STALE' | 'FOREIGN OWNER';

export interface RegistryRow extends ServiceInZk {
  /** What the agent says in words: registered, healthy, unhealthy (maintenance) ... */
  readonly agentSays: string;
  readonly flags: readonly RegistryFlag[];
}

/** A node of one of our hosts (by its host:port name, or the host its data names), in one of our paths, that no service wants. */
export interface StrayNode extends NodeInZk {
  readonly path: string;
}

export interface StrayRow extends StrayNode {
  /** Held by the agent's own session: a moved service's old node, kept until the new one is confirmed. */
  readonly heldByAgent: boolean;
}

export interface RegistryReport {
  readonly agent: AgentAnswer;
  readonly rows: readonly RegistryRow[];
  readonly strays: readonly StrayRow[];
  readonly agree: boolean;
}

/** A node a service of ours registers, and the host it is for (service_hostname, or this host's name). */
export interface OurNode {
  readonly path: string;
  readonly host: string;
}

function parentAndName(path: string): [string, string] {
  const slash = path.lastIndexOf('/');
  return [path.slice(0, slash) || '/', path.slice(slash + 1)];
}

function childPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

/**
 * The children whose data must be read to tell whether they are this host's: in each parent
 * of ours, those not named `host:port` (a ServerSet `member_…`, a Curator instance with a
 * UUID id) and not wanted. `children`: each parent's child names (null when it does not exist).
 */
export function strayReads(wanted: readonly OurNode[], children: ReadonlyMap<string, readonly string[] | null>): string[] {
  const wantedSet = new Set(wanted.map((n) => n.path));
  const parents = new Set(wanted.map((n) => parentAndName(n.path)[0]));
  const reads: string[] = [];
  for (const parent of parents) {
    for (const name of children.get(parent) ?? []) {
      const path = childPath(parent, name);
      if (hostInNodeName(name) === null && !wantedSet.has(path)) reads.push(path);
    }
  }
  return reads.sort();
}

/**
 * The paths of nodes that are this host's but that no service wants, in the parents of our
 * nodes: named `host:port` with a host of one of our nodes of that parent, or (any other
 * name: `member_…`, a UUID) with data naming such a host (`read`: the data of strayReads'
 * paths; hostInNodeData says which field).
 */
export function strayPaths(wanted: readonly OurNode[], children: ReadonlyMap<string, readonly string[] | null>, read: ReadonlyMap<string, string> = new Map()): string[] {
  const wantedSet = new Set(wanted.map((n) => n.path));
  const hostsByParent = new Map<string, Set<string>>();
  for (const node of wanted) {
    const parent = parentAndName(node.path)[0];
    const hosts = hostsByParent.get(parent) ?? new Set<string>();
    hosts.add(node.host);
    hostsByParent.set(parent, hosts);
  }
  const strays: string[] = [];
  for (const [parent, hosts] of hostsByParent) {
    for (const name of children.get(parent) ?? []) {
      const path = childPath(parent, name);
      if (wantedSet.has(path)) continue;
      const named = hostInNodeName(name);
      const data = named === null ? read.get(path) : undefined;
      const host = named ?? (data === undefined ? null : hostInNodeData(data));
      if (host !== null && hosts.has(host)) strays.push(path);
    }
  }
  return strays.sort();
}

/** Whether the agent wants the node: true, false, or null when it has no verdict yet (no check result). */
function agentWants(agent: AgentAnswer, name: string): { wants: boolean | null; says: string } {
  if (!agent.answered) return { wants: false, says: 'no agent answers' };
  const s = agent.services.get(name);
  if (s === undefined) return { wants: false, says: 'not a service of the agent (config not reloaded?)' };
  const health = s.healthy === null ? 'unknown' : s.healthy ? 'healthy' : 'unhealthy';
  const says = `${health}${s.maintenance ? ', in maintenance' : ''}; ${s.registration}`;
  if (s.healthy === null && !s.maintenance) return { wants: null, says };
  return { wants: wantRegistered(s.healthy, s.maintenance), says };
}

/** The verdict for each service: what ZooKeeper holds against what the agent wants. */
export function compareRegistry(agent: AgentAnswer, services: readonly ServiceInZk[], strays: readonly StrayNode[] = []): RegistryReport {
  const rows = services.map((s): RegistryRow => {
    const { wants, says } = agentWants(agent, s.name);
    const flags: RegistryFlag[] = [];
    if (wants === true && s.node === null) flags.push('MISSING');
    if (wants === false && s.node !== null) flags.push('STALE');
    // Persistent (no owner) or another session's: either way not the agent's to keep or remove.
    if (s.node !== null && agent.answered && agent.sessionId !== null && s.node.owner !== agent.sessionId) flags.push('FOREIGN OWNER');
    return { ...s, agentSays: says, flags };
  });
  const strayRows = strays.map((n) => ({ ...n, heldByAgent: agent.answered && agent.sessionId !== null && n.owner === agent.sessionId }));
  return { agent, rows, strays: strayRows, agree: rows.every((r) => r.flags.length === 0) && strayRows.every((n) => n.heldByAgent) };
}

const DATA_WIDTH = 50;

/** The report as a person reads it: the agent's line, a table, and the verdict. */
export function registryTable(report: RegistryReport, where: { readonly servers: string; readonly status: string }): string {
  const a = report.agent;
  const head = a.answered
    ? `agent at ${where.status}: pid ${a.pid}, session ${a.sessionId === null ? `none (${a.sessionState})` : `0x${a.sessionId} (${a.sessionState})`}`
    : `agent at ${where.status}: no answer (${a.why}); nothing should be registered`;
  const rows: string[][] = [['SERVICE', 'NODE', 'IN ZOOKEEPER', 'OWNER', 'AGENT SAYS', 'FLAGS', 'DATA']];
  for (const r of report.rows) {
    const inZk = r.node === null ? 'absent' : 'present';
    const owner = r.node === null ? '-' : r.node.owner === null ? 'persistent' : `0x${r.node.owner}`;
    const count = r.nodesInPath === null ? ' (no such path)' : ` (${r.nodesInPath} in path)`;
    rows.push([r.name, r.path, inZk + count, owner, r.agentSays, r.flags.length === 0 ? '-' : r.flags.join(', '), r.node === null ? '' : oneLine(r.node.data, DATA_WIDTH)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
  const strays = report.strays.map((n) =>
    n.heldByAgent
      ? `(held by the agent: ${n.path}, a moved service's old node until the new one is confirmed)`
      : `STRAY ${n.path}: owner ${n.owner === null ? 'persistent' : `0x${n.owner}`}, no service wants it; data ${oneLine(n.data, DATA_WIDTH)}`,
  );
  const flagged = report.rows.filter((r) => r.flags.length > 0).length;
  const counted = report.strays.filter((n) => !n.heldByAgent).length;
  const strayWords = counted === 0 ? '' : `${flagged > 0 ? ', and ' : ': '}${counted} stray ${counted === 1 ? 'node' : 'nodes'}`;
  const verdict = report.agree
    ? `agree: ZooKeeper (${where.servers}) holds what the agent wants`
    : `DISAGREE${flagged > 0 ? `: ${flagged} of ${report.rows.length} ${report.rows.length === 1 ? 'service' : 'services'} flagged` : ''}${strayWords}`;
  return [head, ...lines, ...strays, verdict].join('\n') + '\n';
}

/** The report as JSON (owners as hex, full data). */
export function registryJson(report: RegistryReport): string {
  const a = report.agent;
  const agent = a.answered ? { answered: true, pid: a.pid, sessionId: a.sessionId, sessionState: a.sessionState } : { answered: false, why: a.why };
  return JSON.stringify({ agree: report.agree, agent, services: report.rows, strays: report.strays }, null, 2) + '\n';
}
