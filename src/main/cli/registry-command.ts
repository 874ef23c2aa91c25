// `zk-watcher registry`: reads what ZooKeeper holds for this host's services and what the
// running agent wants (GET /status), and prints where they disagree (shared/registry.ts).
// Exit codes: 0 they agree; 1 ZooKeeper could not be read; 2 bad command line or config;
// 3 they disagree.

import type { Stat } from 'node-zookeeper-client';
import { formatProblem, hasErrors } from '../../shared/problems.js';
import {
  compareRegistry,
  parseRegistryCommandLine,
  REGISTRY_AGREE,
  REGISTRY_DISAGREE,
  REGISTRY_FAILED,
  REGISTRY_USAGE,
  REGISTRY_USAGE_ERROR,
  registryJson,
  registryTable,
  strayPaths,
  strayReads,
  type AgentAnswer,
  type AgentService,
  type NodeInZk,
  type OurNode,
  type RegistryOptions,
  type RegistryReport,
  type ServiceInZk,
} from '../../shared/registry.js';
import { connectStringProblem } from '../../shared/servers.js';
import { parseStatusDocument } from '../../shared/status.js';
import { hostPort } from '../../shared/status-args.js';
import type { Config } from '../../shared/types.js';
import { usageError } from '../../shared/usage-error.js';
import { registrationPath } from '../../shared/formats/index.js';
import { hostInNodeName } from '../../shared/formats/node-host.js';
import { agentPortDefault } from './agent-port.js';
import { loadConfig } from './config-files.js';
import { getFqdn } from './fqdn.js';
import { ZkReader } from './zk-reader.js';
import { loadZkTls } from './zk-tls-cli.js';

const CONNECT_TIMEOUT_MS = 10_000;
const READ_TIMEOUT_MS = 5_000;
const STATUS_TIMEOUT_MS = 5_000;
/** A disagreement is read again after this: the agent converges in milliseconds, so one that stays is real. */
const SECOND_LOOK_MS = 1_500;

export async function registryCommand(argv: readonly string[], program = 'zk-watcher'): Promise<number> {
  const parsed = parseRegistryCommandLine(argv, agentPortDefault());
  if (parsed.kind === 'help') {
    process.stdout.write(REGISTRY_USAGE + '\n');
    return REGISTRY_AGREE;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(usageError(program, 'registry', parsed.message));
    return REGISTRY_USAGE_ERROR;
  }
  const options = parsed.options;
  const serverProblem = connectStringProblem(options.servers);
  if (serverProblem !== null) {
    process.stderr.write(`zk-watcher registry: --server '${options.servers}': ${serverProblem}\n`);
    return REGISTRY_USAGE_ERROR;
  }
  const { config, problems } = await loadConfig(options.configPaths);
  for (const p of problems) process.stderr.write(formatProblem(p) + '\n');
  if (config === null || hasErrors(problems)) {
    process.stderr.write('zk-watcher registry: the config has errors; it names the services to look for\n');
    return REGISTRY_USAGE_ERROR;
  }
  const tls = await loadZkTls(options.zkTls ?? null);
  if ('error' in tls) {
    process.stderr.write(`zk-watcher registry: ${tls.error}\n`);
    return REGISTRY_USAGE_ERROR;
  }
  let reader: ZkReader;
  try {
    reader = await ZkReader.connect({ connectString: options.servers, auth: config.auth === null ? null : { user: config.auth.user, password: config.auth.password }, connectTimeoutMs: CONNECT_TIMEOUT_MS, opTimeoutMs: READ_TIMEOUT_MS, tls: tls.files?.current.socket ?? null });
  } catch (e) {
    process.stderr.write(`zk-watcher registry: ${(e as Error).message}\n`);
    return REGISTRY_FAILED;
  }
  try {
    // Asked only for a section without service_hostname that the agent does not report (it can take seconds where DNS is slow).
    let fqdn: Promise<string> | undefined;
    const hostname = (): Promise<string> => (fqdn ??= getFqdn());
    let report = await look(options, config, hostname, reader);
    if (!report.agree) {
      await new Promise((r) => setTimeout(r, SECOND_LOOK_MS));
      report = await look(options, config, hostname, reader);
    }
    const where = { servers: options.servers, status: hostPort(options.statusAddress, options.statusPort) };
    process.stdout.write(options.json ? registryJson(report) : registryTable(report, where));
    return report.agree ? REGISTRY_AGREE : REGISTRY_DISAGREE;
  } catch (e) {
    process.stderr.write(`zk-watcher registry: ${(e as Error).message}\n`);
    return REGISTRY_FAILED;
  } finally {
    await reader.close();
  }
}

/** One look: the agent first, then ZooKeeper, so a node the agent just asked for has had its moment. */
async function look(options: RegistryOptions, config: Config, hostname: () => Promise<string>, reader: ZkReader): Promise<RegistryReport> {
  const agent = await askAgent(options);
  // The agent's paths are what it wants; the config's cover services it does not watch (not reloaded) or no agent.
  const paths = new Map<string, string>();
  if (agent.answered) for (const [name, s] of agent.services) paths.set(name, s.path);
  for (const spec of config.services) if (!paths.has(spec.name)) paths.set(spec.name, registrationPath(spec, spec.serviceHostname ?? (await hostname())));
  const parents = new Map<string, Promise<string[] | null>>();
  const services = await Promise.all(
    [...paths].map(async ([name, path]): Promise<ServiceInZk> => {
      const parent = path.slice(0, path.lastIndexOf('/')) || '/';
      if (!parents.has(parent)) parents.set(parent, reader.children(parent));
      const [children, node] = await Promise.all([parents.get(parent)!, reader.node(path)]);
      return {
        name,
        path,
        node: node === null ? null : ownerAndData(node),
        nodesInPath: children === null ? null : children.length,
      };
    }),
  );
  const children = new Map<string, string[] | null>();
  for (const [parent, names] of parents) children.set(parent, await names);
  // Each node's host: its host:port name says it; a member_ name does not, so the service's config does.
  const specs = new Map(config.services.map((s) => [s.name, s]));
  const ours: OurNode[] = [];
  for (const [name, path] of paths) {
    const spec = specs.get(name);
    const host = hostInNodeName(path.slice(path.lastIndexOf('/') + 1)) ?? (spec === undefined ? null : spec.serviceHostname ?? (await hostname()));
    if (host !== null) ours.push({ path, host });
  }
  // Nodes not named host:port (a ServerSet member_, a Curator UUID) are this host's only by the host their data names.
  const read = new Map<string, { data: Buffer; stat: Stat }>();
  await Promise.all(
    strayReads(ours, children).map(async (path) => {
      const node = await reader.node(path);
      if (node !== null) read.set(path, node);
    }),
  );
  const readData = new Map([...read].map(([path, node]) => [path, node.data.toString('utf8')]));
  const strays = await Promise.all(
    strayPaths(ours, children, readData).map(async (path) => {
      const node = read.get(path) ?? (await reader.node(path));
      return node === null ? null : { path, ...ownerAndData(node) };
    }),
  );
  return compareRegistry(agent, services, strays.filter((n) => n !== null));
}

function ownerAndData(node: { data: Buffer; stat: Stat }): NodeInZk {
  const owner = node.stat.ephemeralOwner.toString('hex');
  return { owner: /^0+$/.test(owner) ? null : owner, data: node.data.toString('utf8') };
}

/**
 * What the running agent wants. Only a refused connection means no agent listens there; a
 * timeout or a bad answer is a failure of this command (exit 1), not "nothing should be
 * registered", which would call every node a live agent holds STALE.
 */
async function askAgent(options: RegistryOptions): Promise<AgentAnswer> {
  const where = hostPort(options.statusAddress, options.statusPort);
  let body: string;
  try {
    const res = await fetch(`http://${where}/status`, { signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) });
    body = await res.text();
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause;
    if (cause?.code === 'ECONNREFUSED') return { answered: false, why: 'ECONNREFUSED' };
    const why = (e as Error).name === 'TimeoutError' ? `no answer within ${STATUS_TIMEOUT_MS} ms` : cause?.code ?? (e as Error).message;
    throw new Error(`cannot read the agent's /status at ${where} (${why}); is --status-port right?`);
  }
  const doc = parseStatusDocument(body);
  if (typeof doc === 'string') throw new Error(`the agent's /status at ${where}: ${doc}`);
  const services = new Map<string, AgentService>(doc.services.map((s) => [s.name, { healthy: s.healthy, maintenance: s.maintenance, registration: s.registration ?? (s.registered ? 'registered' : 'absent'), path: s.path }]));
  return { answered: true, pid: doc.agent.pid, sessionId: doc.agent.sessionId, sessionState: doc.agent.sessionState, services };
}
