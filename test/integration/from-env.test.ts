// --from-env end to end: the agent configured only by the Docker image's variables
// registers against a real ZooKeeper, seen by an independent client; WAIT_TIME delays the
// start and DRAIN_TIME the exit after deregistration, as the original entrypoint did.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { freePort } from '../support/ports.js';
import { startAgent, writeConfig, type Agent } from '../support/agent.js';
import { waitFor } from '../support/wait.js';
import { useZooKeeper } from '../support/zk-fixture.js';

const fx = useZooKeeper();

function agentFromEnv(vars: Record<string, string>, args: readonly string[] = []): Agent {
  const a = startAgent(['--from-env', ...args], { PATH: process.env.PATH, ZOOKEEPER_HOST: '127.0.0.1', ZOOKEEPER_PORT: String(fx.zk.port), ...vars });
  fx.track(a);
  return a;
}

test('the image\'s variables alone register the service; SIGTERM removes it', async () => {
  const started = Date.now();
  const a = agentFromEnv({ ZK_PATH: '/docker/ssh', SVC_HOST: 'docker-host-1', SVC_PORT: '22', CMD: 'test "$SVC_PORT" = 22', REFRESH: '1', WAIT_TIME: '2' });
  await a.waitForLog((r) => r.event === 'waiting', 'the WAIT_TIME pause is logged');
  const path = '/docker/ssh/docker-host-1:22';
  const stat = await waitFor(() => fx.observer.exists(path), (s) => s !== null, { what: `${path} to exist` });
  assert.ok(stat!.ephemeralOwner.toString('hex') !== '0000000000000000', 'ephemeral');
  // WAIT_TIME is a lower bound: the node cannot appear before it has passed.
  assert.ok(Date.now() - started >= 2000, `registered ${Date.now() - started} ms after the start, before WAIT_TIME`);
  a.signal('SIGTERM');
  assert.equal(await a.exited, 0, a.stderr());
  assert.equal(await fx.observer.exists(path), null);
});

test('DRAIN_TIME: the node goes at once on SIGTERM, the process exits DRAIN_TIME seconds after the signal', async () => {
  const a = agentFromEnv({ ZK_PATH: '/docker/web', SVC_HOST: 'docker-host-2', SVC_PORT: '80', CMD: 'true', DRAIN_TIME: '3', VERBOSE: 'yes' });
  const path = '/docker/web/docker-host-2:80';
  await waitFor(() => fx.observer.exists(path), (s) => s !== null, { what: `${path} to exist` });
  const signalled = Date.now();
  a.signal('SIGTERM');
  await waitFor(() => fx.observer.exists(path), (s) => s === null, { what: `${path} to be removed on SIGTERM` });
  const stopped = await a.waitForLog((r) => r.event === 'stopped', 'deregistration finished');
  assert.equal(stopped.remaining, 0);
  assert.equal(await a.exited, 0, a.stderr());
  const drained = Date.now() - signalled;
  assert.ok(drained >= 3000, `exited ${drained} ms after SIGTERM, before DRAIN_TIME`);
  // VERBOSE (any value) turns on debug lines.
  assert.ok(a.logs.some((r) => r.level === 20), 'debug lines with VERBOSE set');
});

test('a signal during WAIT_TIME ends the agent at once, without registering', async () => {
  const a = agentFromEnv({ ZK_PATH: '/docker/late', SVC_HOST: 'docker-host-3', SVC_PORT: '1', CMD: 'true', WAIT_TIME: '600' });
  await a.waitForLog((r) => r.event === 'waiting', 'the WAIT_TIME pause is logged');
  a.signal('SIGTERM');
  assert.equal(await a.exited, 0, a.stderr());
  assert.equal(await fx.observer.exists('/docker/late/docker-host-3:1'), null);
});

test('sidecars sharing a loopback: one whose status port is taken warns and still registers; STATUS_PORT gives another its own', async () => {
  // The port the image's entrypoint asks for, held by someone else (another sidecar with --network host).
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const taken = (holder.address() as { port: number }).port;
  try {
    const a = agentFromEnv({ ZK_PATH: '/docker/shared', SVC_HOST: 'docker-host-4', SVC_PORT: '1', CMD: 'true', REFRESH: '1' }, ['--status-port', String(taken)]);
    const warned = await a.waitForLog((r) => r.event === 'status_listen_failed', 'the taken port warned about');
    assert.equal(warned.level, 40, 'a warning, not fatal');
    await waitFor(() => fx.observer.exists('/docker/shared/docker-host-4:1'), (s) => s !== null, { what: 'the node registered all the same' });

    const own = await freePort();
    const b = agentFromEnv({ ZK_PATH: '/docker/shared', SVC_HOST: 'docker-host-4', SVC_PORT: '2', CMD: 'true', REFRESH: '1', STATUS_PORT: String(own) }, ['--status-port', String(taken)]);
    await waitFor(() => fx.observer.exists('/docker/shared/docker-host-4:2'), (s) => s !== null, { what: 'the second sidecar registered' });
    const live = await waitFor(() => fetch(`http://127.0.0.1:${own}/livez`).then((r) => r.status, () => 0), (code) => code === 200, { what: `/livez on STATUS_PORT ${own}` });
    assert.equal(live, 200);
    // The image's HEALTHCHECK itself, run by sh, passes on this agent's answer (same PID namespace as this test).
    const dockerfile = readFileSync(fileURLToPath(new URL('../../../Dockerfile', import.meta.url)), 'utf8').replace(/\\\n/g, ' ');
    const health = /^HEALTHCHECK .*?\sCMD\s+(.*)$/m.exec(dockerfile)![1]!;
    const healthy = await new Promise<number>((resolve) => execFile('/bin/sh', ['-c', health], { env: { PATH: process.env.PATH, STATUS_PORT: String(own) }, timeout: 30_000 }, (e) => resolve(e === null ? 0 : Number(e.code ?? -1))));
    assert.equal(healthy, 0, 'the HEALTHCHECK accepts its own agent');
    assert.ok(!b.logs.some((r) => r.event === 'status_listen_failed'), 'STATUS_PORT replaced the taken port');
    for (const agent of [a, b]) {
      agent.signal('SIGTERM');
      assert.equal(await agent.exited, 0, agent.stderr());
    }
  } finally {
    await new Promise((resolve) => holder.close(resolve));
  }
});

test('without --from-env a taken status port is still fatal: nothing is registered', async () => {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const taken = (holder.address() as { port: number }).port;
  try {
    const a = fx.track(startAgent(['-c', writeConfig('[web]\ncmd: true\nrefresh: 1\nservice_port: 1\nservice_hostname: h\nzookeeper_path: /docker/fatal\n'), '-s', fx.zk.connectString, '--status-port', String(taken)]));
    assert.equal(await a.exited, 1, a.stderr());
    assert.equal(await fx.observer.exists('/docker/fatal/h:1'), null);
  } finally {
    await new Promise((resolve) => holder.close(resolve));
  }
});
