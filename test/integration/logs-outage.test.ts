// What the log says about ZooKeeper going away, with the real program and a real ZooKeeper
// the test stops and starts: a sync that fails while disconnected says "not connected"; an
// outage ends with one line (how long, what became of the nodes); a stop says truly what it
// removed, what it could not and why, and what was never registered.

import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startAgent, writeConfig, type Agent, type LogRecord } from '../support/agent.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';
import { useZooKeeper } from '../support/zk-fixture.js';

const fx = useZooKeeper();

function render(path: string, services: readonly { name: string; port: number; cmd?: string }[]): string {
  return services.map((s) => `[${s.name}]\ncmd: ${s.cmd ?? 'true'}\nrefresh: 0.5\nservice_port: ${s.port}\nservice_hostname: host.example\nzookeeper_path: ${path}\n`).join('\n');
}

const events = (a: Agent, name: string): LogRecord[] => a.logs.filter((r) => r.event === name);

async function children(path: string): Promise<string[]> {
  return fx.observer.getChildren(path).catch(() => [] as string[]);
}

test('stop with ZooKeeper never reached: one true line, services never registered, no internal fields and no retry noise', async () => {
  const a = startAgent(['-c', writeConfig(render('/logs/never', [{ name: 'a', port: 1 }, { name: 'b', port: 2 }])), '-s', `127.0.0.1:${await freePort()}`]);
  fx.track(a);
  await a.waitForLog((r) => r.event === 'zk_waiting', 'the no-server warning');
  await waitFor(async () => events(a, 'check').length, (n) => n >= 2, { what: 'both services healthy' });
  a.signal('SIGTERM');
  assert.equal(await a.exited, 0);
  const stopped = events(a, 'stopped');
  assert.equal(stopped.length, 1);
  assert.equal(stopped[0]!.msg, 'stopped; ZooKeeper confirmed 0 of our nodes deleted; 2 services were never registered (ZooKeeper was not connected): nothing of theirs to remove');
  assert.deepEqual([stopped[0]!.deleted, stopped[0]!.remaining, stopped[0]!.neverRegistered], [0, 0, 2]);
  const stopping = a.logs.findIndex((r) => r.event === 'stopping');
  const noise = a.logs.slice(stopping + 1).filter((r) => r.level >= 30 && r.event !== 'stopped' && r.event !== 'zk_waiting');
  assert.deepEqual(noise.map((r) => r.msg), [], 'nothing between stopping and stopped but the no-server warning');
});

test('ZooKeeper down, the session still ours: syncs say "not connected"; it comes back within the session and one line says how long and that the nodes were kept; a stop during the next outage says why nodes were left', async () => {
  const path = '/logs/kept';
  const flag = join(mkdtempSync(join(tmpdir(), 'zkw-logs-')), 'healthy');
  writeFileSync(flag, '');
  const a = fx.track(startAgent(['-c', writeConfig(render(path, [{ name: 'a', port: 1 }, { name: 'b', port: 2, cmd: `test -e ${flag}` }])), '-s', fx.zk.connectString, '--session-timeout', '30']));
  await waitFor(() => children(path), (c) => c.length === 2, { what: 'both registered' });
  const outageBegan = Date.now();
  await fx.zk.stop();
  try {
    await a.waitForLog((r) => r.event === 'zk_disconnected', 'the lost connection noticed');
    // b turns unhealthy: its deregistration cannot reach anyone.
    rmSync(flag);
    const failed = await a.waitForLog((r) => r.event === 'zk_sync_failed' && r.service === 'b', 'b\'s failed sync');
    assert.match(String(failed.error), /^not connected to ZooKeeper \(disconnected\)/);
    assert.doesNotMatch(String(failed.error), /no answer within/);
    assert.match(failed.msg, /not connected to ZooKeeper/);
    assert.doesNotMatch(failed.msg, /no answer within/);
    writeFileSync(flag, '');
    await a.waitForLog((r) => r.event === 'check' && r.service === 'b' && r.healthy === true, 'b healthy again');
  } finally {
    await fx.zk.start();
  }
  const over = await a.waitForLog((r) => r.event === 'zk_outage_over', 'the outage line');
  const outageSeen = Date.now();
  const up = events(a, 'zk_connected').at(-1)!;
  assert.equal(up.fresh, false, 'the same session');
  assert.deepEqual([over.sessionLost, over.reregistered, over.registered, over.missing], [false, 0, 2, 0]);
  // The outage the agent measured lies within the one this test made (a bound, not a timing).
  assert.ok(Number(over.durationMs) > 0 && Number(over.durationMs) <= outageSeen - outageBegan, `${over.durationMs} ms, within the ${outageSeen - outageBegan} ms from stopping ZooKeeper to the line`);
  assert.match(over.msg, /^ZooKeeper outage over after \d+\.\d s \(reconnected within the session\): 2 kept, 0 re-registered$/);
  assert.equal(events(a, 'zk_outage_over').length, 1);

  await fx.zk.stop();
  try {
    await waitFor(async () => events(a, 'zk_disconnected').length, (n) => n === 2, { what: 'the second outage noticed' });
    a.signal('SIGTERM');
    assert.equal(await a.exited, 0);
  } finally {
    await fx.zk.start();
  }
  const stopped = events(a, 'stopped')[0]!;
  assert.deepEqual([stopped.deleted, stopped.remaining, stopped.neverRegistered], [0, 2, 0]);
  assert.match(stopped.msg, /^stopped; ZooKeeper confirmed 0 of our nodes deleted; not removed \(ZooKeeper not connected\): 2 may remain until their session expires: 2 with session 0x/);
});

test('the session lost in the outage: one line says so, and that every node was registered again', async () => {
  const path = '/logs/lost';
  const a = fx.track(startAgent(['-c', writeConfig(render(path, [{ name: 'a', port: 1 }, { name: 'b', port: 2 }])), '-s', fx.zk.connectString, '--session-timeout', '2']));
  await waitFor(() => children(path), (c) => c.length === 2, { what: 'both registered' });
  await fx.zk.stop();
  try {
    await a.waitForLog((r) => r.event === 'zk_session_lost', 'the session given up', 30_000);
  } finally {
    await fx.zk.start();
  }
  const over = await a.waitForLog((r) => r.event === 'zk_outage_over', 'the outage line', 60_000);
  assert.deepEqual([over.sessionLost, over.reregistered, over.registered, over.missing], [true, 2, 2, 0], over.msg);
  assert.match(over.msg, /^ZooKeeper outage over after \d+\.\d s \(the session was lost and a new one made\): 2 nodes re-registered$/);
  assert.equal(events(a, 'zk_outage_over').length, 1);
  a.signal('SIGTERM');
  assert.equal(await a.exited, 0);
  assert.equal(events(a, 'stopped')[0]!.msg, 'stopped; ZooKeeper confirmed all 2 of our nodes deleted');
});
