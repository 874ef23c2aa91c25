// The Docker image, built from the real Dockerfile and run: `podman build` on a local
// stand-in for node:24-bookworm-slim (NODE_IMAGE), installing through a TLS mirror of the
// npm registry that only the build arguments make reachable (NPM_REGISTRY, EXTRA_CA_CERT);
// then the image's own entrypoint and HEALTHCHECK, run with buildah against a real
// ZooKeeper on this machine's loopback, judged from outside by an independent client.
//
// Run by `npm run test:image` (test/image/run.sh), which makes the base image and passes
// its name in ZKW_IMAGE_BASE; `npm test` does not run this file (it takes minutes).

import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { canBind } from '../support/ports.js';
import { processGone } from '../support/processes.js';
import { waitFor } from '../support/wait.js';
import { connectClient, type TestClient } from '../support/zk-client.js';
import { startZooKeeper, stopAll, type ZkServer } from '../support/zookeeper.js';
import { descendantsMatching, imageConfig, nsPids, podmanBuild, removeImage, startAsPid1, uidOf, WorkingContainer, type ImageConfig, type Running } from './containers.js';
import { startRegistryMirror, upstreamRegistry, type RegistryMirror } from './registry-mirror.js';

const BASE = process.env['ZKW_IMAGE_BASE'];
// build/test/image/ -> the repository
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const LOGS = join(REPO, '.cache', 'image-test');
const TAG = `localhost/zk-watcher-image-test:${process.pid}`;
/** The port the image's status server listens on, and its HEALTHCHECK asks. */
const STATUS_PORT = 9647;
const ZK_PATH = '/zkw-image-test';
const SVC_HOST = 'image-test.example.com';
const SVC_PORT = '2222';
const NODE = `${ZK_PATH}/${SVC_HOST}:${SVC_PORT}`;
/** Registration and flips: the agent backs off while ZooKeeper is down, and the machine is slow and shared. */
const DEADLINE_MS = 90_000;
/** How the agent's process is told from buildah's helpers, which carry the same arguments. */
const AGENT_ARGS = ['/app/dist/main/cli.js', '--from-env'];

let zk: ZkServer | undefined;
let observer: TestClient | undefined;
let mirror: RegistryMirror | undefined;
let config: ImageConfig | undefined;
let container: WorkingContainer | undefined;
let agent: Running | undefined;
let agentPid: number | undefined;
let probeDir: string | undefined;
let pid1Agent: Running | undefined;

const started = <T>(v: T | undefined, what: string): T => {
  if (v === undefined) throw new Error(`${what} is not there: an earlier step failed`);
  return v;
};
const logTail = (file: string, lines = 40) => {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
};
/** The original image's variables for the test's service, against the test's ZooKeeper; CMD apart. */
const serviceEnv = (zkServer: ZkServer) => ({ ZK_PATH, SVC_HOST, SVC_PORT, REFRESH: '1', ZOOKEEPER_HOST: '127.0.0.1', ZOOKEEPER_PORT: String(zkServer.port) });
const nodeData = async () => (await started(observer, 'the observer').getData(NODE))?.data.toString('utf8');

before(async () => {
  if (!BASE) throw new Error('ZKW_IMAGE_BASE is not set: run this file through `npm run test:image`');
  mkdirSync(LOGS, { recursive: true });
  zk = await startZooKeeper();
  observer = await connectClient(zk.connectString);
  mirror = await startRegistryMirror(upstreamRegistry());
});

after(async () => {
  if (agent !== undefined) {
    // Found or not by the test: buildah run ends when the agent does.
    for (const pid of [...(agentPid === undefined ? [] : [agentPid]), ...descendantsMatching(agent.launcherPid, 'node', AGENT_ARGS)]) {
      if (!processGone(pid)) process.kill(pid, 'SIGKILL');
    }
    await agent.exited;
  }
  if (pid1Agent !== undefined) {
    for (const pid of descendantsMatching(pid1Agent.launcherPid, 'node', AGENT_ARGS)) if (!processGone(pid)) process.kill(pid, 'SIGKILL');
    await pid1Agent.exited;
  }
  container?.unmount();
  container?.remove();
  removeImage(TAG);
  if (probeDir !== undefined) rmSync(probeDir, { recursive: true, force: true });
  await mirror?.close();
  await observer?.close();
  await stopAll();
});

test('the Dockerfile builds on NODE_IMAGE, installing from NPM_REGISTRY, a mirror it reaches only by trusting EXTRA_CA_CERT', async () => {
  const m = started(mirror, 'the registry mirror');
  const logFile = join(LOGS, 'build.log');
  const code = await podmanBuild({
    contextDir: REPO,
    tag: TAG,
    buildArgs: { NODE_IMAGE: started(BASE, 'ZKW_IMAGE_BASE'), NPM_REGISTRY: m.url, EXTRA_CA_CERT: m.caPem },
    logFile,
  });
  assert.equal(code, 0, `podman build failed; the end of ${logFile}:\n${logTail(logFile)}`);
  // Both stages' npm ci went through the mirror: a dev dependency (build) and a runtime one.
  for (const pkg of ['typescript', 'pino', 'node-zookeeper-client']) {
    assert.ok(m.served.some((p) => p.startsWith(`/${pkg}/-/${pkg}-`)), `no ${pkg} tarball came through the mirror: ${m.served.join(' ')}`);
  }
  config = imageConfig(TAG);
  assert.equal(config.user, 'node');
  assert.equal(config.healthcheck[0], 'CMD-SHELL', `a HEALTHCHECK shell command (podman kept: ${JSON.stringify(config.healthcheck)})`);
});

test('the entrypoint runs as the unprivileged user and keeps the node registered exactly while CMD passes', async () => {
  const cfg = started(config, 'the image');
  const zkServer = started(zk, 'ZooKeeper');
  const obs = started(observer, 'the observer');
  // The image's status port is fixed: another agent on this host's loopback would answer its HEALTHCHECK.
  assert.ok(await canBind(STATUS_PORT), `127.0.0.1:${STATUS_PORT} is in use on this machine: the image's status server needs it`);
  probeDir = mkdtempSync(join(tmpdir(), 'zkw-image-probe-'));
  chmodSync(probeDir, 0o755);
  container = WorkingContainer.create(TAG, `zkw-image-test-${process.pid}`);
  agent = container.start(cfg.entrypoint, join(LOGS, 'agent.log'), {
    volumes: [`${probeDir}:/probe:ro`],
    env: { ...serviceEnv(zkServer), CMD: 'test ! -e /probe/down' },
  });
  const log = agent.logFile;
  await waitFor(() => obs.exists(NODE), (s) => s !== null, { timeoutMs: DEADLINE_MS, intervalMs: 200, what: `${NODE} registered; the agent's log:\n${logTail(log)}` });

  const [pid, ...others] = descendantsMatching(agent.launcherPid, 'node', AGENT_ARGS);
  assert.ok(pid !== undefined && others.length === 0, `one agent process under buildah run: ${pid} ${others.join(' ')}`);
  agentPid = pid;
  assert.equal(uidOf(pid), 1000, 'the agent runs as the image user node (uid 1000)');
  // nd_service_registry's bytes: the agent's own pid (buildah's chroot isolation shares this host's PID namespace).
  assert.equal((JSON.parse(started(await nodeData(), 'the node data')) as { pid: number }).pid, pid);

  writeFileSync(join(probeDir, 'down'), '');
  await waitFor(() => obs.exists(NODE), (s) => s === null, { timeoutMs: DEADLINE_MS, intervalMs: 200, what: `${NODE} removed once CMD fails` });
  rmSync(join(probeDir, 'down'));
  await waitFor(() => obs.exists(NODE), (s) => s !== null, { timeoutMs: DEADLINE_MS, intervalMs: 200, what: `${NODE} back once CMD passes again` });
});

test('the HEALTHCHECK (GET /livez) passes while the agent runs its checks, also while ZooKeeper is down', async () => {
  const cfg = started(config, 'the image');
  const ct = started(container, 'the container');
  const zkServer = started(zk, 'ZooKeeper');
  const obs = started(observer, 'the observer');
  const healthcheck = () => ct.run(['/bin/sh', '-c', cfg.healthcheck[1]!]);
  const status = () => ct.run(['node', '/app/dist/main/cli.js', 'status']);

  const healthy = await healthcheck();
  assert.equal(healthy.code, 0, `HEALTHCHECK while connected and registered: ${healthy.stdout}${healthy.stderr}`);

  await zkServer.stop();
  // `zk-watcher status` inside says the session is not connected (exit 3)...
  await waitFor(status, (r) => r.code === 3, { timeoutMs: DEADLINE_MS, intervalMs: 500, what: 'zk-watcher status exits 3 (not connected) during the outage' });
  // ...and the HEALTHCHECK still passes: an outage must not get every sidecar restarted.
  const during = await healthcheck();
  assert.equal(during.code, 0, `HEALTHCHECK during a ZooKeeper outage: ${during.stdout}${during.stderr}`);

  await zkServer.start();
  await waitFor(() => obs.exists(NODE), (s) => s !== null, { timeoutMs: DEADLINE_MS, intervalMs: 200, what: `${NODE} back after the outage` });
  await waitFor(status, (r) => r.code === 0, { timeoutMs: DEADLINE_MS, intervalMs: 500, what: 'zk-watcher status exits 0 again' });
});

test('SIGTERM deletes the node and the agent exits 0; the HEALTHCHECK then fails', async () => {
  const cfg = started(config, 'the image');
  const ct = started(container, 'the container');
  const obs = started(observer, 'the observer');
  const running = started(agent, 'the agent');
  assert.notEqual(await obs.exists(NODE), null);
  process.kill(started(agentPid, 'the agent pid'), 'SIGTERM');
  const code = await running.exited;
  assert.equal(code, 0, `buildah run's exit code is the agent's; its log:\n${logTail(running.logFile)}`);
  // Deleted before the agent exited, not left to the session's expiry.
  assert.equal(await obs.exists(NODE), null);

  const unhealthy = await ct.run(['/bin/sh', '-c', cfg.healthcheck[1]!]);
  assert.equal(unhealthy.code, 1, `HEALTHCHECK with no agent: ${unhealthy.stdout}${unhealthy.stderr}`);
});

// The first round's bug: as PID 1 in Docker, every cmd check failed. buildah's chroot
// isolation shares this host's PID namespace (its --pid private does nothing there), so
// the image's root is run here as docker run would: PID 1 of a namespace of its own.
test('as PID 1 of its own PID namespace, as docker run starts it, cmd checks keep the node registered while they pass, and SIGTERM removes it', async () => {
  const cfg = started(config, 'the image');
  const ct = started(container, 'the container');
  const zkServer = started(zk, 'ZooKeeper');
  const obs = started(observer, 'the observer');
  assert.ok(await canBind(STATUS_PORT), `127.0.0.1:${STATUS_PORT} is in use on this machine: the image's status server needs it`);
  const root = ct.mount();
  const down = join(root, 'tmp', 'zkw-image-test-down');
  // A CMD that runs children of its own: with PID 1's own children unreaped, a check would never end.
  pid1Agent = startAsPid1(root, cfg, { ...serviceEnv(zkServer), CMD: 'test ! -e /tmp/zkw-image-test-down && echo ok | cat' }, join(LOGS, 'agent-pid1.log'));
  const running = pid1Agent;
  await waitFor(() => obs.exists(NODE), (st) => st !== null, { timeoutMs: DEADLINE_MS, intervalMs: 200, what: `${NODE} registered by the agent as PID 1; its log:\n${logTail(running.logFile)}` });
  const [pid, ...others] = descendantsMatching(running.launcherPid, 'node', AGENT_ARGS);
  assert.ok(pid !== undefined && others.length === 0, `one agent process under unshare: ${pid} ${others.join(' ')}`);
  assert.equal(nsPids(pid).at(-1), 1, 'the agent is PID 1 in its PID namespace');
  assert.equal(uidOf(pid), 1000, 'the agent runs as the image user node (uid 1000)');
  assert.equal((JSON.parse(started(await nodeData(), 'the node data')) as { pid: number }).pid, 1);

  writeFileSync(down, '');
  await waitFor(() => obs.exists(NODE), (st) => st === null, { timeoutMs: DEADLINE_MS, intervalMs: 200, what: `${NODE} removed once CMD fails` });
  rmSync(down);
  await waitFor(() => obs.exists(NODE), (st) => st !== null, { timeoutMs: DEADLINE_MS, intervalMs: 200, what: `${NODE} back once CMD passes again` });

  process.kill(pid, 'SIGTERM');
  assert.equal(await running.exited, 0, `the agent's exit code; its log:\n${logTail(running.logFile)}`);
  assert.equal(await obs.exists(NODE), null);
});

// What makes the first test mean something: the mirror's certificate is really checked, so
// the build above reached it only through EXTRA_CA_CERT.
test('without EXTRA_CA_CERT the same build fails at npm ci, refusing the mirror\'s certificate', async () => {
  const m = started(mirror, 'the registry mirror');
  const logFile = join(LOGS, 'build-without-ca.log');
  const tag = `${TAG}-without-ca`;
  try {
    const code = await podmanBuild({ contextDir: REPO, tag, buildArgs: { NODE_IMAGE: started(BASE, 'ZKW_IMAGE_BASE'), NPM_REGISTRY: m.url }, logFile });
    const log = logTail(logFile, 60);
    assert.notEqual(code, 0, `the build succeeded without the mirror's CA; the end of ${logFile}:\n${log}`);
    assert.match(log, /npm ci/, `it failed elsewhere than npm ci:\n${log}`);
    assert.match(log, /SELF_SIGNED|self[- ]signed|UNABLE_TO_VERIFY|unable to verify/i, `npm ci failed for another reason than the certificate:\n${log}`);
  } finally {
    removeImage(tag);
  }
});
