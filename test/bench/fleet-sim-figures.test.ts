// The fleet bench's arithmetic (bench/fleet-sim/figures.ts) and its flags (bench/options.ts), as tables.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensembleInterval, goneTimes, intervalFigures, observedWindow, observerEvents, recoveries, summarize, type HostEvent, type ObserverRound } from '../../bench/fleet-sim/figures.js';
import { parseBenchArgs } from '../../bench/options.js';
import { loadWarning, membersOf } from '../../bench/scenarios/fleet-sim.js';

const ev = (t: number, host: string, whole: boolean): HostEvent => ({ t, host, whole });

test('recoveries: per host broken in the window, ms from its start until whole for the last time', () => {
  const cases: Array<{ what: string; events: HostEvent[]; want: Record<string, number> }> = [
    { what: 'never broken: not listed', events: [ev(0, 'a', true)], want: {} },
    { what: 'broken and back', events: [ev(0, 'a', true), ev(1100, 'a', false), ev(1500, 'a', true)], want: { a: 500 } },
    { what: 'back twice: the last counts', events: [ev(0, 'a', true), ev(1100, 'a', false), ev(1200, 'a', true), ev(1300, 'a', false), ev(1900, 'a', true)], want: { a: 900 } },
    { what: 'still broken at the end', events: [ev(0, 'a', true), ev(1100, 'a', false)], want: { a: Infinity } },
    { what: 'broken before the window, back in it', events: [ev(0, 'a', false), ev(1400, 'a', true)], want: { a: 400 } },
    { what: 'broken before the window, never back', events: [ev(0, 'a', false)], want: { a: Infinity } },
    { what: 'after the window: not seen', events: [ev(0, 'a', true), ev(2500, 'a', false)], want: {} },
    { what: 'unsorted input', events: [ev(1500, 'b', true), ev(0, 'b', true), ev(1200, 'b', false)], want: { b: 500 } },
  ];
  for (const c of cases) assert.deepEqual(Object.fromEntries(recoveries(c.events, 1000, 2000)), c.want, c.what);
});

test('summarize: p50, p99 and the last of the hosts back; the others counted as not back', () => {
  const times = new Map([...Array.from({ length: 100 }, (_, i) => [`h${i}`, (i + 1) * 10] as const), ['gone', Infinity] as const]);
  assert.deepEqual(summarize(times), { hosts: 101, notBack: 1, p50Ms: 500, p99Ms: 990, lastMs: 1000 });
  assert.deepEqual(summarize(new Map()), { hosts: 0, notBack: 0, p50Ms: NaN, p99Ms: NaN, lastMs: NaN });
});

const round = (t: number, total: number, changes: Record<string, number>): ObserverRound => ({ t, total, changes });
const failed = (t: number): ObserverRound => ({ t, error: 'ConnectionLoss' });

test("observer rounds: a host is whole with all its services' nodes seen", () => {
  const rounds = [round(0, 6, { a: 3, b: 3 }), failed(500), round(1000, 5, { a: 2 }), round(1500, 5, {}), round(2000, 6, { a: 3 })];
  assert.deepEqual(observerEvents(rounds, 3), [ev(0, 'a', true), ev(0, 'b', true), ev(1000, 'a', false), ev(2000, 'a', true)]);
});

test('observedWindow: the fewest seen, rounds without an answer, when all were seen again for good', () => {
  const rounds = [round(0, 6, {}), round(1000, 6, {}), failed(1500), round(2000, 4, {}), round(2500, 6, {}), round(3000, 5, {}), round(3500, 6, {}), round(4000, 6, {})];
  assert.deepEqual(observedWindow(rounds, 1000, 4000, 6), { minSeen: 4, failedRounds: 1, allSeenMs: 2500 });
  assert.deepEqual(observedWindow(rounds, 0, 1000, 6), { minSeen: 6, failedRounds: 0, allSeenMs: 0 }, 'never broken: seen from the start');
  assert.deepEqual(observedWindow(rounds, 1000, 2000, 6), { minSeen: 4, failedRounds: 1, allSeenMs: NaN }, 'broken at the end');
});

test('goneTimes: the first round that saw none of a host', () => {
  const rounds = [round(0, 6, { a: 3, b: 3 }), round(1500, 4, { a: 1 }), round(2000, 3, { a: 0 }), round(2500, 3, {})];
  assert.deepEqual(Object.fromEntries(goneTimes(rounds, ['a', 'b'], 1000, 3000)), { a: 1000, b: Infinity });
});

const m = (o: Record<string, number>): Record<string, string> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));

test("intervalFigures: one server's mntr answers, 2 s apart; a restart in between gives null", () => {
  const prev = m({ zk_uptime: 1000, zk_packets_received: 100, zk_proposal_count: 10, zk_cnt_readlatency: 10, zk_sum_readlatency: 20, zk_cnt_updatelatency: 0, zk_sum_updatelatency: 0, zk_outstanding_requests: 0, zk_num_alive_connections: 5, zk_watch_count: 7, zk_znode_count: 9 });
  const cur = m({ zk_uptime: 3000, zk_packets_received: 300, zk_proposal_count: 30, zk_cnt_readlatency: 40, zk_sum_readlatency: 80, zk_cnt_updatelatency: 10, zk_sum_updatelatency: 60, zk_outstanding_requests: 3, zk_num_alive_connections: 5, zk_watch_count: 8, zk_znode_count: 11 });
  assert.deepEqual(intervalFigures(prev, cur, 2), { packetsReceivedPerSecond: 100, proposalsPerSecond: 10, avgLatencyMs: 3, requests: 40, outstanding: 3, connections: 4, watches: 8, znodes: 11 });
  assert.equal(intervalFigures(cur, { ...cur, zk_uptime: '10' }, 2), null);
  assert.ok(Number.isNaN(intervalFigures(prev, { ...prev, zk_uptime: '2000' }, 1)!.avgLatencyMs), 'no request: no latency');
});

test('ensembleInterval: members summed, latency weighted by requests, znodes of the largest; none up gives null', () => {
  const s = (requests: number, avgLatencyMs: number, znodes: number) => ({ packetsReceivedPerSecond: 10, proposalsPerSecond: 1, avgLatencyMs, requests, outstanding: 2, connections: 3, watches: 4, znodes });
  assert.deepEqual(ensembleInterval([s(30, 1, 5), null, s(10, 5, 6)]), { packetsReceivedPerSecond: 20, proposalsPerSecond: 2, avgLatencyMs: 2, requests: 40, outstanding: 4, connections: 6, watches: 8, znodes: 6 });
  assert.equal(ensembleInterval([null, null]), null);
});

test('membersOf: host:port pairs of a connect string, chroot dropped', () => {
  assert.deepEqual(membersOf('a:1,10.0.0.2:2182/some/chroot'), [{ host: 'a', port: 1 }, { host: '10.0.0.2', port: 2182 }]);
});

test('bench flags: fleet-sim defaults, --quick, and --servers checked', () => {
  const run = (argv: string[]) => parseBenchArgs(argv, '/tmp/x.json');
  const normal = run([]);
  assert.ok(normal.kind === 'run');
  assert.deepEqual([normal.options.fleetSimHosts, normal.options.fleetSimServices, normal.options.fleetSimSessionTimeout, normal.options.servers], [1000, 20, 10, null]);
  assert.ok(normal.options.scenarios.includes('fleet-sim'));
  const quick = run(['--quick']);
  assert.ok(quick.kind === 'run' && quick.options.fleetSimHosts === 200);
  const ext = run(['--scenarios', 'fleet-sim', '--servers', 'zk1:2181,zk2:2181/chroot', '--fleet-sim-hosts', '3000']);
  assert.ok(ext.kind === 'run' && ext.options.servers === 'zk1:2181,zk2:2181/chroot' && ext.options.fleetSimHosts === 3000);
  for (const bad of ['zk1', 'zk1:2181,', 'zk1:x', '']) assert.equal(run(['--servers', bad]).kind, 'error', bad);
  assert.equal(run(['--fleet-sim-hosts', '0']).kind, 'error');
  assert.ok(normal.options.fleetSimRestarts.join() === 'rolling,all,wiped');
  const some = run(['--fleet-sim-restarts', 'wiped,rolling']);
  assert.ok(some.kind === 'run' && some.options.fleetSimRestarts.join() === 'wiped,rolling');
  const none = run(['--fleet-sim-restarts', 'none']);
  assert.ok(none.kind === 'run' && none.options.fleetSimRestarts.length === 0);
  for (const bad of ['', 'wipe', 'all,']) assert.equal(run(['--fleet-sim-restarts', bad]).kind, 'error', bad);
});

test('--servers prints what the fleet will put on the ensemble', () => {
  const text = loadWarning({ hosts: 3000, services: 20, sessionTimeout: 10, servers: 'zk1:2181' });
  assert.match(text, /WARNING/);
  assert.match(text, /3000 sessions/);
  assert.match(text, /60000 ephemeral nodes/);
  assert.match(text, /zk1:2181/);
  assert.match(text, /Nothing of the ensemble is restarted or wiped/);
});
