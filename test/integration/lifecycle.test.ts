// Where operators' everyday actions meet: reloads that overlap, stop during a reload,
// stop while the check queue is full, stop while ZooKeeper is unreachable. The real
// program against a real ZooKeeper, observed through an independent client.

import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { startAgent, writeConfig, type Agent, type LogRecord } from '../support/agent.js';
import { freePort } from '../support/ports.js';
import { seededRandom } from '../support/random.js';
import { holdsFor, waitFor } from '../support/wait.js';
import { useZooKeeper } from '../support/zk-fixture.js';

const fx = useZooKeeper();

function agent(file: string, extra: string[] = []): Agent {
  return fx.track(startAgent(['-c', file, '-s', fx.zk.connectString, ...extra]));
}

interface Svc {
  readonly name: string;
  readonly port: number;
  readonly cmd?: string;
  readonly data?: string;
  readonly refresh?: number;
}

function render(path: string, services: readonly Svc[]): string {
  return services
    .map((s) => `[${s.name}]\ncmd: ${s.cmd ?? 'true'}\nrefresh: ${s.refresh ?? 0.5}\ntimeout: 10\nservice_port: ${s.port}\nservice_hostname: host.example\nzookeeper_path: ${path}\n${s.data === undefined ? '' : `zookeeper_data: ${s.data}\n`}`)
    .join('\n');
}

/** The observer's view: child name -> the node's user data (the `v` key), for comparing with a file. */
async function nodes(path: string): Promise<Map<string, string | null>> {
  const children = await fx.observer.getChildren(path).catch(() => [] as string[]);
  const out = new Map<string, string | null>();
  for (const c of children) {
    const node = await fx.observer.getData(`${path}/${c}`);
    if (node !== null) out.set(c, (JSON.parse(node.data.toString('utf8')) as { v?: string }).v ?? null);
  }
  return out;
}

function expected(services: readonly Svc[]): Map<string, string | null> {
  return new Map(services.map((s) => [`host.example:${s.port}`, s.data === undefined ? null : /^v=(.*)$/.exec(s.data)![1]!]));
}

const same = (a: Map<string, string | null>, b: Map<string, string | null>) => a.size === b.size && [...a].every(([k, v]) => b.has(k) && b.get(k) === v);

async function becomes(path: string, services: readonly Svc[], what: string, timeoutMs = 60_000): Promise<void> {
  const want = expected(services);
  await waitFor(() => nodes(path), (have) => same(have, want), { what: `${what}: ${JSON.stringify([...want])}`, timeoutMs });
}

const events = (a: Agent, name: string) => a.logs.filter((r) => r.event === name);
const after = (a: Agent, marker: string): LogRecord[] => a.logs.slice(a.logs.findIndex((r) => r.event === marker) + 1);

async function stopAndCheck(a: Agent, path: string): Promise<void> {
  a.signal('SIGTERM');
  assert.equal(await a.exited, 0);
  assert.equal(events(a, 'stopped').length, 1, 'stopped was logged');
  assert.deepEqual(events(a, 'crash'), []);
  assert.deepEqual([...(await nodes(path)).keys()], [], 'no node of ours is left');
}

test('two SIGHUPs 200 ms apart while a check runs: no crash, and ZooKeeper ends as the second file says', async () => {
  const path = '/lifecycle/two-hups';
  const first: Svc[] = [{ name: 'a', port: 1, cmd: 'sleep 3', data: 'v=0' }, { name: 'b', port: 2, data: 'v=0' }];
  const file = writeConfig(render(path, first));
  const a = agent(file);
  await becomes(path, first, 'both registered at start');
  // a's check is running now (each takes 3 s) when both edits land.
  writeFileSync(file, render(path, [{ name: 'a', port: 1, cmd: 'sleep 3', data: 'v=1' }, { name: 'b', port: 2, data: 'v=1' }]));
  a.signal('SIGHUP');
  await new Promise((r) => setTimeout(r, 200));
  const second: Svc[] = [{ name: 'a', port: 1, cmd: 'sleep 3', data: 'v=2' }, { name: 'c', port: 3, data: 'v=2' }];
  writeFileSync(file, render(path, second));
  a.signal('SIGHUP');
  await becomes(path, second, 'the second file applied');
  assert.ok(events(a, 'reloaded').length >= 1);
  assert.equal(a.process.exitCode, null, 'still running');
  await stopAndCheck(a, path);
});

test('a storm of 20 SIGHUPs over a changing file: ZooKeeper ends as the last file says', async () => {
  const path = '/lifecycle/storm';
  const random = seededRandom(20261202);
  const version = (i: number): Svc[] => {
    const services: Svc[] = [];
    for (let n = 0; n < 12; n++) if (random() < 0.6) services.push({ name: `s${n}`, port: 100 + n + (random() < 0.3 ? 50 : 0), data: `v=${i}`, cmd: random() < 0.2 ? 'sleep 0.3' : 'true' });
    return services;
  };
  const file = writeConfig(render(path, version(0)));
  const a = agent(file);
  await a.waitForLog((r) => r.event === 'zk_connected', 'connected');
  let last: Svc[] = [];
  for (let i = 1; i <= 20; i++) {
    last = version(i);
    writeFileSync(file, render(path, last));
    a.signal('SIGHUP');
    // The kernel merges a SIGHUP sent while the previous one is still pending (a loaded
    // machine may not run the agent in between): the next goes once this one was heard,
    // which is at once, long before its reload ends, so the reloads still overlap.
    await waitFor(async () => events(a, 'signal').filter((r) => r.signal === 'SIGHUP').length, (n) => n === i, { what: `SIGHUP ${i} heard` });
    await new Promise((r) => setTimeout(r, Math.floor(random() * 120)));
  }
  await becomes(path, last, 'the last file applied');
  assert.equal(a.process.exitCode, null, 'still running');
  const signals = events(a, 'signal').filter((r) => r.signal === 'SIGHUP').length;
  assert.equal(signals, 20, 'every SIGHUP was heard');
  assert.ok(events(a, 'reloaded').length <= 20, 'overlapping requests folded together');
  await stopAndCheck(a, path);
});

test('SIGTERM 50 ms after SIGHUP: nothing is applied after stop began, and every node goes', async () => {
  const path = '/lifecycle/term-after-hup';
  const before: Svc[] = [{ name: 'a', port: 1 }, { name: 'b', port: 2 }];
  const file = writeConfig(render(path, before));
  const a = agent(file);
  await becomes(path, before, 'registered');
  writeFileSync(file, render(path, [...before, ...Array.from({ length: 20 }, (_, i) => ({ name: `new${i}`, port: 10 + i }))]));
  a.signal('SIGHUP');
  await new Promise((r) => setTimeout(r, 50));
  await stopAndCheck(a, path);
  const late = after(a, 'stopping');
  assert.deepEqual(late.filter((r) => r.event === 'reloaded'), [], 'the reload was applied before stop began, or not at all');
  // A create already sent when stop began may still be answered after it; each such node is then deleted by us.
  for (const r of late.filter((r) => r.event === 'registered')) {
    assert.ok(late.some((d) => d.event === 'deregistered' && d.path === r.path), `${r.path}, registered as stop began, was deleted by us`);
  }
});

for (const withStatus of [true, false]) {
  test(`SIGTERM with 100 checks queued behind 4 slots${withStatus ? ' and --status-port' : ''}: the queue is answered, stopped is logged, every node goes`, async () => {
    const path = `/lifecycle/saturated-${withStatus ? 'status' : 'plain'}`;
    const services: Svc[] = Array.from({ length: 100 }, (_, i) => ({ name: `q${i}`, port: 1000 + i, cmd: 'sleep 2', refresh: 1 }));
    const extra = ['--max-concurrent-checks', '4', ...(withStatus ? ['--status-port', String(await freePort())] : [])];
    const a = agent(writeConfig(render(path, services)), extra);
    // The first four have registered, the other 96 wait in the queue.
    await waitFor(() => nodes(path), (n) => n.size >= 4, { what: 'the first checks registered', timeoutMs: 60_000 });
    await stopAndCheck(a, path);
    assert.equal(events(a, 'stopped')[0]?.remaining, 0);
  });
}

test('SIGTERM while ZooKeeper is unreachable: the agent exits in bounded time and nothing retries after it stopped', async () => {
  const path = '/lifecycle/term-unreachable';
  const services: Svc[] = [{ name: 'a', port: 1 }, { name: 'b', port: 2 }, { name: 'c', port: 3 }];
  const a = agent(writeConfig(render(path, services)), ['--session-timeout', '4']);
  await becomes(path, services, 'registered');
  await fx.zk.stop();
  try {
    await a.waitForLog((r) => r.event === 'zk_disconnected', 'disconnected');
    a.signal('SIGTERM');
    // Bounded: the deletes wait 4 s, closing the session 1 s, the workers 5 s at most.
    const code = await waitFor(async () => (a.process.exitCode ?? a.process.signalCode) as number | string | null, (c) => c !== null, { what: 'the agent to exit', timeoutMs: 30_000 });
    assert.equal(code, 0);
    await a.exited;
    const stopping = a.logs.findIndex((r) => r.event === 'stopping');
    const stopped = a.logs.findIndex((r) => r.event === 'stopped');
    assert.ok(stopping >= 0 && stopped > stopping, 'stopping, then stopped');
    const retries = a.logs.slice(stopping).filter((r) => r.event === 'zk_sync_failed');
    assert.ok(retries.length <= services.length, `at most one failed delete per node, not a retry loop: ${retries.length}`);
    assert.deepEqual(a.logs.slice(stopped + 1).map((r) => r.event), [], 'nothing after stopped');
  } finally {
    await fx.zk.start();
  }
  // The session expires on the server; the nodes go with it.
  await becomes(path, [], 'the nodes gone with the expired session');
});

test('a reload whose file has two sections on one node is refused, naming both, and what is registered stays', async () => {
  const path = '/lifecycle/duplicate-on-reload';
  const good: Svc[] = [{ name: 'a', port: 1, data: 'v=1' }, { name: 'b', port: 2, data: 'v=1' }];
  const file = writeConfig(render(path, good));
  const a = agent(file);
  await becomes(path, good, 'registered');
  const before = await fx.observer.exists(`${path}/host.example:1`);
  writeFileSync(file, render(path, [{ name: 'a', port: 1, data: 'v=2', cmd: 'true' }, { name: 'b', port: 1, data: 'v=2', cmd: 'false' }]));
  a.signal('SIGHUP');
  await a.waitForLog((r) => r.event === 'reload_rejected', 'the reload refused');
  const problem = events(a, 'config_problem').map((r) => String(r.problem)).find((p) => p.includes('registers the same node'));
  assert.equal(problem, `${file}:10: [b] registers the same node ${path}/host.example:1 as [a] (${file}:1); give each section its own zookeeper_path, service_hostname or service_port`);
  // Checks go on under the running config (refresh 0.5 s): still both nodes, the same ones.
  await holdsFor(() => nodes(path), (n) => same(n, expected(good)), { durationMs: 2000, what: 'the running config' });
  assert.equal((await fx.observer.exists(`${path}/host.example:1`))?.mzxid.toString('hex'), before?.mzxid.toString('hex'), 'the node was not touched');
  await stopAndCheck(a, path);
});

for (const [why, after] of [
  ['a chain of moves ([a] 1->2, [b] 2->3)', [{ name: 'a', port: 2, data: 'v=a' }, { name: 'b', port: 3, data: 'v=b' }]],
  ['a move onto a removed service\'s node ([a] 1->2, [b] gone)', [{ name: 'a', port: 2, data: 'v=a' }]],
] as [string, Svc[]][]) {
  test(`make-before-break through ${why}: the old node goes once the new one carries the moved service's data, not after the 10 s fallback`, async () => {
    const path = `/lifecycle/mbb-${after.length}`;
    const before: Svc[] = [{ name: 'a', port: 1, data: 'v=a' }, { name: 'b', port: 2, data: 'v=b' }];
    const file = writeConfig(render(path, before));
    const a = agent(file);
    await becomes(path, before, 'registered');
    writeFileSync(file, render(path, after));
    a.signal('SIGHUP');
    await becomes(path, after, 'the moves applied and the old nodes gone');
    assert.deepEqual(events(a, 'replacement_timeout'), [], 'released by ZooKeeper\'s confirmation, not by the fallback timer');
    await stopAndCheck(a, path);
  });
}

test('SIGTERM while the write limit holds creates back: none is sent after stop began, beyond one already on its way', async () => {
  const path = '/lifecycle/limited';
  const services: Svc[] = Array.from({ length: 300 }, (_, i) => ({ name: `w${i}`, port: 2000 + i, refresh: 5 }));
  const a = agent(writeConfig(render(path, services)), ['--max-writes-per-second', '20']);
  await a.waitForLog((r) => r.event === 'registered', 'the first registration');
  // At 20 writes a second, most of the 300 creates are still waiting for their turn.
  await new Promise((r) => setTimeout(r, 600));
  await stopAndCheck(a, path);
  const late = after(a, 'stopping').filter((r) => r.event === 'registered');
  assert.ok(late.length <= 3, `registered after stopping: ${late.length} (each must have been on its way already)`);
  for (const r of late) assert.ok(after(a, 'stopping').some((d) => d.event === 'deregistered' && d.path === r.path), `${r.path} was deleted by us`);
});

test('SIGTERM after the session was given up with ZooKeeper gone: the nodes the server may still hold are reported as left, with the session and when it ends', async () => {
  const path = '/lifecycle/lost-then-term';
  const services: Svc[] = [{ name: 'a', port: 1 }, { name: 'b', port: 2 }];
  const a = agent(writeConfig(render(path, services)), ['--session-timeout', '2']);
  const connected = await a.waitForLog((r) => r.event === 'zk_connected', 'connected');
  await becomes(path, services, 'registered');
  await fx.zk.stop();
  try {
    // No server can say it expired: the agent gives it up only past 2 t since its last packet.
    await a.waitForLog((r) => r.event === 'zk_session_lost', 'the session given up, safely past any server expiry', 30_000);
    a.signal('SIGTERM');
    assert.equal(await a.exited, 0);
    const stopped = events(a, 'stopped')[0];
    assert.equal(stopped?.remaining, 2, 'both nodes are left to the expiry of the lost session');
    assert.equal(stopped?.deleted, 0);
    const sessions = stopped?.sessions as { sessionId: string; nodes: number; expiresBy: string | null }[];
    assert.deepEqual(sessions.map((s) => [s.sessionId, s.nodes]), [[connected.sessionId, 2]]);
    assert.ok(sessions[0]!.expiresBy !== null && Date.parse(sessions[0]!.expiresBy) <= Date.now(), 'already past its end: it was given up only once surely expired');
    assert.match(String(stopped?.msg), /2 may remain until their session expires: 2 with session 0x/);
  } finally {
    await fx.zk.start();
  }
  await becomes(path, [], 'the nodes gone when the server expired the session');
});

test("a reload that moves a service whose node was already removed (unhealthy) never brings the old node back", async () => {
  const path = '/lifecycle/mbb-unhealthy';
  const flag = writeConfig('', 'healthy.flag');
  const file = writeConfig(render(path, [{ name: 'a', port: 1, cmd: `test -e ${flag}`, data: 'v=a' }]));
  const a = agent(file);
  await becomes(path, [{ name: 'a', port: 1, data: 'v=a' }], 'registered while healthy');
  rmSync(flag);
  await becomes(path, [], 'removed once unhealthy');
  // A ZooKeeper watch on the old path: it fires on a create, however briefly the node lives.
  let seen = false;
  await new Promise<void>((resolve, reject) =>
    fx.observer.raw.exists(`${path}/host.example:1`, () => (seen = true), (e, stat) => (e ? reject(e) : stat ? reject(new Error('the old node exists')) : resolve())),
  );
  writeFileSync(file, render(path, [{ name: 'a', port: 2, cmd: 'true', data: 'v=a' }]));
  a.signal('SIGHUP');
  await becomes(path, [{ name: 'a', port: 2, data: 'v=a' }], 'the moved service registered at its new node');
  await holdsFor(async () => seen, (s) => !s, { durationMs: 1000, what: 'the old node staying away (no watch event on it)' });
  await stopAndCheck(a, path);
});
