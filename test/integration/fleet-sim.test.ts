// The fleet bench's simulator at small scale (bench/fleet-sim): 20 simulated hosts of 3
// services (the agent's own session, registration table and write limiter each) against a
// real ZooKeeper, counted by the independent observer (kazoo, in a process of its own).
// What the hosts hold confirmed must be what the observer sees, before and after a restart
// of the server; the restart's figures must agree with each other. Nothing here is timed:
// how fast is bench/'s question.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { hostName, SimFleet } from '../../bench/fleet-sim/fleet.js';
import { Observer } from '../../bench/fleet-sim/observer.js';
import { restartRun, settle, type SimContext } from '../../bench/fleet-sim/phases.js';
import { mntr, Sampler } from '../../bench/fleet-sim/sampler.js';
import { connectClient, type TestClient } from '../support/zk-client.js';
import { startZooKeeper, stopAll, type ZkServer } from '../support/zookeeper.js';

const HOSTS = 20;
const SERVICES = 3;
const ROOT = '/fleet-sim-test';
/**
 * Long enough that the server's restart on a loaded machine does not outlast the sessions;
 * no longer, because with one member the agent may wait out the session's remaining time
 * on a connection the starting server accepted but does not answer yet.
 */
const SESSION_TIMEOUT_MS = 15_000;
const DEADLINE_MS = 90_000;

let zk: ZkServer;
let helper: TestClient;
let observer: Observer;
let sampler: Sampler;
let fleet: SimFleet;
let ctx: SimContext;

before(async () => {
  zk = await startZooKeeper();
  helper = await connectClient(zk.connectString);
  for (let j = 0; j < SERVICES; j++) await helper.mkdirp(`${ROOT}/svc-${j}`);
  observer = new Observer(zk.connectString, ROOT, SERVICES, 0.25);
  await observer.ready;
  fleet = new SimFleet({
    services: SERVICES,
    refreshMs: 1000,
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
    root: ROOT,
    jitter: true,
    writesPerSecond: 500,
    connectString: () => zk.connectString,
    logger: pino({ level: 'silent' }),
  });
  sampler = new Sampler([{ host: '127.0.0.1', port: zk.port }], 250, () => ({ simRegistered: fleet.registered, observed: observer.lastTotal }));
  sampler.start();
  ctx = { fleet, observer, sampler, services: SERVICES, sessionTimeoutMs: SESSION_TIMEOUT_MS, progress: () => undefined };
});

after(async () => {
  sampler?.stop();
  await fleet?.stop();
  observer?.stop();
  await helper?.close();
  await stopAll();
});

/** Every host's nodes as the observer counts them, against what the host holds confirmed. */
function agreement(): Array<{ host: string; observed: number; confirmed: number }> {
  return fleet.hosts.map((h) => ({ host: h.hostname, observed: observer.counts.get(h.hostname) ?? 0, confirmed: h.registered }));
}

test('the simulated fleet registers every node, and the observer counts each host as the hosts do', async () => {
  fleet.grow(HOSTS);
  await settle(ctx, 'the fleet registering', DEADLINE_MS);
  assert.equal(observer.lastTotal, HOSTS * SERVICES);
  assert.deepEqual(agreement(), fleet.hosts.map((h) => ({ host: h.hostname, observed: SERVICES, confirmed: SERVICES })));
  assert.equal(fleet.hosts[7]!.hostname, hostName(7));
  // One watch per node: each host watches its own nodes, as the agent does.
  assert.equal(Number((await mntr({ host: '127.0.0.1', port: zk.port }))?.zk_watch_count), HOSTS * SERVICES);
});

test('a restart of the server: every host back, its session kept, and the observer agrees', async () => {
  const run = await restartRun(ctx, [zk], 'all', { jitter: true, writesPerSecond: 500 });
  // Every host lost contact and came back whole; the observer never saw a node missing.
  assert.equal(run.sim.hosts, HOSTS, 'every host lost contact');
  assert.equal(run.sim.notBack, 0);
  assert.ok(Number.isFinite(run.sim.lastMs) && run.sim.lastMs >= run.sim.p50Ms, `last host back at ${run.sim.lastMs} ms`);
  assert.equal(run.sessionsLost, 0, 'sessions outlive a restart shorter than their timeout');
  assert.equal(run.seen.minSeen, HOSTS * SERVICES, 'a kept session keeps its nodes: the observer never misses one');
  assert.equal(run.observed.hosts, 0);
  assert.equal(run.hostWrites.total, 0, 'nothing is written again: the nodes are still ours');
  // After it: the same counts on both sides, and every watch set again on the restarted server.
  const round = await observer.roundAfter(Date.now());
  assert.equal('total' in round && round.total, HOSTS * SERVICES);
  assert.deepEqual(agreement(), fleet.hosts.map((h) => ({ host: h.hostname, observed: SERVICES, confirmed: SERVICES })));
  assert.equal(Number((await mntr({ host: '127.0.0.1', port: zk.port }))?.zk_watch_count), HOSTS * SERVICES);
});

test('a fleet that stops takes its nodes with it, as the observer sees', async () => {
  await fleet.stop();
  const until = performance.now() + DEADLINE_MS;
  while ((await observer.roundAfter(Date.now())).total !== 0) {
    assert.ok(performance.now() < until, `the observer still sees ${observer.lastTotal} nodes`);
  }
  assert.deepEqual(agreement().filter((a) => a.observed !== 0), []);
});
