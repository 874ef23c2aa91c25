// --status-port and `zk-watcher status`: the real agent against a real ZooKeeper,
// asked over real HTTP, with its registrations seen by an independent client.

import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { after, before, test } from 'node:test';
import { runCli, startAgent, writeConfig, type Agent } from '../support/agent.js';
import { freePort } from '../support/ports.js';
import { connectClient, type TestClient } from '../support/zk-client.js';
import { startZooKeeper, stopAll, type ZkServer } from '../support/zookeeper.js';
import { waitFor } from '../support/wait.js';

const PASSWORD = 'wonderland-9';
const CONFIG = `[good]
cmd: echo all fine ${PASSWORD}
refresh: 1
service_port: 80
service_hostname: st.example
zookeeper_path: /st/good

[bad]
cmd: echo broken >&2; exit 3
refresh: 1
service_port: 81
service_hostname: st.example
zookeeper_path: /st/bad

[auth]
user: alice
password: ${PASSWORD}
`;

let zk: ZkServer;
let observer: TestClient;
let agent: Agent;
let port: number;
const base = () => `http://127.0.0.1:${port}`;

before(async () => {
  zk = await startZooKeeper();
  observer = await connectClient(zk.connectString);
  port = await freePort();
  agent = startAgent(['-c', writeConfig(CONFIG), '-s', zk.connectString, '--status-port', String(port), '--duration-histogram', 'service']);
  await waitFor(() => observer.exists('/st/good/st.example:80'), (s) => s !== null, { what: 'the good service registered', timeoutMs: 60_000 });
});

after(async () => {
  agent?.signal('SIGKILL');
  await observer?.close();
  await stopAll();
});

async function get(path: string, init?: RequestInit): Promise<{ status: number; body: string; type: string | null; allow: string | null }> {
  const res = await fetch(base() + path, init);
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type'), allow: res.headers.get('allow') };
}

/** The value of one sample line of a Prometheus text body, or undefined. */
function sample(body: string, series: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('/metrics: checks by service and result, durations, health, registration, session, queue, event loop', async () => {
  const body = await waitFor(
    async () => (await get('/metrics')).body,
    (b) => (sample(b, 'zkwatcher_checks_total{service="bad",result="fail"}') ?? 0) >= 2 && sample(b, 'zkwatcher_service_registered{service="good"}') === 1,
    { what: 'metrics after a few checks', timeoutMs: 30_000 },
  );
  assert.ok(sample(body, 'zkwatcher_checks_total{service="good",result="pass"}')! >= 1);
  assert.equal(sample(body, 'zkwatcher_checks_total{service="good",result="fail"}'), undefined, 'the good service never failed');
  assert.ok(sample(body, 'zkwatcher_check_duration_seconds_count{service="good"}')! >= 1);
  assert.ok(sample(body, 'zkwatcher_check_duration_seconds_bucket{le="+Inf",service="bad"}')! >= 2);
  assert.equal(sample(body, 'zkwatcher_service_healthy{service="good"}'), 1);
  assert.equal(sample(body, 'zkwatcher_service_healthy{service="bad"}'), 0);
  assert.equal(sample(body, 'zkwatcher_service_registered{service="bad"}'), 0);
  assert.equal(sample(body, 'zkwatcher_session_state{state="connected"}'), 1);
  assert.equal(sample(body, 'zkwatcher_session_state{state="disconnected"}'), 0);
  assert.equal(sample(body, 'zkwatcher_session_expirations_total'), 0);
  assert.equal(sample(body, 'zkwatcher_reconnects_total'), 0);
  assert.ok(sample(body, 'zkwatcher_check_queue_depth')! >= 0);
  assert.ok(sample(body, 'zkwatcher_checks_running')! >= 0);
  assert.equal(sample(body, 'zkwatcher_maintenance{service="good"}'), 0);
  assert.equal(sample(body, 'zkwatcher_host_maintenance'), 0);
  const loop = sample(body, 'zkwatcher_event_loop_delay_seconds{quantile="0.99"}')!;
  assert.ok(loop > 0 && loop < 5, `event-loop delay p99 ${loop} s`);
  assert.ok(sample(body, 'process_resident_memory_bytes')! > 1e6, 'the default process metrics are there');
  const res = await get('/metrics');
  assert.match(res.type ?? '', /^text\/plain; version=0\.0\.4/);
});

test('--duration-histogram: one histogram for the whole agent by default, none with off; the per-service series stay either way', async () => {
  const series = (body: string) => body.split('\n').filter((l) => l.startsWith('zkwatcher_check_duration_seconds'));
  for (const mode of ['agent', 'off'] as const) {
    const own = await freePort();
    const args = ['-c', writeConfig(CONFIG.replaceAll('/st/', `/st-${mode}/`)), '-s', zk.connectString, '--status-port', String(own)];
    const other = startAgent(mode === 'agent' ? args : [...args, '--duration-histogram', 'off']);
    try {
      const body = await waitFor(
        async () => (await fetch(`http://127.0.0.1:${own}/metrics`).then((r) => r.text(), () => '')),
        (b) => (sample(b, 'zkwatcher_checks_total{service="bad",result="fail"}') ?? 0) >= 2,
        { what: `metrics after a few checks (${mode})`, timeoutMs: 30_000 },
      );
      assert.ok(sample(body, 'zkwatcher_checks_total{service="good",result="pass"}')! >= 1, 'checks are still counted by service');
      assert.equal(sample(body, 'zkwatcher_service_healthy{service="bad"}'), 0);
      if (mode === 'agent') {
        assert.ok(series(body).length > 0 && series(body).every((l) => !l.includes('service=')), 'no service label on the histogram');
        assert.ok(sample(body, 'zkwatcher_check_duration_seconds_count')! >= 3, 'both services counted in one histogram');
        assert.equal(sample(body, 'zkwatcher_check_duration_seconds_bucket{le="+Inf"}'), sample(body, 'zkwatcher_check_duration_seconds_count'));
      } else {
        assert.deepEqual(series(body), [], 'no histogram at all');
      }
    } finally {
      other.signal('SIGTERM');
      assert.equal(await other.exited, 0);
    }
  }
});

test('/status: a healthy and a failing service, the agent, and never the password', async () => {
  const session = await agent.waitForLog((r) => r.event === 'zk_connected', 'session established');
  const res = await get('/status');
  assert.equal(res.status, 200);
  assert.equal(res.type, 'application/json');
  const doc = JSON.parse(res.body);
  assert.equal(doc.agent.pid, agent.pid);
  assert.match(doc.agent.version, /^\d+\.\d+\.\d+/);
  assert.equal(doc.agent.sessionState, 'connected');
  assert.equal(doc.agent.sessionId, session.sessionId);
  assert.equal(typeof doc.agent.uptimeSeconds, 'number');
  assert.equal(doc.agent.hostMaintenance, false);
  const good = doc.services.find((s: { name: string }) => s.name === 'good');
  const bad = doc.services.find((s: { name: string }) => s.name === 'bad');
  assert.equal(good.healthy, true);
  assert.equal(good.registered, true);
  assert.equal(good.maintenance, false);
  assert.equal(good.path, '/st/good/st.example:80');
  assert.equal(good.lastResult.passed, true);
  assert.equal(good.lastResult.reason, 'exit 0');
  assert.ok(Date.parse(good.lastResult.at) >= Date.parse(good.since), 'the last result is no older than the health it holds');
  assert.ok(Math.abs(Date.parse(good.since) - Date.now()) < 120_000, 'since is a recent ISO time');
  assert.equal(good.outputTail, 'all fine [redacted]\n', "the check's own output, with the password blotted out");
  assert.equal(bad.healthy, false);
  assert.equal(bad.registered, false);
  assert.equal(bad.lastResult.passed, false);
  assert.equal(bad.lastResult.reason, 'exit 3');
  assert.equal(bad.outputTail, 'broken\n');
  const metrics = await get('/metrics');
  for (const [what, text] of [['/status', res.body], ['/metrics', metrics.body]]) assert.ok(!text!.includes(PASSWORD), `${what} shows the password`);
});

test('other paths are 404, other methods 405', async () => {
  assert.equal((await get('/')).status, 404);
  assert.equal((await get('/status/extra')).status, 404);
  const post = await get('/status', { method: 'POST', body: 'x' });
  assert.equal(post.status, 405);
  assert.equal(post.allow, 'GET, HEAD');
  assert.equal((await get('/metrics', { method: 'DELETE' })).status, 405);
  assert.equal((await get('/status?pretty=1')).status, 200, 'a query string does not change the path');
});

test('the server listens on loopback only by default', async () => {
  const listening = await agent.waitForLog((r) => r.event === 'status_listening', 'status server listening');
  assert.equal(listening.address, '127.0.0.1');
  assert.equal(listening.port, port);
  const others = Object.values(networkInterfaces()).flat().filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal);
  // Where the machine has another IPv4 address, the port must be closed there.
  for (const a of others) {
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect({ host: a!.address, port });
      socket.setTimeout(5000, () => (socket.destroy(), resolve('timeout')));
      socket.on('connect', () => (socket.destroy(), resolve('connected')));
      socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    assert.notEqual(outcome, 'connected', `the status port answers on ${a!.address}`);
  }
});

test('zk-watcher status: a table when the agent answers (exit 0), --json, exit 1 naming the address when not, 2 for bad flags', async () => {
  const table = runCli(['status', '--status-port', String(port)]);
  assert.equal(table.code, 0, table.stderr);
  const lines = table.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, new RegExp(`^zk-watcher \\S+, pid ${agent.pid}, up \\S+; session connected \\(0x[0-9a-f]{16}\\); host maintenance off$`));
  assert.match(lines[1]!, /^SERVICE\s+ZNODE\s+HEALTH\s+REGISTERED\s+LAST RESULT\s+SINCE\s+OUTPUT$/);
  assert.match(table.stdout, /^good\s+\/st\/good\/st\.example:80\s+healthy\s+yes\s+pass \d+ms exit 0\s+\S+\s+all fine \[redacted\]$/m);
  assert.match(table.stdout, /^bad\s+\/st\/bad\/st\.example:81\s+unhealthy\s+no\s+fail \d+ms exit 3\s+\S+\s+broken$/m);
  const json = runCli(['status', '--status-port', String(port), '--json']);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout).services.map((s: { name: string }) => s.name), ['good', 'bad']);
  for (const out of [table.stdout, json.stdout]) assert.ok(!out.includes(PASSWORD));

  const nobody = await freePort();
  const down = runCli(['status', '--status-port', String(nobody)]);
  assert.equal(down.code, 1);
  assert.match(down.stderr, new RegExp(`no agent answers at 127\\.0\\.0\\.1:${nobody}: ECONNREFUSED`));
  assert.equal(down.stdout, '');
  // No flag: $ZK_STATUS_PORT (as the unit's defaults file sets it) names the port to ask.
  const byEnv = runCli(['status'], { ...process.env, ZK_STATUS_PORT: String(port) });
  assert.equal(byEnv.code, 0, byEnv.stderr);
  assert.match(byEnv.stdout, /^good\s+\/st\/good\/st\.example:80/m);
  for (const argv of [['status', 'extra'], ['status', '--status-port', 'abc'], ['status', '--status-port', String(port), '--nope']]) {
    const bad = runCli(argv);
    assert.equal(bad.code, 2, argv.join(' '));
    assert.match(bad.stderr, /^zk-watcher status: /);
  }
});

test('a status port already taken stops the agent at start with exit 1 naming address:port', async () => {
  const second = startAgent(['-c', writeConfig(CONFIG), '-s', zk.connectString, '--status-port', String(port)]);
  assert.equal(await second.exited, 1);
  const fatal = second.logs.find((r) => r.event === 'status_listen_failed');
  assert.ok(fatal, 'a status_listen_failed line');
  assert.match(fatal.msg, new RegExp(`127\\.0\\.0\\.1:${port}: EADDRINUSE`));
  assert.equal(second.logs.some((r) => r.event === 'starting'), false, 'nothing was started');
});
