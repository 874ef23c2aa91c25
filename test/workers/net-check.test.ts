import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { checkHttp, checkTcp } from '../../src/workers/net-check.js';
import { MAX_BODY_BYTES } from '../../src/workers/http-check.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';

// Generous: the machine is small and noisy. Only "it ended, as a timeout, well before
// this" is asserted, never tight timing.
const MARGIN_MS = 5000;

interface Served {
  readonly port: number;
  /** Connections accepted so far, and those still open on the server's side. */
  opened: number;
  readonly open: Set<Socket>;
  readonly requests: IncomingMessage[];
}

const servers: Server[] = [];
after(async () => {
  for (const s of servers) {
    (s as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
    await new Promise((r) => s.close(r));
  }
});

function track(server: Server, port: number): Promise<Served> {
  const served: Served = { port, opened: 0, open: new Set(), requests: [] };
  server.on('connection', (sock: Socket) => {
    served.opened++;
    served.open.add(sock);
    sock.on('close', () => served.open.delete(sock));
    sock.on('error', () => {});
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(served)));
}

async function serveHttp(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Served> {
  const port = await freePort();
  let served: Served | undefined;
  const server = createHttpServer((req, res) => {
    served?.requests.push(req);
    handler(req, res);
  });
  served = await track(server, port);
  return served;
}

/** Accepts connections and never sends a byte. */
async function serveSilence(): Promise<Served> {
  // Reads (and drops) what arrives, so that the client's FIN is seen and the socket closes.
  const server = createNetServer((sock) => sock.resume());
  return track(server, await freePort());
}

const answer = (status: number, body: string, headers: Record<string, string> = {}) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'text/plain', ...headers });
  res.end(body);
};

/** 200, then body bytes for as long as the client reads. */
function endless(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/plain' });
  const chunk = Buffer.alloc(16 * 1024, 'x');
  const pump = (): void => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
}

let ok: Served;
let unavailable: Served;
let redirect: Served;
let silent: Served;
let streaming: Served;
let refusedPort: number;
let blackhole: { port: number; process: ChildProcess };

before(async () => {
  ok = await serveHttp(answer(200, 'all good\n'));
  unavailable = await serveHttp(answer(503, 'down for maintenance\n'));
  redirect = await serveHttp((req, res) => (req.url === '/' ? answer(301, 'moved\n', { location: '/elsewhere' })(req, res) : answer(200, 'followed\n')(req, res)));
  silent = await serveSilence();
  streaming = await serveHttp(endless);
  // Reserved for this process and never bound: connecting to it is refused.
  refusedPort = await freePort();
  blackhole = await startBlackhole();
});

after(() => {
  blackhole.process.stdin?.end();
});

async function startBlackhole(): Promise<{ port: number; process: ChildProcess }> {
  const script = fileURLToPath(new URL('../../../test/support/full-backlog.py', import.meta.url));
  const child = spawn('python3', [script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.once('error', (e) => reject(new Error(`python3 is needed for the blackhole port: ${e.message}`)));
    child.once('exit', (code) => reject(new Error(`full-backlog.py exited (${code}) before printing its port`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
  });
  return { port, process: child };
}

const url = (s: Served, path = '/') => `http://127.0.0.1:${s.port}${path}`;

test('http: a 200 passes, with the body as output and User-Agent zk-watcher', async () => {
  const before = ok.requests.length;
  const r = await checkHttp(url(ok, '/health'), 10_000);
  assert.deepEqual([r.passed, r.reason, r.outputTail], [true, '200', 'all good\n']);
  const req = ok.requests[before]!;
  assert.deepEqual([req.method, req.url, req.headers['user-agent']], ['GET', '/health', 'zk-watcher']);
});

test('http: every check opens a fresh connection and closes it afterwards', async () => {
  const opened = ok.opened;
  await checkHttp(url(ok), 10_000);
  await checkHttp(url(ok), 10_000);
  assert.equal(ok.opened - opened, 2, 'one connection per check');
  assert.equal(ok.requests.at(-1)!.headers.connection, 'close');
  await waitFor(async () => ok.open.size, (n) => n === 0, { timeoutMs: MARGIN_MS, what: 'the checks\' connections to close' });
});

test('http: a 503 fails with the status and the error page as output', async () => {
  const r = await checkHttp(url(unavailable), 10_000);
  assert.deepEqual([r.passed, r.reason, r.outputTail], [false, '503 (want 200-299)', 'down for maintenance\n']);
});

test('http: a 301 fails and is not followed', async () => {
  const r = await checkHttp(url(redirect), 10_000);
  assert.equal(r.passed, false);
  assert.equal(r.reason, '301 (want 200-299; redirects are not followed)');
  assert.deepEqual(redirect.requests.map((q) => q.url), ['/'], 'nothing asked for the redirect target');
});

test('http: a server that accepts and never answers fails by timeout, within the deadline, and the connection is closed', async () => {
  const timeoutMs = 1000;
  const t0 = Date.now();
  const r = await checkHttp(url(silent), timeoutMs);
  const took = Date.now() - t0;
  assert.equal(r.passed, false);
  assert.equal(r.reason, 'timed out after 1 s');
  assert.ok(took >= timeoutMs * 0.9, `ended before the deadline: ${took} ms`);
  assert.ok(took < timeoutMs + MARGIN_MS, `took ${took} ms`);
  assert.ok(silent.opened >= 1);
  await waitFor(async () => silent.open.size, (n) => n === 0, { timeoutMs: MARGIN_MS, what: 'the silent connection to be closed by the check' });
});

test('http: an endless body is read up to its first MiB and judged as if it ended there: only the last 4 KiB kept, and the stream is cut', async () => {
  // A deadline far beyond what 1 MiB takes: the check ends by the bound, not by its timeout.
  const r = await checkHttp(url(streaming), 60_000);
  assert.equal(r.passed, true);
  assert.equal(r.reason, '200');
  const m = /^\[captured the last (\d+) of (\d+) bytes\]\n/.exec(r.outputTail);
  assert.ok(m, `tail starts with how much was dropped: ${r.outputTail.slice(0, 80)}`);
  const kept = r.outputTail.slice(m[0].length);
  assert.equal(Number(m[1]), 4096);
  assert.ok(Buffer.byteLength(kept) <= 4096, `kept ${Buffer.byteLength(kept)} bytes`);
  assert.match(kept, /^x+$/);
  assert.ok(Number(m[2]) >= MAX_BODY_BYTES, `the body was read and dropped as it came up to the bound (${m[2]} bytes), not buffered`);
  await waitFor(async () => streaming.open.size, (n) => n === 0, { timeoutMs: MARGIN_MS, what: 'the streaming connection to be closed by the check' });
});

test('http: a body that trickles past the timeout fails by timeout, naming the status it had', async () => {
  const trickle = await serveHttp((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write('x')), 100);
    res.on('close', () => clearInterval(timer));
  });
  const r = await checkHttp(url(trickle), 1000);
  assert.deepEqual([r.passed, r.reason], [false, 'timed out after 1 s (200 received, the body did not end)']);
  await waitFor(async () => trickle.open.size, (n) => n === 0, { timeoutMs: MARGIN_MS, what: 'the trickling connection to be closed by the check' });
});

test('http: a body cut short by the server fails, naming the status it had', async () => {
  const cut = await serveHttp((_req, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('partial', () => res.socket?.destroy());
  });
  const r = await checkHttp(url(cut), 10_000);
  assert.equal(r.passed, false);
  assert.match(r.reason, /^200, then /);
});

test('http: a refused port fails as connection refused', async () => {
  const r = await checkHttp(`http://127.0.0.1:${refusedPort}/`, 10_000);
  assert.deepEqual([r.passed, r.reason], [false, 'connection refused (ECONNREFUSED)']);
});

test('http: an unknown host name fails as not resolved', async () => {
  const r = await checkHttp('http://no-such-host.invalid/', 10_000);
  assert.deepEqual([r.passed, r.reason], [false, 'name not resolved (ENOTFOUND)']);
});

test('http: https to a server that speaks plain http fails as a TLS failure', async () => {
  const r = await checkHttp(`https://127.0.0.1:${ok.port}/`, 10_000);
  assert.equal(r.passed, false);
  assert.match(r.reason, /^TLS failed: /);
});

test('http: a value that is not an http URL is a failed outcome, not an exception', async () => {
  for (const bad of ['not a url', 'ftp://127.0.0.1/', 'http://127.0.0.1:99999/']) {
    const r = await checkHttp(bad, 10_000);
    assert.equal(r.passed, false, bad);
    assert.ok(r.reason.length > 0, bad);
  }
});

test('tcp: a listening port passes, and the connection is closed at once', async () => {
  const opened = ok.opened;
  const r = await checkTcp({ host: '127.0.0.1', port: ok.port }, 10_000);
  assert.deepEqual([r.passed, r.reason, r.outputTail], [true, 'connected', '']);
  assert.equal(ok.opened - opened, 1);
  await waitFor(async () => ok.open.size, (n) => n === 0, { timeoutMs: MARGIN_MS, what: 'the tcp check\'s connection to close' });
});

test('tcp: a closed port fails as connection refused', async () => {
  const r = await checkTcp({ host: '127.0.0.1', port: refusedPort }, 10_000);
  assert.deepEqual([r.passed, r.reason], [false, 'connection refused (ECONNREFUSED)']);
});

test('tcp: a port that never completes the handshake fails by timeout, within the deadline', async () => {
  const timeoutMs = 1000;
  const t0 = Date.now();
  const r = await checkTcp({ host: '127.0.0.1', port: blackhole.port }, timeoutMs);
  const took = Date.now() - t0;
  assert.deepEqual([r.passed, r.reason], [false, 'timed out after 1 s']);
  assert.ok(took >= timeoutMs * 0.9, `ended before the deadline: ${took} ms`);
  assert.ok(took < timeoutMs + MARGIN_MS, `took ${took} ms`);
});

test('tcp: an unknown host name fails as not resolved', async () => {
  const r = await checkTcp({ host: 'no-such-host.invalid', port: 80 }, 10_000);
  assert.deepEqual([r.passed, r.reason], [false, 'name not resolved (ENOTFOUND)']);
});

test('no handle is left behind: a process that ran every kind of outcome exits by itself', async () => {
  // The passing and refused checks get a 60 s deadline: a timer left armed would keep the child alive far past our wait.
  const module = new URL('../../src/workers/net-check.js', import.meta.url).href;
  const code = `
    const { checkHttp, checkTcp } = await import(process.argv[1]);
    const t = JSON.parse(process.argv[2]);
    const h = (p, path = '/') => 'http://127.0.0.1:' + p + path;
    const results = await Promise.all([
      checkHttp(h(t.ok), 60000),
      checkHttp(h(t.unavailable), 60000),
      checkHttp(h(t.redirect), 60000),
      checkHttp(h(t.silent), 300),
      checkHttp(h(t.streaming), 60000),
      checkHttp(h(t.refused), 60000),
      checkHttp('http://no-such-host.invalid/', 60000),
      checkTcp({ host: '127.0.0.1', port: t.ok }, 60000),
      checkTcp({ host: '127.0.0.1', port: t.refused }, 60000),
      checkTcp({ host: '127.0.0.1', port: t.blackhole }, 300),
    ]);
    process.stdout.write(JSON.stringify(results.map((r) => r.reason)));
  `;
  const ports = { ok: ok.port, unavailable: unavailable.port, redirect: redirect.port, silent: silent.port, streaming: streaming.port, refused: refusedPort, blackhole: blackhole.port };
  const child = spawn(process.execPath, ['--input-type=module', '-e', code, module, JSON.stringify(ports)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = await new Promise<number | 'still running'>((resolve) => {
    const deadline = setTimeout(() => resolve('still running'), 20_000);
    child.once('exit', (status) => {
      clearTimeout(deadline);
      resolve(status ?? -1);
    });
  });
  if (exited === 'still running') child.kill('SIGKILL');
  assert.equal(exited, 0, `the child should exit 0 on its own (stdout: ${out}; stderr: ${err})`);
  assert.deepEqual(JSON.parse(out), [
    '200',
    '503 (want 200-299)',
    '301 (want 200-299; redirects are not followed)',
    'timed out after 0.3 s',
    '200',
    'connection refused (ECONNREFUSED)',
    'name not resolved (ENOTFOUND)',
    'connected',
    'connection refused (ECONNREFUSED)',
    'timed out after 0.3 s',
  ]);
});
