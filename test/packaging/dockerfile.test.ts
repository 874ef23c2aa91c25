// Cheap checks of the Dockerfile that run with every `npm test`, for mistakes a build would
// only show minutes later: a copied path that is gone or ignored, an ARG used in a stage
// that does not declare it (Docker then expands it to nothing), an entrypoint whose script
// the build no longer makes, a HEALTHCHECK asking another port than the agent serves on.
// Building and running the image for real is `npm run test:image` (test/image/).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFAULT_STATUS_ADDRESS, DEFAULT_STATUS_PORT } from '../../src/shared/status-args.js';
import { freePort } from '../support/ports.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

/** The instructions of each stage (the ones before the first FROM are stage -1's). */
function stages(): string[][] {
  const out: string[][] = [[]];
  for (const l of instructions) {
    if (l.startsWith('FROM ')) out.push([]);
    out[out.length - 1]!.push(l);
  }
  return out;
}

const argName = (l: string) => l.slice('ARG '.length).split('=')[0]!.trim();
/** Docker's predefined build arguments need no ARG. */
const PREDEFINED = new Set(['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy']);

test('every file the Dockerfile copies from the context exists and is not in .dockerignore', () => {
  const copies = instructions.filter((l) => l.startsWith('COPY ') && !l.includes('--from='));
  assert.ok(copies.length >= 3);
  for (const copy of copies) {
    const sources = copy.split(/\s+/).slice(1, -1);
    for (const source of sources) {
      assert.ok(existsSync(join(ROOT, source)), `${copy}: ${source} does not exist`);
      assert.ok(!ignored.includes(source.split('/')[0]!), `${copy}: ${source} is excluded by .dockerignore`);
    }
  }
});

test('every build argument a stage uses is declared in that stage (FROM lines: before the first FROM)', () => {
  const [global, ...rest] = stages();
  const globalArgs = new Set(global!.filter((l) => l.startsWith('ARG ')).map(argName));
  const anyArgs = new Set(instructions.filter((l) => l.startsWith('ARG ')).map(argName));
  assert.ok(rest.length > 0 && anyArgs.size > 0);
  for (const stage of rest) {
    const from = stage[0]!;
    for (const [, name] of from.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) assert.ok(globalArgs.has(name!), `${from}: ${name} is not an ARG before the first FROM`);
    const declared = new Set<string>();
    for (const l of stage.slice(1)) {
      if (l.startsWith('ARG ')) declared.add(argName(l));
      if (!l.startsWith('RUN ')) continue;
      for (const name of anyArgs) {
        // An ARG is empty inside a stage unless this stage declares it (a global one too).
        if (new RegExp(`\\$\\{?${name}\\b`).test(l)) assert.ok(declared.has(name), `${l.slice(0, 60)}…: ${name} is used but not declared in this stage`);
      }
    }
  }
  for (const l of instructions.filter((i) => i.startsWith('ARG '))) assert.ok(!PREDEFINED.has(argName(l)), `${l}: Docker passes it on already`);
});

test('the entrypoint runs the script the build makes from src/main/cli.ts and serves status where zk-watcher status asks', () => {
  const entrypoints = instructions.filter((l) => l.startsWith('ENTRYPOINT '));
  assert.equal(entrypoints.length, 1);
  const argv = JSON.parse(entrypoints[0]!.slice('ENTRYPOINT '.length)) as string[];
  // tsc maps src/main/cli.ts to dist/main/cli.js; the runtime stage copies dist/ to /app/dist.
  const script = argv.find((a) => a.endsWith('.js'));
  assert.equal(script, '/app/dist/main/cli.js');
  assert.ok(existsSync(join(ROOT, 'src/main/cli.ts')));
  assert.ok(instructions.includes('COPY --from=build /src/dist ./dist') && instructions.includes('WORKDIR /app'));
  const port = argv[argv.indexOf('--status-port') + 1];
  const address = argv[argv.indexOf('--status-address') + 1];
  // The default of `zk-watcher status` is where an operator's `docker exec … zk-watcher status` asks.
  assert.equal(port, String(DEFAULT_STATUS_PORT));
  assert.equal(address, DEFAULT_STATUS_ADDRESS);
  assert.equal(instructions.filter((l) => l.startsWith('HEALTHCHECK ')).length, 1);
});

/** The HEALTHCHECK's CMD in shell form, as the image's /bin/sh runs it. */
function healthCommand(): string {
  const health = instructions.find((l) => l.startsWith('HEALTHCHECK '))!;
  const m = /\sCMD\s+(.*)$/.exec(health);
  assert.ok(m && !m[1]!.startsWith('['), `${health}: a shell-form CMD`);
  return m[1]!;
}

test('the HEALTHCHECK, run by sh with curl as in the image: healthy on a 200 from /livez of an agent in its own PID namespace at the entrypoint\'s port or STATUS_PORT; unhealthy on a 503, on another container\'s agent, or nothing there; skipped with STATUS_PORT=0', async () => {
  const argv = JSON.parse(instructions.find((l) => l.startsWith('ENTRYPOINT '))!.slice('ENTRYPOINT '.length)) as string[];
  const entrypointPort = Number(argv[argv.indexOf('--status-port') + 1]);
  // What the agent's /livez says of itself (status-server.ts), as this process (and the sh it runs) sees its namespace.
  const ours = readlinkSync('/proc/self/ns/pid');
  let answer = 200;
  let namespace = ours;
  const asked: string[] = [];
  const server = createServer((req, res) => {
    asked.push(req.url ?? '');
    res.writeHead(answer, { 'X-Zk-Watcher-Pid-Ns': namespace }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const run = (env: Record<string, string>) =>
    new Promise<number | null>((resolve) => execFile('/bin/sh', ['-c', healthCommand()], { env: { PATH: process.env.PATH, ...env }, timeout: 30_000 }, (e) => resolve(e === null ? 0 : typeof e.code === 'number' ? e.code : null)));
  try {
    assert.equal(await run({ STATUS_PORT: String(port) }), 0);
    assert.deepEqual(asked, ['/livez']);
    namespace = 'pid:[1]';
    assert.equal(await run({ STATUS_PORT: String(port) }), 1, 'another container\'s agent on a shared loopback answers for nobody here');
    namespace = ours;
    answer = 503;
    assert.equal(await run({ STATUS_PORT: String(port) }), 1);
    assert.equal(await run({ STATUS_PORT: '0' }), 0, 'no status server: nothing to ask');
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  // Nothing listening where it asks: unhealthy. Without STATUS_PORT it asks the entrypoint's port.
  const closed = await freePort();
  assert.equal(await run({ STATUS_PORT: String(closed) }), 1);
  assert.match(healthCommand(), new RegExp(`\\$\\{STATUS_PORT:-${entrypointPort}\\}`));
});
