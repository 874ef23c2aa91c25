// The agent as PID 1 of its own PID namespace, as the Docker image runs it (ENTRYPOINT
// node ... --from-env): `unshare --pid --fork --mount-proc`, a real ZooKeeper, and an
// independent client watching. Its helpers must not take "my parent is PID 1" for "the
// agent died", orphans of checks must be reaped (nothing else in the namespace would),
// and SIGTERM must still remove every node.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CLI, startAgent, writeConfig, type Agent } from '../support/agent.js';
import { childrenOf, pidNamespaceMembers, processState } from '../support/processes.js';
import { waitFor } from '../support/wait.js';
import { useZooKeeper } from '../support/zk-fixture.js';

const fx = useZooKeeper();
// --kill-child: a test that SIGKILLs unshare takes the agent with it.
const AS_PID_1 = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child'];

/** `unshare --fork` waits for its child, which is the agent: PID 1 inside, this pid outside. */
async function agentPid(a: Agent): Promise<number> {
  const [pid] = await waitFor(async () => childrenOf(a.pid), (c) => c.length === 1, { what: 'the agent under unshare' });
  const status = spawnSync('grep', ['^NSpid:', `/proc/${pid}/status`], { encoding: 'utf8' }).stdout;
  assert.match(status, /^NSpid:\s+\d+\s+1$/m, `the agent is PID 1 of its namespace (${status.trim()})`);
  return pid!;
}

function zombies(pid: number): number[] {
  return pidNamespaceMembers(pid).filter((p) => processState(p) === 'Z');
}

const CHECKS = (path: string, orphans: string) => `[plain]
cmd: test -d /
refresh: 0.5
service_port: 1
service_hostname: pid1.example
zookeeper_path: ${path}

[leaves-an-orphan]
cmd: (sleep 0.2 &) ; echo started >> ${orphans}
refresh: 0.5
service_port: 2
service_hostname: pid1.example
zookeeper_path: ${path}

[failing]
cmd: exit 3
refresh: 0.5
service_port: 3
service_hostname: pid1.example
zookeeper_path: ${path}
`;

test('--once as PID 1: cmd checks run and report as anywhere else', () => {
  const file = writeConfig(CHECKS('/pid1/once', '/dev/null'));
  const r = spawnSync(AS_PID_1[0]!, [...AS_PID_1.slice(1), process.execPath, CLI, '--once', '-c', file], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /^plain\s+PASS\s/m);
  assert.match(r.stdout, /^leaves-an-orphan\s+PASS\s/m);
  assert.match(r.stdout, /^failing\s+FAIL\s.*exit 3/m);
  assert.doesNotMatch(r.stdout, /could not start/);
});

test('the daemon as PID 1: cmd checks register, orphans are reaped, SIGTERM removes every node', async () => {
  const path = '/pid1/daemon';
  const orphans = writeConfig('', 'orphans.log');
  const a = fx.track(startAgent(['-c', writeConfig(CHECKS(path, orphans)), '-s', fx.zk.connectString], process.env, AS_PID_1));
  const pid = await agentPid(a);
  await waitFor(() => fx.observer.getChildren(path).catch(() => []), (c) => c.join(',') === 'pid1.example:1,pid1.example:2', { what: 'the two passing checks registered', timeoutMs: 30_000 });
  // Checks keep leaving orphans behind; in a namespace whose PID 1 does not reap, they would pile up as zombies.
  await waitFor(async () => readFileSync(orphans, 'utf8').split('\n').length, (n) => n > 10, { what: 'ten orphan-leaving checks', timeoutMs: 30_000 });
  assert.deepEqual(zombies(pid), [], 'no zombie in the namespace');
  assert.deepEqual(a.logs.filter((r) => typeof r.reason === 'string' && r.reason.includes('could not start')), []);
  process.kill(pid, 'SIGTERM');
  assert.equal(await a.exited, 0, a.stderr());
  assert.deepEqual(await fx.observer.getChildren(path), [], 'every node removed');
  assert.equal(a.logs.filter((r) => r.event === 'deregistered').length, 2, 'each deleted by the agent itself');
  assert.equal(a.logs.find((r) => r.event === 'stopped')?.remaining, 0);
});

test('--from-env as PID 1, as the image runs: the service registers and SIGTERM removes it', async () => {
  const env = { PATH: process.env.PATH, ZOOKEEPER_HOST: '127.0.0.1', ZOOKEEPER_PORT: String(fx.zk.port), ZK_PATH: '/pid1/env', SVC_HOST: 'container-1', SVC_PORT: '8080', CMD: 'test "$SVC_PORT" = 8080 && sleep 0.1', REFRESH: '1' };
  const a = fx.track(startAgent(['--from-env'], env, AS_PID_1));
  const pid = await agentPid(a);
  const node = '/pid1/env/container-1:8080';
  await waitFor(() => fx.observer.exists(node), (s) => s !== null, { what: `${node} to exist`, timeoutMs: 30_000 });
  process.kill(pid, 'SIGTERM');
  assert.equal(await a.exited, 0, a.stderr());
  assert.equal(await fx.observer.exists(node), null);
  assert.equal(a.logs.find((r) => r.event === 'stopped')?.remaining, 0);
});

/** Whether `pid` has a handler for `signal` (SigCgt in /proc/PID/status). */
function catches(pid: number, signal: number): boolean {
  const m = /^SigCgt:\s+([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m !== null && (BigInt(`0x${m[1]}`) >> BigInt(signal - 1)) % 2n === 1n;
}

test('SIGTERM to PID 1 while it is still loading is held, not dropped: it stops before it starts, and exits 0', async () => {
  const path = '/pid1/early';
  const a = fx.track(startAgent(['-c', writeConfig(CHECKS(path, '/dev/null')), '-s', fx.zk.connectString], process.env, AS_PID_1));
  const pid = await agentPid(a);
  // Node itself catches SIGTERM from its first millisecond (to reset the terminal, then re-raise:
  // which PID 1 ignores). SIGHUP it does not: a caught SIGHUP is the agent's early handler.
  await waitFor(async () => catches(pid, 1), (c) => c, { what: "the agent's early signal handlers", intervalMs: 1 });
  process.kill(pid, 'SIGTERM');
  assert.equal(await a.exited, 0, a.stderr());
  assert.equal(a.logs.filter((r) => r.event === 'stopped').length, 1, 'it stopped as the daemon stops');
  assert.deepEqual(a.logs.filter((r) => r.event === 'starting' || r.event === 'registered'), [], 'the signal came before it started, and it never did');
  assert.deepEqual(await fx.observer.getChildren(path).catch(() => []), []);
});
