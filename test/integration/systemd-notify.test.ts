// The agent under Type=notify: the real program, a real ZooKeeper, and a real unix
// datagram socket in the place of systemd's, read as systemd would read it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { runCli, startAgent, writeConfig, type Agent } from '../support/agent.js';
import { openNotifyChannel } from '../../src/main/ops/notify/notify-channel.js';
import { processGone } from '../support/processes.js';
import { openNotifySocket, type NotifySocket } from '../support/notify-socket.js';
import { waitFor } from '../support/wait.js';
import { useZooKeeper } from '../support/zk-fixture.js';

const sockets: NotifySocket[] = [];
const fx = useZooKeeper(async () => {
  for (const s of sockets) await s.close();
});

function config(path: string): string {
  // Healthy only if systemd's variables stay the agent's: a check must not be able to feed our watchdog.
  return `[svc]\ncmd: test -z "$NOTIFY_SOCKET$WATCHDOG_USEC$WATCHDOG_PID"\nrefresh: 1\nservice_port: 80\nservice_hostname: 10.0.0.1\nzookeeper_path: ${path}\n`;
}

function agent(path: string, env: NodeJS.ProcessEnv, extra: string[] = []): Agent {
  const a = startAgent(['-c', writeConfig(config(path)), '-s', fx.zk.connectString, ...extra], { ...process.env, ...env });
  fx.track(a);
  return a;
}

async function socket(abstract = false): Promise<NotifySocket> {
  const s = await openNotifySocket({ abstract });
  sockets.push(s);
  return s;
}

/** Where a message waited for sits among all of them (never -1, which would make every slice below empty). */
function at(all: readonly { message: string }[], m: { message: string }): number {
  const i = all.indexOf(m);
  assert.ok(i >= 0, `${m.message} is among the messages received`);
  return i;
}

const exists = (path: string) => waitFor(() => fx.observer.exists(path), (s) => s !== null, { what: `${path} to exist`, timeoutMs: 30_000 });

test('READY=1 once the node exists, readable STATUS=, WATCHDOG=1 all along, through a ZooKeeper outage too, STOPPING=1 before exit', async () => {
  const notify = await socket();
  const path = '/notify/main/svc';
  const node = `${path}/10.0.0.1:80`;
  const a = agent(path, { NOTIFY_SOCKET: notify.address, WATCHDOG_USEC: '1000000' }, ['--session-timeout', '2']);

  const ready = await notify.waitForMessage((m) => m === 'READY=1', 'READY=1');
  // Registration converged before READY: the node is there the moment READY is.
  assert.notEqual(await fx.observer.exists(node), null, 'READY=1 came before the node existed');
  assert.notEqual(ready.datagram.pid, a.pid, 'sent by the zkw-notify helper, not through the agent pid');
  await notify.waitForMessage((m) => m === 'STATUS=1 service, 1 healthy, 1 registered; ZooKeeper connected', 'STATUS= once running');
  const before = notify.messages().slice(0, at(notify.messages(), ready));
  assert.ok(before.some((m) => m.message.startsWith('STATUS=starting: waiting for')), `a start-up STATUS= says what it waits for: ${JSON.stringify(before.map((m) => m.message))}`);

  await waitFor(async () => notify.messages().filter((m) => m.message === 'WATCHDOG=1').length, (n) => n >= 3, { what: '3 WATCHDOG=1', timeoutMs: 30_000 });

  // ZooKeeper gone for far longer than the session timeout (2 s): the agent is alive, so the
  // watchdog is still fed; the outage shows in STATUS= instead.
  await fx.zk.stop();
  const goneFor = (m: string): number => Number(/no server for (\d+) s\)$/.exec(m)?.[1] ?? -1);
  const outage = await notify.waitForMessage((m) => goneFor(m) >= 3, 'STATUS= with ZooKeeper gone for 3 s or more');
  const later = await notify.waitForMessage((m) => goneFor(m) >= goneFor(outage.message) + 4, 'STATUS= 4 s later, ZooKeeper still gone', 60_000);
  const all = notify.messages();
  const fedDuringOutage = all.slice(at(all, outage), at(all, later)).filter((m) => m.message === 'WATCHDOG=1');
  // 4 s of the agent's own clock is 8 watchdog intervals of 0.5 s; a noisy machine may lose a few.
  assert.ok(fedDuringOutage.length >= 4, `WATCHDOG=1 went on through the outage (${fedDuringOutage.length} in 4 s)`);
  assert.deepEqual(a.logs.filter((r) => r.event === 'watchdog_withheld'), [], 'a ZooKeeper outage never withholds the watchdog');
  // Nothing is claimed registered without a server to confirm it; the node is unconfirmed (it may outlive us until its session expires).
  assert.match(later.message, /^STATUS=1 service, 1 healthy, 0 registered, 1 unconfirmed; ZooKeeper (connecting|disconnected) \(no server for \d+ s\)$/);

  // ZooKeeper back: registered again, the same process.
  await fx.zk.start();
  await exists(node);
  await notify.waitForMessage((m) => m === 'STATUS=1 service, 1 healthy, 1 registered; ZooKeeper connected', 'STATUS= connected again', 60_000);

  a.signal('SIGTERM');
  assert.equal(await a.exited, 0);
  // A datagram sent now, after the exit, is queued behind anything the agent sent: the socket keeps order.
  const marker = openNotifyChannel(notify.address, pino({ level: 'silent' }));
  marker.send('X_TEST_AGENT_EXITED=1');
  await notify.waitForMessage((m) => m === 'X_TEST_AGENT_EXITED=1', 'the marker sent after the exit', 20_000);
  await marker.close(5000);
  const order = notify.messages().map((m) => m.message);
  const stopping = order.indexOf('STOPPING=1');
  assert.ok(stopping >= 0 && stopping < order.indexOf('X_TEST_AGENT_EXITED=1'), `STOPPING=1 was sent before the agent exited: ${JSON.stringify(order.slice(-5))}`);
  assert.deepEqual(order.slice(stopping + 1, -1).filter((m) => m === 'WATCHDOG=1' || m === 'READY=1'), [], 'nothing but STATUS= after STOPPING=1');
  assert.equal(await fx.observer.exists(node), null, 'the node was removed on the way out');
});

test('started while ZooKeeper is down: READY=1 once the check has answered and no server has for 10 s, fed all along, registered when ZooKeeper comes', async () => {
  const notify = await socket();
  const path = '/notify/zk-down-at-start/svc';
  const node = `${path}/10.0.0.1:80`;
  await fx.zk.stop();
  try {
    const a = agent(path, { NOTIFY_SOCKET: notify.address, WATCHDOG_USEC: '1000000' });
    const enabled = await a.waitForLog((r) => r.event === 'notify_enabled', 'notify_enabled');
    const ready = await notify.waitForMessage((m) => m === 'READY=1', 'READY=1 without ZooKeeper', 40_000);
    const readyLog = await a.waitForLog((r) => r.event === 'notify_ready', 'notify_ready');
    assert.match(readyLog.msg, /READY=1 without ZooKeeper/);
    const afterMs = ready.datagram.wall - Number(enabled.time);
    assert.ok(afterMs >= 9_000, `READY=1 waited for ZooKeeper a while first (${afterMs} ms)`);
    const fedBefore = notify.messages().slice(0, at(notify.messages(), ready)).filter((m) => m.message === 'WATCHDOG=1').length;
    assert.ok(fedBefore >= 5, `the watchdog was fed while waiting (${fedBefore} times)`);
    await fx.zk.start();
    await exists(node);
    a.signal('SIGTERM');
    assert.equal(await a.exited, 0);
  } finally {
    if (!fx.zk.running) await fx.zk.start();
  }
});

test('an abstract-namespace NOTIFY_SOCKET (@name) works, and WATCHDOG_PID of another process means no watchdog from us', async () => {
  const notify = await socket(true);
  const path = '/notify/abstract/svc';
  const a = agent(path, { NOTIFY_SOCKET: notify.address, WATCHDOG_USEC: '200000', WATCHDOG_PID: '1' });
  await notify.waitForMessage((m) => m === 'READY=1', 'READY=1 on an abstract socket');
  await exists(`${path}/10.0.0.1:80`);
  const enabled = await a.waitForLog((r) => r.event === 'notify_enabled', 'notify_enabled');
  assert.equal(enabled.watchdogEveryMs, null);
  a.signal('SIGTERM');
  assert.equal(await a.exited, 0);
  await notify.waitForMessage((m) => m === 'STOPPING=1', 'STOPPING=1');
  assert.deepEqual(notify.messages().filter((m) => m.message === 'WATCHDOG=1'), [], 'the watchdog belongs to pid 1, not to us');
});

test('without NOTIFY_SOCKET nothing of the protocol runs and the agent works as before', async () => {
  const path = '/notify/none/svc';
  const env = { ...process.env };
  delete env.NOTIFY_SOCKET;
  delete env.WATCHDOG_USEC;
  const a = startAgent(['-c', writeConfig(config(path)), '-s', fx.zk.connectString], env);
  fx.track(a);
  await exists(`${path}/10.0.0.1:80`);
  a.signal('SIGTERM');
  assert.equal(await a.exited, 0);
  assert.deepEqual(a.logs.filter((r) => r.event?.startsWith('notify') || r.event?.startsWith('watchdog')), []);
  assert.equal(await fx.observer.exists(`${path}/10.0.0.1:80`), null);
});

test('a NOTIFY_SOCKET that is no socket address stops the agent with exit code 2, naming the variable', () => {
  const r = runCli(['-c', writeConfig(config('/notify/bad/svc')), '-s', fx.zk.connectString], { ...process.env, NOTIFY_SOCKET: 'relative/notify' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /NOTIFY_SOCKET 'relative\/notify' is neither an absolute path nor an @abstract name/);
});

test('the zkw-notify helper does not outlive an agent killed with SIGKILL', async () => {
  const notify = await socket();
  const a = agent('/notify/killed/svc', { NOTIFY_SOCKET: notify.address });
  const ready = await notify.waitForMessage((m) => m === 'READY=1', 'READY=1');
  const helperPid = ready.datagram.pid!;
  assert.equal(processGone(helperPid), false);
  a.signal('SIGKILL');
  await a.exited;
  await waitFor(async () => processGone(helperPid), (g) => g, { what: `helper ${helperPid} to die with the agent` });
});
