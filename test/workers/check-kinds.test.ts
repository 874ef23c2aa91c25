// The check kinds and their options against real servers started here: node's http and https
// (a private CA and certificate made by openssl), a TCP server that answers PING with +PONG
// (plain and TLS), and grpc-js servers running the standard health service (plain and TLS).
// Each check goes the whole way: INI text -> config -> CheckJob -> a real check worker ->
// the reason a person reads.

import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { connect, createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { after, before, test } from 'node:test';
import type * as GrpcModule from '@grpc/grpc-js';
import type * as HealthModule from 'grpc-health-check';
import { CheckPool } from '../../src/main/checks/pool.js';
import { tlsCaProblems } from '../../src/main/cli/tls-ca-files.js';
import { checkJob } from '../../src/shared/check-job.js';
import { buildConfig } from '../../src/shared/config.js';
import { formatProblem } from '../../src/shared/problems.js';
import type { CheckResult } from '../../src/shared/types.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';
import { runCliAsync } from '../support/run-cli.js';
import { makeTestCa, type TestCa } from '../support/test-ca.js';
import { writeConfig } from '../support/agent.js';

const require = createRequire(import.meta.url);
const grpc = require('@grpc/grpc-js') as typeof GrpcModule;
const { HealthImplementation } = require('grpc-health-check') as typeof HealthModule;

const pool = new CheckPool({ concurrency: 8, threads: 1, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
const closers: (() => Promise<unknown> | void)[] = [];
let ca: TestCa;
let web: number;
let secureWeb: number;
let redis: number;
let secureRedis: number;
let silent: number;
let health: HealthModule.HealthImplementation;
let grpcPort: number;
let secureGrpcPort: number;
/** A counting TCP relay in front of grpcPort: how many connections the checks opened. */
let grpcRelay: { port: number; opened: number };

after(async () => {
  await pool.close();
  for (const close of closers.reverse()) await close();
  ca?.remove();
});

function listen(server: Server): Promise<number> {
  closers.push(() => {
    (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
    return new Promise((r) => server.close(r));
  });
  server.on('connection', (s: Socket) => {
    s.on('error', () => {});
    closers.push(() => void s.destroy());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

function webHandler(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.on('data', (d: Buffer) => (body += d.toString()));
  req.on('end', () => {
    const send = (status: number, text: string, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'text/plain', ...headers });
      res.end(text);
    };
    const path = req.url ?? '/';
    if (path === '/echo') return send(200, JSON.stringify({ method: req.method, host: req.headers.host, token: req.headers['x-token'], agent: req.headers['user-agent'], body }));
    if (path === '/ok') return send(200, 'status: ok\n');
    if (path === '/down') return send(503, 'down for maintenance\n');
    if (path === '/moved') return send(301, 'moved\n', { location: '/ok' });
    if (path === '/see-other') return send(303, 'see other\n', { location: '/echo' });
    if (path === '/loop') return send(302, 'again\n', { location: '/loop' });
    // Five good redirects, then a Location that is no URL: found where the redirect count ran out.
    const hop = /^\/hop\/(\d)$/.exec(path);
    if (hop !== null) return send(302, 'hop\n', { location: Number(hop[1]) >= 5 ? 'http://[bad' : `/hop/${Number(hop[1]) + 1}` });
    // The word comes after the 64 KiB that are searched.
    if (path === '/big') return send(200, `${'x'.repeat(70 * 1024)}ready\n`);
    if (path === '/endless') return endless(res, 200);
    if (path === '/endless-down') return endless(res, 503);
    send(404, 'no such page\n');
  });
}

/** A body that never ends ('status: ok' first), written as fast as the client reads it. */
function endless(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-type': 'text/plain' });
  const chunk = Buffer.from('status: ok\n'.padEnd(64 * 1024, 'x'));
  const pump = (): void => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  res.on('error', () => {});
  pump();
}

/** Redis's way: PING\r\n gets +PONG\r\n; anything else an error, and the connection is closed. */
function pingPong(socket: Socket): void {
  let got = '';
  socket.on('data', (d: Buffer) => {
    got += d.toString();
    if (!got.includes('\n')) return;
    if (got.startsWith('PING\r\n')) {
      socket.write('+PONG\r\n');
      got = '';
    } else {
      socket.end('-ERR unknown command\r\n');
    }
  });
  socket.on('error', () => {});
}

async function grpcServer(credentials: GrpcModule.ServerCredentials): Promise<number> {
  const server = new grpc.Server();
  health.addToServer(server);
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', credentials, (e, p) => (e ? reject(e) : resolve(p))));
  closers.push(() => server.forceShutdown());
  return port;
}

before(async () => {
  ca = makeTestCa();
  web = await listen(createHttpServer(webHandler));
  secureWeb = await listen(createHttpsServer({ key: ca.serverKey, cert: ca.serverCert }, webHandler));
  redis = await listen(createNetServer(pingPong));
  secureRedis = await listen(createTlsServer({ key: ca.serverKey, cert: ca.serverCert }, pingPong));
  // Accepts and never says a word (reads, so a closing client is noticed).
  silent = await listen(createNetServer((s) => s.resume()));
  health = new HealthImplementation({ '': 'SERVING', web: 'SERVING' });
  grpcPort = await grpcServer(grpc.ServerCredentials.createInsecure());
  secureGrpcPort = await grpcServer(grpc.ServerCredentials.createSsl(null, [{ private_key: ca.serverKey, cert_chain: ca.serverCert }]));
  const relay = { port: 0, opened: 0 };
  relay.port = await listen(
    createNetServer((client) => {
      relay.opened++;
      const upstream = connect(grpcPort, '127.0.0.1');
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      client.pipe(upstream).pipe(client);
      closers.push(() => void upstream.destroy());
    }),
  );
  grpcRelay = relay;
});

/** One section with these check keys, loaded as the agent loads it, run once by a real worker. */
async function check(keys: string, timeout = 5): Promise<CheckResult> {
  const built = buildConfig([{ file: 'kinds.cfg', text: `[svc]\n${keys.trim()}\nrefresh: 10\ntimeout: ${timeout}\nservice_port: 1\nzookeeper_path: /kinds\n` }]);
  const errors = built.problems.filter((p) => p.severity === 'error').map(formatProblem);
  assert.deepEqual(errors, [], keys);
  return pool.run(checkJob(built.config!.services[0]!));
}

const http = (path: string): string => `http: http://127.0.0.1:${web}${path}`;

interface Case {
  readonly what: string;
  readonly keys: () => string;
  readonly passed: boolean;
  readonly reason: string | RegExp;
  readonly output?: RegExp;
  readonly timeout?: number;
}

const HTTP_CASES: Case[] = [
  {
    what: 'a POST with a Host header and a body reaches the server as written; the body has what is expected',
    keys: () => `${http('/echo')}\nhttp_method: post\nhttp_headers: Host: vhost.example\n  X-Token: abc\n  User-Agent: probe/1\nhttp_body: {"ping": 1}\nhttp_expect: "host":"vhost.example"\nhttp_expect_regex: "method":"POST".*"body":"\\{\\\\"ping`,
    passed: true,
    reason: 'http: 200',
    output: /"token":"abc","agent":"probe\/1","body":"\{\\"ping\\": 1\}"/,
  },
  { what: 'a 503 fails, naming the codes wanted', keys: () => http('/down'), passed: false, reason: 'http: 503 (want 200-299)', output: /down for maintenance/ },
  { what: 'a 503 passes when http_status lists it', keys: () => `${http('/down')}\nhttp_status: 2xx, 503`, passed: true, reason: 'http: 503' },
  { what: 'a 200 fails when http_status does not list it', keys: () => `${http('/ok')}\nhttp_status: 204, 300-302`, passed: false, reason: 'http: 200 (want 204, 300-302)' },
  { what: 'a body without the expected text fails', keys: () => `${http('/ok')}\nhttp_expect: healthy`, passed: false, reason: 'http: body lacks "healthy"', output: /status: ok/ },
  { what: 'a body that does not match the expression fails', keys: () => `${http('/ok')}\nhttp_expect_regex: ^status: (up|green)`, passed: false, reason: 'http: body does not match /^status: (up|green)/' },
  { what: 'a body that matches the expression passes', keys: () => `${http('/ok')}\nhttp_expect_regex: ^status: (ok|up)$`, passed: true, reason: 'http: 200' },
  { what: 'only the first 64 KiB of a body are searched', keys: () => `${http('/big')}\nhttp_expect: ready`, passed: false, reason: 'http: body lacks "ready" in its first 64 KiB', output: /ready\n$/ },
  { what: 'an endless 200 body is read up to its first MiB, then judged as if it ended', keys: () => http('/endless'), passed: true, reason: 'http: 200', output: /^\[captured the last 4096 of \d+ bytes\]\nx+$/ },
  { what: 'an endless 503 body ends the check at its first MiB, failing on the status', keys: () => http('/endless-down'), passed: false, reason: 'http: 503 (want 200-299)' },
  { what: 'an endless body is searched in its first 64 KiB', keys: () => `${http('/endless')}\nhttp_expect: status: ok`, passed: true, reason: 'http: 200' },
  { what: 'a redirect is not followed by default', keys: () => http('/moved'), passed: false, reason: 'http: 301 (want 200-299; redirects are not followed)' },
  { what: 'a redirect is followed with http_follow_redirects', keys: () => `${http('/moved')}\nhttp_follow_redirects: yes`, passed: true, reason: 'http: 200 after 1 redirect', output: /status: ok/ },
  {
    what: 'a 303 after a POST is followed as a GET without the body',
    keys: () => `${http('/see-other')}\nhttp_method: POST\nhttp_body: x=1\nhttp_follow_redirects: true`,
    passed: true,
    reason: 'http: 200 after 1 redirect',
    output: /"method":"GET".*"body":""/,
  },
  {
    what: 'a Location that is not a URL, after the last redirect allowed, fails the check (not the worker)',
    keys: () => `${http('/hop/0')}\nhttp_follow_redirects: yes`,
    passed: false,
    reason: 'http: 302 with a Location that is not a URL: "http://[bad"',
  },
  { what: 'a redirect loop ends after 5 redirects', keys: () => `${http('/loop')}\nhttp_follow_redirects: on`, passed: false, reason: /^http: 302: more than 5 redirects \(last to http:\/\/127\.0\.0\.1:\d+\/loop\)$/ },
  {
    what: 'https with a private CA (tls_ca) and the certificate\'s name (tls_server_name) passes',
    keys: () => `http: https://127.0.0.1:${secureWeb}/ok\ntls_ca: ${ca.caFile}\ntls_server_name: ${ca.serverName}`,
    passed: true,
    reason: 'http: 200',
  },
  {
    what: 'https with a private CA the system does not trust fails, naming the verification error',
    keys: () => `http: https://127.0.0.1:${secureWeb}/ok`,
    passed: false,
    reason: 'http: TLS certificate rejected: unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE)',
  },
  {
    what: 'https whose certificate does not hold the name asked for fails, naming the mismatch',
    keys: () => `http: https://127.0.0.1:${secureWeb}/ok\ntls_ca: ${ca.caFile}`,
    passed: false,
    reason: /^http: TLS certificate rejected: .*127\.0\.0\.1.* \(ERR_TLS_CERT_ALTNAME_INVALID\)$/,
  },
  { what: 'https with tls_skip_verify passes whatever the certificate', keys: () => `http: https://127.0.0.1:${secureWeb}/ok\ntls_skip_verify: yes`, passed: true, reason: 'http: 200' },
];

const TCP_CASES: Case[] = [
  { what: 'PING answered with +PONG passes', keys: () => `tcp: 127.0.0.1:${redis}\ntcp_send: PING\\r\\n\ntcp_expect: +PONG`, passed: true, reason: 'tcp: reply contains "+PONG"', output: /^\+PONG\r\n$/ },
  {
    what: 'a reply without the expected text fails, quoting what came back',
    keys: () => `tcp: 127.0.0.1:${redis}\ntcp_send: PONG\\r\\n\ntcp_expect: +PONG`,
    passed: false,
    reason: 'tcp: reply lacks "+PONG" (the server closed the connection; got "-ERR unknown command")',
  },
  {
    what: 'a server that says nothing fails at the timeout, saying so',
    keys: () => `tcp: 127.0.0.1:${silent}\ntcp_expect: 220`,
    timeout: 1,
    passed: false,
    reason: 'tcp: reply lacks "220" (timed out after 1 s, nothing received)',
  },
  {
    what: 'a TLS handshake that never finishes is named as such, not as a reply that lacks the text',
    keys: () => `tcp: 127.0.0.1:${silent}\ntcp_tls: yes\ntls_skip_verify: yes\ntcp_send: PING\\r\\n\ntcp_expect: +PONG`,
    timeout: 1,
    passed: false,
    reason: 'tcp: timed out after 1 s (the TLS handshake did not finish)',
  },
  { what: 'send without expect passes once the bytes are written', keys: () => `tcp: 127.0.0.1:${redis}\ntcp_send: PING\\r\\n`, passed: true, reason: 'tcp: connected, sent 6 bytes' },
  {
    what: 'PING over TLS with the private CA passes',
    keys: () => `tcp: 127.0.0.1:${secureRedis}\ntcp_tls: yes\ntcp_send: PING\\r\\n\ntcp_expect: +PONG\ntls_ca: ${ca.caFile}\ntls_server_name: ${ca.serverName}`,
    passed: true,
    reason: 'tcp: reply contains "+PONG"',
  },
  {
    what: 'TLS to a certificate the system does not trust fails, naming the verification error',
    keys: () => `tcp: 127.0.0.1:${secureRedis}\ntcp_tls: yes`,
    passed: false,
    reason: 'tcp: TLS certificate rejected: unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE)',
  },
  { what: 'a plain tcp_tls connect passes with tls_skip_verify', keys: () => `tcp: 127.0.0.1:${secureRedis}\ntcp_tls: yes\ntls_skip_verify: yes`, passed: true, reason: 'tcp: connected (TLS)' },
];

for (const c of [...HTTP_CASES.map((k) => ({ ...k, kind: 'http' })), ...TCP_CASES.map((k) => ({ ...k, kind: 'tcp' }))]) {
  test(`${c.kind}: ${c.what}`, async () => {
    const r = await check(c.keys(), c.timeout);
    const shown = `${r.reason} | output: ${r.outputTail.slice(0, 300)}`;
    assert.equal(r.passed, c.passed, shown);
    if (typeof c.reason === 'string') assert.equal(r.reason, c.reason, shown);
    else assert.match(r.reason, c.reason, shown);
    if (c.output !== undefined) assert.match(r.outputTail, c.output, shown);
  });
}

test('every failing kind of a section is named in its reason; a passing one is not', async () => {
  const r = await check(`cmd: exit 3\n${http('/down')}\ntcp: 127.0.0.1:${redis}`);
  assert.equal(r.passed, false);
  assert.equal(r.reason, 'cmd: exit 3; http: 503 (want 200-299)');
});

test('grpc: the health service\'s answer decides, and a flip from SERVING to NOT_SERVING and back is seen by the next check', async () => {
  const keys = `grpc: 127.0.0.1:${grpcRelay.port}\ngrpc_service: web`;
  const opened = grpcRelay.opened;
  assert.deepEqual(pick(await check(keys)), [true, 'grpc: SERVING']);
  health.setStatus('web', 'NOT_SERVING');
  assert.deepEqual(pick(await check(keys)), [false, 'grpc: NOT_SERVING']);
  health.setStatus('web', 'SERVING');
  assert.deepEqual(pick(await check(keys)), [true, 'grpc: SERVING']);
  // No grpc_service: the server as a whole ('').
  assert.deepEqual(pick(await check(`grpc: 127.0.0.1:${grpcRelay.port}`)), [true, 'grpc: SERVING']);
  assert.equal(grpcRelay.opened - opened, 1, 'one channel (one connection) for the target, reused by every check');
});

test('grpc: each failure says why', async () => {
  assert.deepEqual(pick(await check(`grpc: 127.0.0.1:${grpcPort}\ngrpc_service: nope`)), [false, 'grpc: the server does not know the service "nope" (NOT_FOUND)']);
  assert.deepEqual(pick(await check(`grpc: 127.0.0.1:${silent}`, 1)), [false, 'grpc: timed out after 1 s']);
  // Reserved for this process and never bound: connecting is refused.
  const closed = await freePort();
  assert.deepEqual(pick(await check(`grpc: 127.0.0.1:${closed}`)), [false, 'grpc: UNAVAILABLE: connection refused (ECONNREFUSED)']);
});

test('grpc: checks that time out on a server that accepts and never speaks HTTP/2 share one connection, not one each', async () => {
  let opened = 0;
  const open = new Set<Socket>();
  const port = await listen(
    createNetServer((s) => {
      opened++;
      open.add(s);
      s.on('close', () => open.delete(s));
      s.resume();
    }),
  );
  for (let i = 0; i < 2; i++) assert.deepEqual(pick(await check(`grpc: 127.0.0.1:${port}`, 1)), [false, 'grpc: timed out after 1 s']);
  await waitFor(async () => opened, (n) => n >= 1, { what: 'the first check\'s connection' });
  assert.equal(opened, 1, 'a dropped channel whose HTTP/2 handshake never finished leaves its socket open for good (grpc-js)');
  assert.equal(open.size, 1);
});

test('grpc: a server that went away and came back passes at the next check (no reconnect backoff carried over)', async () => {
  const port = await freePort();
  const start = async (): Promise<GrpcModule.Server> => {
    const server = new grpc.Server();
    health.addToServer(server);
    await new Promise<number>((resolve, reject) => server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    closers.push(() => server.forceShutdown());
    return server;
  };
  const keys = `grpc: 127.0.0.1:${port}`;
  const first = await start();
  assert.deepEqual(pick(await check(keys)), [true, 'grpc: SERVING']);
  first.forceShutdown();
  // Several failures in a row: grpc-js's own backoff would grow past the checks that follow.
  for (let i = 0; i < 4; i++) assert.deepEqual(pick(await check(keys)), [false, 'grpc: UNAVAILABLE: connection refused (ECONNREFUSED)']);
  await start();
  assert.deepEqual(pick(await check(keys)), [true, 'grpc: SERVING']);
});

test('grpc over TLS: the private CA and the certificate\'s name pass; without them the reason names the TLS failure', async () => {
  assert.deepEqual(pick(await check(`grpc: 127.0.0.1:${secureGrpcPort}\ngrpc_tls: yes\ntls_ca: ${ca.caFile}\ntls_server_name: ${ca.serverName}`)), [true, 'grpc: SERVING']);
  const untrusted = await check(`grpc: 127.0.0.1:${secureGrpcPort}\ngrpc_tls: yes\ntls_server_name: ${ca.serverName}`);
  assert.equal(untrusted.passed, false);
  assert.equal(untrusted.reason, 'grpc: UNAVAILABLE: TLS certificate rejected: unable to verify the first certificate');
  assert.deepEqual(pick(await check(`grpc: 127.0.0.1:${secureGrpcPort}\ngrpc_tls: yes\ntls_skip_verify: yes`)), [true, 'grpc: SERVING']);
});

test('grpc-js is loaded by a worker only when a grpc check runs: http, tcp and cmd checks leave it out', async () => {
  // NODE_DEBUG=module has Node log every CommonJS load, worker threads' included.
  const plain = `[a]\ncmd: true\nrefresh: 10\nservice_port: 1\nzookeeper_path: /f\n[b]\n${http('/ok')}\nhttp_expect: ok\nrefresh: 10\nservice_port: 2\nzookeeper_path: /f\n[c]\ntcp: 127.0.0.1:${redis}\ntcp_send: PING\\r\\n\ntcp_expect: +PONG\nrefresh: 10\nservice_port: 3\nzookeeper_path: /f\n`;
  const withGrpc = `${plain}[d]\ngrpc: 127.0.0.1:${grpcPort}\nrefresh: 10\nservice_port: 4\nzookeeper_path: /f\n`;
  const env = { ...process.env, NODE_DEBUG: 'module' };
  const without = await runCliAsync(['--once', '-c', writeConfig(plain)], env);
  assert.equal(without.code, 0, without.stdout);
  assert.match(without.stderr, /piscina/, 'the debug log shows the worker\'s CommonJS loads');
  assert.doesNotMatch(without.stderr, /@grpc/);
  const loaded = await runCliAsync(['--once', '-c', writeConfig(withGrpc)], env);
  assert.equal(loaded.code, 0, loaded.stdout);
  assert.match(loaded.stderr, /@grpc\/grpc-js/, 'the same log names grpc-js once a grpc check ran');
});

test('a tls_ca that cannot be read stops the load at its FILE:LINE (exit 2); one that vanishes later fails the check, naming it', async () => {
  const missing = `${ca.dir}/no-such-ca.pem`;
  const cfg = writeConfig(`[svc]\nhttp: https://127.0.0.1:${secureWeb}/ok\ntls_ca: ${missing}\nrefresh: 10\nservice_port: 1\nzookeeper_path: /kinds\n`);
  const r = await runCliAsync(['--once', '-c', cfg]);
  assert.equal(r.code, 2, r.stderr);
  assert.ok(r.stderr.includes(`${cfg}:3: [svc] tls_ca '${missing}' cannot be read: no such file (key: tls_ca)`), r.stderr);
  const built = buildConfig([{ file: 'kinds.cfg', text: `[svc]\nhttp: https://127.0.0.1:${secureWeb}/ok\ntls_ca: ${missing}\nrefresh: 10\nservice_port: 1\nzookeeper_path: /kinds\n` }]);
  assert.deepEqual(pick(await pool.run(checkJob(built.config!.services[0]!))), [false, `http: tls_ca '${missing}' cannot be used: no such file`]);
});

test('a tls_ca replaced by a FIFO after the load fails its check at once, holding no thread of the process', async () => {
  const fifo = `${ca.dir}/fifo-ca.pem`;
  execFileSync('mkfifo', [fifo]);
  // Without a writer, a blocking open() of a FIFO never returns: it would hold one of libuv's 4 threads (DNS, files) for good.
  const release = (): void => {
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // ENXIO: nobody is waiting on it, as it should be.
    }
  };
  try {
    const built = buildConfig([{ file: 'kinds.cfg', text: `[svc]\nhttp: https://127.0.0.1:${secureWeb}/ok\ntls_ca: ${fifo}\nrefresh: 10\ntimeout: 2\nservice_port: 1\nzookeeper_path: /kinds\n` }]);
    assert.deepEqual(pick(await pool.run(checkJob(built.config!.services[0]!))), [false, `http: tls_ca '${fifo}' cannot be used: not a regular file`]);
  } finally {
    release();
  }
});

test('a tls_ca read that hangs (libuv\'s threads all held) still ends a grpc check at its timeout', { timeout: 60_000 }, async () => {
  // Blocking opens of FIFOs without a writer hold every thread of libuv's pool, which the worker threads share: the worker's stat() of the CA waits.
  const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  const fifos = Array.from({ length: threads }, (_, i) => `${ca.dir}/held-${i}.fifo`);
  for (const f of fifos) execFileSync('mkfifo', [f]);
  const held = fifos.map((f) => openFile(f, 'r'));
  try {
    const r = await check(`grpc: 127.0.0.1:${secureGrpcPort}\ngrpc_tls: yes\ntls_ca: ${ca.caFile}\ntls_server_name: ${ca.serverName}`, 1);
    assert.deepEqual(pick(r), [false, 'grpc: timed out after 1 s']);
  } finally {
    for (const f of fifos) closeSync(openSync(f, constants.O_WRONLY | constants.O_NONBLOCK));
    for (const h of await Promise.all(held)) await h.close();
  }
  // Released, the same check passes: the late CA read left nothing behind.
  assert.deepEqual(pick(await check(`grpc: 127.0.0.1:${secureGrpcPort}\ngrpc_tls: yes\ntls_ca: ${ca.caFile}\ntls_server_name: ${ca.serverName}`)), [true, 'grpc: SERVING']);
});

test('a tls_ca that is a FIFO or a socket at load is refused at its FILE:LINE without blocking the load', async () => {
  const fifo = `${ca.dir}/load-fifo-ca.pem`;
  execFileSync('mkfifo', [fifo]);
  const built = buildConfig([{ file: 'kinds.cfg', text: `[svc]\nhttp: https://127.0.0.1:${secureWeb}/ok\ntls_ca: ${fifo}\nrefresh: 10\nservice_port: 1\nzookeeper_path: /kinds\n` }]);
  assert.deepEqual((await tlsCaProblems(built.config!)).map(formatProblem), [`kinds.cfg:3: [svc] tls_ca '${fifo}' is not a regular file (key: tls_ca)`]);
  // A unix socket cannot even be opened (ENXIO): said the same way.
  const socketPath = `${ca.dir}/load-socket-ca.pem`;
  const socketServer = createNetServer();
  await new Promise<void>((r) => socketServer.listen(socketPath, r));
  try {
    const withSocket = buildConfig([{ file: 'kinds.cfg', text: `[svc]\nhttp: https://127.0.0.1:${secureWeb}/ok\ntls_ca: ${socketPath}\nrefresh: 10\nservice_port: 1\nzookeeper_path: /kinds\n` }]);
    assert.deepEqual((await tlsCaProblems(withSocket.config!)).map(formatProblem), [`kinds.cfg:3: [svc] tls_ca '${socketPath}' is not a regular file (key: tls_ca)`]);
  } finally {
    await new Promise((r) => socketServer.close(r));
  }
});

function pick(r: CheckResult): [boolean, string] {
  return [r.passed, r.reason];
}
