// --once through the real CLI: every kind of check, exit codes, the table and the JSON,
// and not one connection to the ZooKeeper address it was given.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server } from 'node:net';
import { after, before, test } from 'node:test';
import { CLI, writeConfig } from '../../support/agent.js';

interface Run { code: number | null; stdout: string; stderr: string; ms: number }

/** Asynchronous, unlike runCli: the servers in this process must keep answering while it runs. */
function cli(args: string[]): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

let zkStandIn: Server;
let zkConnections = 0;
let zkAddress: string;
let web: HttpServer;
let webPort: number;

before(async () => {
  // Listens where -s points: any connection would be a ZooKeeper session attempt.
  zkStandIn = createNetServer((s) => {
    zkConnections++;
    s.destroy();
  });
  await new Promise<void>((r) => zkStandIn.listen(0, '127.0.0.1', r));
  zkAddress = `127.0.0.1:${(zkStandIn.address() as { port: number }).port}`;
  web = createHttpServer((req, res) => {
    res.writeHead(req.url === '/health' ? 200 : 503);
    res.end(req.url === '/health' ? 'healthy' : 'sick');
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  webPort = (web.address() as { port: number }).port;
});

after(() => {
  zkStandIn.close();
  web.close();
});

const PASSWORD = 'pa55-w0rd-never-shown';

function config(failing: boolean): string {
  return `[shell]
cmd: echo first line; echo "last line of the shell check"
refresh: 30
service_port: 1
zookeeper_path: /once/shell
service_hostname: h
[web]
http: http://user:${PASSWORD}@127.0.0.1:${webPort}/${failing ? 'sick' : 'health'}
refresh: 30
service_port: 2
zookeeper_path: /once/web
service_hostname: h
[port]
tcp: ${zkAddress}
refresh: 30
service_port: 3
zookeeper_path: /once/port
service_hostname: h
[auth]
user: u
password: ${PASSWORD}
`;
}

test('--once: all checks pass -> exit 0, a table with every service, and no ZooKeeper connection', async () => {
  // The tcp check aims at the stand-in on purpose: connections from checks are counted too, so discount it.
  const before = zkConnections;
  const r = await cli(['--once', '-c', writeConfig(config(false)), '-s', zkAddress]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^SERVICE\s+RESULT\s+TIME\s+OUTPUT$/);
  assert.match(lines[1]!, /^shell\s+PASS\s+\d+ ms\s+first line last line of the shell check$/);
  assert.match(lines[2]!, /^web\s+PASS\s+\d+ ms\s+healthy$/);
  assert.match(lines[3]!, /^port\s+PASS\s+\d+ ms/);
  assert.equal(lines[4], '3 of 3 passed');
  assert.equal(zkConnections - before, 1, 'only the tcp check connected; the agent opened no session');
  assert.ok(!(r.stdout + r.stderr).includes(PASSWORD));
});

test('--once: one failing check -> exit 1 and FAIL with the reason', async () => {
  const r = await cli(['--once', '-c', writeConfig(config(true)), '-s', zkAddress]);
  assert.equal(r.code, 1, r.stderr + r.stdout);
  assert.match(r.stdout, /^web\s+FAIL\s+\d+ ms\s+http: 503 \(want 200-299\).*sick$/m);
  assert.match(r.stdout, /^2 of 3 passed$/m);
  assert.ok(!(r.stdout + r.stderr).includes(PASSWORD));
});

test('--once with no ZooKeeper anywhere: a closed port does not matter, and the run ends promptly', async () => {
  const cfg = writeConfig('[a]\ncmd: true\nrefresh: 30\nservice_port: 1\nzookeeper_path: /a\nservice_hostname: h\n[b]\ncmd: exit 4\nrefresh: 30\nservice_port: 2\nzookeeper_path: /b\nservice_hostname: h\n');
  const r = await cli(['--once', '--json', '-c', cfg, '-s', '127.0.0.1:1']);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr, '');
  const doc = JSON.parse(r.stdout) as { service: string; passed: boolean; reason: string; durationMs: number; output: string }[];
  assert.deepEqual(doc.map((d) => [d.service, d.passed, d.reason]), [['a', true, 'exit 0'], ['b', false, 'exit 4']]);
  for (const d of doc) assert.ok(Number.isInteger(d.durationMs) && d.durationMs >= 0);
  // Not a fixed budget for the checks: a pool left open would keep the process until the 60 s kill.
  assert.ok(r.ms < 30_000, `took ${r.ms} ms`);
});

test('--once respects the config rules (exit 2) and --json needs --once (exit 2)', async () => {
  const bad = await cli(['--once', '-c', writeConfig('[a]\ncmd: true\nrefresh: never\nservice_port: 1\nzookeeper_path: /a\n')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /refresh must be a positive number/);
  assert.equal(bad.stdout, '');
  const json = await cli(['--json', '-c', writeConfig(config(false))]);
  assert.equal(json.code, 2);
  assert.match(json.stderr, /--json only goes with --once/);
});
