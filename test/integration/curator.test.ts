// Registry formats read by their own consumers: Apache Curator 5.4's ServiceDiscovery (Debian's
// libcurator-discovery-java, driven by a small Java program this file compiles) lists our
// curator-format instance beside one Curator registered itself; Synapse's and Finagle's
// decoding of nerve and serverset nodes (re-stated below from their sources) reads ours beside
// nodes written as Nerve and a ServerSet announcer write them. A failing check takes ours out
// of every view; a SIGHUP that changes a format replaces the node make-before-break.

import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { promisify } from 'node:util';
import zookeeper from 'node-zookeeper-client';
import { pythonFqdn, startAgent, type Agent } from '../support/agent.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';
import { useZooKeeper } from '../support/zk-fixture.js';

const work = mkdtempSync(join(tmpdir(), 'zkw-curator-'));
const fx = useZooKeeper(() => {
  curator?.stdin.end();
  curator?.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

// ---------------------------------------------------------------- Curator, for real

const JARS = ['curator-x-discovery', 'curator-framework', 'curator-client', 'zookeeper', 'zookeeper-jute', 'jackson-databind', 'jackson-core', 'jackson-annotations', 'guava', 'slf4j-api', 'slf4j-nop'];

/** One JVM for the whole file: it registers Curator's own instance, then answers `query` with one JSON line per instance and `END`. */
const CURATOR_VIEW = `
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;

public class CuratorView {
  public static void main(String[] args) throws Exception {
    String connect = args[0], basePath = args[1], name = args[2];
    CuratorFramework client = CuratorFrameworkFactory.newClient(connect, 30000, 10000, new RetryOneTime(500));
    client.start();
    client.blockUntilConnected();
    JsonInstanceSerializer<Map> serializer = new JsonInstanceSerializer<>(Map.class);
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("owner", "curator");
    ServiceInstance<Map> own = ServiceInstance.<Map>builder().name(name).id("curator-own").address("10.9.9.9").port(9090).payload(payload).build();
    ServiceDiscovery<Map> discovery = ServiceDiscoveryBuilder.builder(Map.class).client(client).basePath(basePath).serializer(serializer).thisInstance(own).build();
    discovery.start();
    ObjectMapper json = new ObjectMapper();
    System.out.println("READY");
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (!line.equals("query")) continue;
      try {
        for (ServiceInstance<Map> i : discovery.queryForInstances(name)) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("name", i.getName());
          row.put("id", i.getId());
          row.put("address", i.getAddress());
          row.put("port", i.getPort());
          row.put("sslPort", i.getSslPort());
          row.put("payload", i.getPayload());
          row.put("payloadClass", i.getPayload() == null ? null : i.getPayload().getClass().getName());
          row.put("registrationTimeUTC", i.getRegistrationTimeUTC());
          row.put("serviceType", i.getServiceType().name());
          row.put("uri", i.buildUriSpec());
          row.put("reserialized", new String(serializer.serialize(i), StandardCharsets.UTF_8));
          System.out.println(json.writeValueAsString(row));
        }
      } catch (Exception e) {
        System.out.println(json.writeValueAsString(Map.of("error", String.valueOf(e))));
      }
      System.out.println("END");
      System.out.flush();
    }
    discovery.close();
    client.close();
  }
}
`;

interface CuratorInstance {
  readonly name: string;
  readonly id: string;
  readonly address: string;
  readonly port: number | null;
  readonly sslPort: number | null;
  readonly payload: Record<string, unknown> | null;
  readonly payloadClass: string | null;
  readonly registrationTimeUTC: number;
  readonly serviceType: string;
  readonly uri: string;
  readonly reserialized: string;
  readonly error?: string;
}

let curator: ChildProcessWithoutNullStreams | undefined;
let answers: AsyncIterator<string> | undefined;

/** Compiles the reader once and starts it; resolves once Curator has registered its own instance. */
async function startCurator(basePath: string, name: string): Promise<void> {
  const classpath = JARS.map((j) => `/usr/share/java/${j}.jar`);
  const absent = classpath.filter((j) => !existsSync(j));
  assert.deepEqual(absent, [], 'Debian\'s libcurator-discovery-java is needed (test/support/setup.sh installs it)');
  writeFileSync(join(work, 'CuratorView.java'), CURATOR_VIEW);
  // Not spawnSync: a javac that holds this thread past 10 s (a loaded machine) starves the observer's heartbeats until its session expires.
  try {
    await promisify(execFile)('javac', ['-nowarn', '-cp', classpath.join(':'), '-d', work, join(work, 'CuratorView.java')], { encoding: 'utf8', timeout: 120_000 });
  } catch (e) {
    assert.fail(`javac failed: ${(e as { stderr?: string }).stderr ?? ''}${(e as Error).message}`);
  }
  assert.ok(readdirSync(work).includes('CuratorView.class'));
  curator = spawn('java', ['-cp', [...classpath, work].join(':'), 'CuratorView', fx.zk.connectString, basePath, name], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  curator.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  answers = createInterface({ input: curator.stdout })[Symbol.asyncIterator]();
  const first = await withDeadline(answers.next(), 60_000, () => `Curator's first line (stderr: ${stderr})`);
  assert.equal(first.value, 'READY', `Curator did not start: ${stderr}`);
}

/** ServiceDiscovery.queryForInstances, as Curator's client sees it now. */
async function queryCurator(): Promise<CuratorInstance[]> {
  curator!.stdin.write('query\n');
  const rows: CuratorInstance[] = [];
  for (;;) {
    const line = await withDeadline(answers!.next(), 20_000, () => 'an answer to query');
    if (line.done === true || line.value === 'END') return rows;
    const row = JSON.parse(line.value) as CuratorInstance;
    if (row.error !== undefined) throw new Error(`queryForInstances failed: ${row.error}`);
    rows.push(row);
  }
}

function withDeadline<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no ${what()} within ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

// ------------------------------------------- Synapse and Finagle, from their sources

interface Child {
  readonly name: string;
  readonly data: string;
}

async function children(path: string): Promise<Child[]> {
  const names = await fx.observer.getChildren(path);
  const nodes = await Promise.all(names.map(async (name) => ({ name, node: await fx.observer.getData(`${path}/${name}`) })));
  return nodes.filter((n) => n.node !== null).map((n) => ({ name: n.name, data: n.node!.data.toString('utf8') }));
}

/** Ruby's truthiness: only nil and false are false (0 and "" are true). */
const truthy = (v: unknown): boolean => v !== null && v !== undefined && v !== false;

interface SynapseBackend {
  readonly name: unknown;
  readonly host: unknown;
  readonly port: unknown;
  readonly id: number | null;
  readonly weight: unknown;
  readonly haproxy_server_options: unknown;
  readonly labels: unknown;
}

/**
 * Synapse's ZookeeperWatcher#read: every child of the path, its data decoded by nerve_decode
 * (JSON.parse) or serverset_decode (serviceEndpoint, name from shard), host and port required
 * (a child without them is logged and skipped), the numeric id from the name's last '_' part.
 */
function synapseRead(nodes: readonly Child[], decode: 'nerve' | 'serverset'): SynapseBackend[] {
  const backends: SynapseBackend[] = [];
  for (const child of nodes) {
    let decoded: Record<string, unknown>;
    try {
      const json = JSON.parse(child.data) as Record<string, unknown>;
      if (decode === 'serverset') {
        const endpoint = { ...(json.serviceEndpoint as Record<string, unknown>) };
        endpoint.name = truthy(json.shard) ? String(json.shard) : null;
        decoded = endpoint;
      } else decoded = json;
      if (!truthy(decoded.host)) throw new Error('instance json data does not have host key');
      if (!truthy(decoded.port)) throw new Error('instance json data does not have port key');
    } catch {
      continue;
    }
    const last = child.name.split('_').at(-1)!;
    backends.push({
      name: truthy(decoded.name) ? decoded.name : null,
      host: decoded.host,
      port: decoded.port,
      id: /^\d+$/.test(last) ? Number(last) : null,
      weight: truthy(decoded.weight) ? decoded.weight : null,
      haproxy_server_options: truthy(decoded.haproxy_server_options) ? decoded.haproxy_server_options : null,
      labels: truthy(decoded.labels) ? decoded.labels : null,
    });
  }
  return backends;
}

interface FinagleEndpoint {
  readonly name: string | null;
  readonly host: string;
  readonly port: number;
  readonly shard: number | null;
  readonly status: string;
  readonly memberId: string;
}

const FINAGLE_STATUS: Record<string, string> = { DEAD: 'Dead', STARTING: 'Starting', ALIVE: 'Alive', STOPPING: 'Stopping', STOPPED: 'Stopped', WARNING: 'Warning', UNKNOWN: 'Unknown' };

/**
 * Finagle serverset2's Entry.parseJson: only children named member_*; serviceEndpoint and each
 * additionalEndpoints entry with a string host and an Integer port; shard only when an int;
 * status by name, else Unknown; the member id is the node's name.
 */
function finagleRead(nodes: readonly Child[]): FinagleEndpoint[] {
  const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31;
  const endpoints: FinagleEndpoint[] = [];
  for (const child of nodes) {
    if (!child.name.startsWith('member_')) continue;
    const d = JSON.parse(child.data) as Record<string, unknown>;
    const shard = isInteger(d.shard) ? d.shard : null;
    const status = (typeof d.status === 'string' ? FINAGLE_STATUS[d.status] : undefined) ?? 'Unknown';
    const hostPort = (e: unknown): { host: string; port: number } | null => {
      const m = e as Record<string, unknown> | null;
      return m !== null && typeof m === 'object' && typeof m.host === 'string' && isInteger(m.port) ? { host: m.host, port: m.port } : null;
    };
    const main = hostPort(d.serviceEndpoint);
    if (main !== null) endpoints.push({ name: null, ...main, shard, status, memberId: child.name });
    const additional = d.additionalEndpoints;
    if (additional !== null && typeof additional === 'object') {
      for (const [key, e] of Object.entries(additional)) {
        const addr = hostPort(e);
        if (addr !== null) endpoints.push({ name: key, ...addr, shard, status, memberId: child.name });
      }
    }
  }
  return endpoints;
}

// ------------------------------------------------------------------------- the tests

const flag = join(work, 'down');
let agent: Agent;
let configPath: string;

function config(serversetFormat: 'serverset' | 'nerve', uriSpec: string): string {
  const check = `cmd: test ! -e ${flag}\nrefresh: 0.2\nservice_hostname: 10.0.0.5\n`;
  return `[curator_web]
${check}service_port: 8080
zookeeper_path: /discovery/web
format: curator
ssl_port: 8443
uri_spec: ${uriSpec}
zookeeper_data: az=us-east-1a, rack=r7

[nerve_web]
${check}service_port: 8081
zookeeper_path: /nerve/web
format: nerve
zookeeper_data: {"weight": 10, "haproxy_server_options": "check inter 2s", "labels": {"az": "us-east-1a"}}

[serverset_web]
${check}service_port: 8082
zookeeper_path: /serverset/web
format: ${serversetFormat}
zookeeper_data: {"shard": 0, "additionalEndpoints": {"http": {"host": "10.0.0.5", "port": 8083}}}
`;
}

const OURS = '/discovery/web/10.0.0.5:8080';
const exists = (path: string) => waitFor(() => fx.observer.exists(path), (s) => s !== null, { what: `${path} to exist`, timeoutMs: 30_000 });
const gone = (path: string) => waitFor(() => fx.observer.exists(path), (s) => s === null, { what: `${path} to be gone`, timeoutMs: 30_000 });

test('Curator\'s ServiceDiscovery lists our curator instance beside its own, payload and uriSpec included, and Synapse and Finagle read our nerve and serverset nodes beside their own', async () => {
  await startCurator('/discovery', 'web');
  // What Nerve writes (<instance_id>_<sequence>, its get_service_data as JSON) and a ServerSet announcer (member_<sequence>).
  await fx.observer.mkdirp('/nerve/web');
  await fx.observer.mkdirp('/serverset/web');
  await fx.observer.create('/nerve/web/i-nerve_', '{"host":"10.0.0.9","port":3000,"name":"i-nerve","weight":1}', zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL);
  await fx.observer.create('/serverset/web/member_', '{"serviceEndpoint":{"host":"10.0.0.9","port":3000},"additionalEndpoints":{"http":{"host":"10.0.0.9","port":3001}},"status":"ALIVE","shard":1}', zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL);

  const statusPort = await freePort();
  configPath = join(work, 'agent.cfg');
  writeFileSync(configPath, config('serverset', '{scheme}://{address}:{port}/api'));
  agent = fx.track(startAgent(['-c', configPath, '-s', fx.zk.connectString, '--status-port', String(statusPort)]));
  await exists(OURS);
  await waitFor(() => fx.observer.getChildren('/serverset/web'), (c) => c.length === 2, { what: 'our serverset member beside the announcer\'s' });
  await waitFor(() => fx.observer.getChildren('/nerve/web'), (c) => c.length === 2, { what: 'our nerve node beside Nerve\'s' });

  const instances = await queryCurator();
  const byId = new Map(instances.map((i) => [i.id, i]));
  assert.deepEqual([...byId.keys()].sort(), ['10.0.0.5:8080', 'curator-own']);
  const ours = byId.get('10.0.0.5:8080')!;
  assert.deepEqual(
    { name: ours.name, address: ours.address, port: ours.port, sslPort: ours.sslPort, payload: ours.payload, payloadClass: ours.payloadClass, serviceType: ours.serviceType, uri: ours.uri },
    { name: 'web', address: '10.0.0.5', port: 8080, sslPort: 8443, payload: { az: 'us-east-1a', rack: 'r7' }, payloadClass: 'java.util.LinkedHashMap', serviceType: 'DYNAMIC', uri: 'https://10.0.0.5:8080/api' },
  );
  // Curator writes back exactly the bytes we wrote: the same fields, order and encoding.
  const node = await fx.observer.getData(OURS);
  assert.equal(ours.reserialized, node!.data.toString('utf8'));
  assert.ok(Math.abs(ours.registrationTimeUTC - Date.now()) < 10 * 60_000, 'registrationTimeUTC is an epoch time in ms');
  assert.deepEqual(byId.get('curator-own')!.payload, { owner: 'curator' });

  const nerve = synapseRead(await children('/nerve/web'), 'nerve');
  assert.deepEqual(
    nerve.find((b) => b.port === 8081),
    { name: pythonFqdn(), host: '10.0.0.5', port: 8081, id: null, weight: 10, haproxy_server_options: 'check inter 2s', labels: { az: 'us-east-1a' } },
  );
  assert.deepEqual(nerve.find((b) => b.port === 3000), { name: 'i-nerve', host: '10.0.0.9', port: 3000, id: 0, weight: 1, haproxy_server_options: null, labels: null });

  const members = await children('/serverset/web');
  const finagle = finagleRead(members);
  const ourMember = members.find((m) => !m.name.startsWith('member_0'))!.name;
  assert.match(ourMember, /^member_[1-9]\d{18}$/);
  assert.deepEqual(finagle.filter((e) => e.memberId === ourMember), [
    { name: null, host: '10.0.0.5', port: 8082, shard: 0, status: 'Alive', memberId: ourMember },
    { name: 'http', host: '10.0.0.5', port: 8083, shard: 0, status: 'Alive', memberId: ourMember },
  ]);
  assert.equal(finagle.filter((e) => e.memberId !== ourMember).length, 2, 'the announcer\'s member: its service and http endpoints');
  // Synapse's serverset decode of the same path: ours is named by its shard, as the announcer's is.
  assert.deepEqual(synapseRead(members, 'serverset').map((b) => [b.host, b.port, b.name]).sort(), [['10.0.0.5', 8082, '0'], ['10.0.0.9', 3000, '1']]);

  // /status names each service's format.
  const status = (await (await fetch(`http://127.0.0.1:${statusPort}/status`)).json()) as { services: { name: string; format: string }[] };
  assert.deepEqual(status.services.map((s) => [s.name, s.format]), [['curator_web', 'curator'], ['nerve_web', 'nerve'], ['serverset_web', 'serverset']]);

  // The check fails: ours leaves every view, Curator's own and the others' stay.
  writeFileSync(flag, '');
  await gone(OURS);
  assert.deepEqual((await queryCurator()).map((i) => i.id), ['curator-own']);
  await waitFor(() => children('/nerve/web'), (c) => c.length === 1, { what: 'our nerve node gone' });
  await waitFor(() => children('/serverset/web'), (c) => c.length === 1, { what: 'our serverset member gone' });
  assert.deepEqual(synapseRead(await children('/nerve/web'), 'nerve').map((b) => b.name), ['i-nerve']);
  assert.deepEqual(finagleRead(await children('/serverset/web')).map((e) => e.host), ['10.0.0.9', '10.0.0.9']);
  rmSync(flag);
  await exists(OURS);
  // Re-created with the bytes first built: registrationTimeUTC is when the agent first registered it.
  assert.equal((await fx.observer.getData(OURS))!.data.toString('utf8'), node!.data.toString('utf8'));
});

test('SIGHUP that changes a format: a new node name is made before the old one goes; the same name gets its new bytes in place', async () => {
  const members = await waitFor(() => fx.observer.getChildren('/serverset/web'), (c) => c.length === 2, { what: 'our serverset member back' });
  const oldMember = `/serverset/web/${members.find((m) => !m.startsWith('member_0'))!}`;
  const newNode = '/serverset/web/10.0.0.5:8082';
  const before = await fx.observer.getData(OURS);
  writeFileSync(configPath, config('nerve', '{scheme}://{address}:{port}/v2'));
  const mark = agent.logs.length;
  agent.signal('SIGHUP');
  await agent.waitForLog((r) => r.event === 'reloaded', 'the reload');
  await exists(newNode);
  await gone(oldMember);
  // The observer can see the delete before the agent's line about it arrives.
  const since = () => agent.logs.slice(mark);
  await waitFor(async () => since().some((r) => r.event === 'deregistered' && r.path === oldMember), (seen) => seen, { what: 'the agent\'s line about deleting the old member' });
  const registered = since().findIndex((r) => r.event === 'registered' && r.path === newNode);
  const deregistered = since().findIndex((r) => r.event === 'deregistered' && r.path === oldMember);
  assert.ok(registered >= 0 && deregistered > registered, 'the new node was confirmed before the old one was deleted');
  assert.deepEqual(JSON.parse((await fx.observer.getData(newNode))!.data.toString('utf8')).host, '10.0.0.5');

  // Curator's node keeps its name: its data is rewritten, the node itself (and its ctime) stays.
  await waitFor(() => queryCurator(), (rows) => rows.some((i) => i.uri === 'https://10.0.0.5:8080/v2'), { what: 'Curator to see the new uriSpec' });
  const after = await fx.observer.getData(OURS);
  assert.equal(after!.stat.ctime.toString('hex'), before!.stat.ctime.toString('hex'));

  agent.signal('SIGTERM');
  assert.equal(await agent.exited, 0);
  await gone(OURS);
  assert.deepEqual((await queryCurator()).map((i) => i.id), ['curator-own']);
});
