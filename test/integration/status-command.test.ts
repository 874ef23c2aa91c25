// `zk-watcher status` against the real agent and a real ZooKeeper: its exit code says whether
// the agent does its job (0 all well, 3 session not connected, 4 a healthy service outside
// maintenance not registered), and the table shows each service's znode.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { zookeeper } from '../../src/main/cjs-packages.js';
import { CLI, startAgent, writeConfig } from '../support/agent.js';
import { freePort } from '../support/ports.js';
import { runCliAsync, type CliRun } from '../support/run-cli.js';
import { waitFor } from '../support/wait.js';
import { useZooKeeper } from '../support/zk-fixture.js';

const dirs: string[] = [];
const fx = useZooKeeper(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const HOST = 'sc.example';
const SERVICES: [name: string, cmd: string, port: number][] = [
  ['good', 'true', 80],
  ['failing', 'exit 1', 81],
  ['resting', 'true', 82],
  ['taken', 'true', 83],
];
const nodeOf = (name: string) => `/sc/${name}/${HOST}:${SERVICES.find(([n]) => n === name)![2]}`;
const CONFIG = SERVICES.map(([name, cmd, port]) => `[${name}]\ncmd: ${cmd}\nrefresh: 1\nservice_port: ${port}\nservice_hostname: ${HOST}\nzookeeper_path: /sc/${name}\n`).join('\n');

/** `zk-watcher status ARGS`, without blocking this process's event loop (the agent's ZooKeeper is ours to restart meanwhile). */
const status = (args: string[]): Promise<CliRun> => runCliAsync(['status', ...args]);

const statusUntil = (args: string[], code: number, what: string) =>
  waitFor(() => status(args), (r) => r.code === code, { what: `zk-watcher status to exit ${code}: ${what}`, timeoutMs: 60_000, intervalMs: 250 });

test('exit 4 while a healthy service is not registered, 0 once it is, 3 while ZooKeeper is down, 0 again once it is back', async () => {
  const maintenance = mkdtempSync(join(tmpdir(), 'zkw-sc-maint-'));
  dirs.push(maintenance);
  writeFileSync(join(maintenance, 'resting'), '');
  // Another live session holds the node `taken` would register: the agent leaves it alone.
  await fx.observer.mkdirp('/sc/taken');
  await fx.observer.create(nodeOf('taken'), 'someone else', zookeeper.CreateMode.EPHEMERAL);
  const port = await freePort();
  const flags = ['--status-port', String(port)];
  const agent = fx.track(startAgent(['-c', writeConfig(CONFIG), '-s', fx.zk.connectString, ...flags, '--maintenance-dir', maintenance]));
  await waitFor(() => fx.observer.exists(nodeOf('good')), (s) => s !== null, { what: 'good registered', timeoutMs: 60_000 });
  await agent.waitForLog((r) => r.event === 'path_held_by_other' && r.path === nodeOf('taken'), 'the agent leaving the foreign node alone');

  // Exit 4 comes with taken's first result; the others' first results may come a moment later.
  const four = await waitFor(() => status(flags), (r) => r.code === 4 && !/\bunknown\b/.test(r.stdout), {
    what: 'zk-watcher status to exit 4 (taken is healthy and not registered) once every service has a result',
    timeoutMs: 60_000,
    intervalMs: 250,
  });
  assert.equal(four.stderr, 'zk-watcher status: 1 healthy service is not registered (not in maintenance): taken\n');
  const lines = four.stdout.trimEnd().split('\n');
  assert.match(lines[1]!, /^SERVICE\s+ZNODE\s+HEALTH\s+REGISTERED\s+LAST RESULT\s+SINCE\s+OUTPUT$/);
  const row = (name: string) => lines.find((l) => l.startsWith(name + ' ')) ?? '';
  assert.match(row('good'), new RegExp(`^good\\s+${nodeOf('good')}\\s+healthy\\s+yes\\s`));
  assert.match(row('failing'), new RegExp(`^failing\\s+${nodeOf('failing')}\\s+unhealthy\\s+no\\s`));
  assert.match(row('resting'), new RegExp(`^resting\\s+${nodeOf('resting')}\\s+healthy \\(maint\\)\\s+no\\s`));
  assert.match(row('taken'), new RegExp(`^taken\\s+${nodeOf('taken')}\\s+healthy\\s+no\\s`));
  const json = await status([...flags, '--json']);
  assert.equal(json.code, 4, 'the same verdict with --json');
  assert.deepEqual(JSON.parse(json.stdout).services.map((s: { name: string; path: string }) => [s.name, s.path]), SERVICES.map(([n]) => [n, nodeOf(n)]));

  // The other session lets go: the agent registers it, and all is well (failing and resting need no node).
  await fx.observer.remove(nodeOf('taken'));
  await waitFor(() => fx.observer.exists(nodeOf('taken')), (s) => s !== null, { what: 'taken registered by the agent', timeoutMs: 60_000 });
  const zero = await statusUntil(flags, 0, 'every healthy service outside maintenance registered');
  assert.equal(zero.stderr, '');
  assert.match(zero.stdout, /; session connected \(0x[0-9a-f]{16}\);/);

  await fx.zk.stop();
  const three = await statusUntil(flags, 3, 'ZooKeeper stopped');
  assert.match(three.stderr, /^zk-watcher status: the agent's ZooKeeper session is not connected \((disconnected|connecting)\)\n$/);
  assert.match(three.stdout, /; session (disconnected|connecting)[ ;]/);

  await fx.zk.start();
  await statusUntil(flags, 0, 'ZooKeeper back');
  agent.signal('SIGTERM');
  assert.equal(await agent.exited, 0);
  const gone = await status(flags);
  assert.equal(gone.code, 1, 'no agent answers');
  assert.match(gone.stderr, new RegExp(`^zk-watcher status: no agent answers at 127\\.0\\.0\\.1:${port}: ECONNREFUSED\\n$`));
});

test('with no flags it asks 127.0.0.1:9647, where the packaged unit serves (in a network namespace of its own, so the port is ours)', async () => {
  // The agent serves 9647 with no ZooKeeper reachable in the namespace: status must find it and say 3.
  // The namespace's loopback starts down: up it goes, through python3 (which the suite needs anyway) rather than iproute2.
  const loUp = "import socket, fcntl, struct; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); f = struct.unpack('16sH', fcntl.ioctl(s, 0x8913, struct.pack('16sH', b'lo', 0)))[1]; fcntl.ioctl(s, 0x8914, struct.pack('16sH', b'lo', f | 1))";
  const script = `
    python3 -c "${loUp}" || exit 90
    "$0" "$1" -c "$2" -s 127.0.0.1:1 --status-port 9647 >/dev/null 2>&1 &
    agent=$!
    i=0
    while :; do
      "$0" "$1" status >"$3.out" 2>"$3.err"; code=$?
      [ $code -ne 1 ] && break
      i=$((i+1)); [ $i -ge 200 ] && break
      sleep 0.1
    done
    kill $agent; wait $agent
    exit $code`;
  const out = join(mkdtempSync(join(tmpdir(), 'zkw-sc-ns-')), 'status');
  dirs.push(join(out, '..'));
  const asRoot = process.getuid?.() === 0;
  // Not spawnSync: the fixture's ZooKeeper session must keep its heartbeats meanwhile.
  const child = spawn('unshare', [...(asRoot ? [] : ['--map-root-user']), '--net', 'sh', '-c', script, process.execPath, CLI, writeConfig(CONFIG), out], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
  let childStderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (childStderr += c));
  const r = await new Promise<{ status: number | null; stderr: string }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ status: code, stderr: childStderr }));
  });
  const stdout = readFileSync(`${out}.out`, 'utf8');
  const stderr = readFileSync(`${out}.err`, 'utf8');
  assert.equal(r.status, 3, `status in the namespace: ${stderr} ${r.stderr}`);
  assert.match(stdout, /; session connecting;/);
  assert.equal(stderr, "zk-watcher status: the agent's ZooKeeper session is not connected (connecting)\n");
});
