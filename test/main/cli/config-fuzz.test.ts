// Fuzz: many generated broken and random config files. Every one is answered, none
// crashes: in-process for thousands of random files, and through the real CLI for
// files broken in each of the ways an operator breaks them (exit 2, FILE:LINE, no
// stack trace). Deterministic: the seed is printed, and ZKW_FUZZ_SEED replays a run.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '../../../src/main/cli/config-files.js';
import { formatProblem, hasErrors } from '../../../src/shared/problems.js';
import { CLI } from '../../support/agent.js';

const seed = Number(process.env.ZKW_FUZZ_SEED ?? 20261125);
console.log(`# fuzz seed ${seed} (ZKW_FUZZ_SEED=${seed} replays it)`);
const dir = mkdtempSync(join(tmpdir(), 'zkw-fuzz-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** mulberry32: small, seedable, good enough to pick mutations. */
function prng(s: number): () => number {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(seed);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const int = (n: number) => Math.floor(random() * n);

interface Service {
  name: string;
  lines: [string, string][];
}

function validService(i: number): Service {
  const lines: [string, string][] = [
    ['cmd', pick(['true', 'test -d /', '/bin/check --fast', 'curl -sf http://localhost/ >/dev/null'])],
    ['refresh', pick(['1', '30', '0.5', '60'])],
    ['service_port', String(1 + int(65535))],
    ['zookeeper_path', pick(['/services/web', '/a/b/c', '/x'])],
  ];
  if (random() < 0.5) lines.push(['service_hostname', pick(['host.example', '10.0.0.1', 'a-b.c'])]);
  if (random() < 0.5) lines.push(['zookeeper_data', pick(['k=v', 'a=1, b=2', '{"x": 1}'])]);
  return { name: `svc${i}-${int(1000)}`, lines };
}

function render(services: readonly Service[], sep = ': '): string {
  return services.map((s) => `[${s.name}]\n${s.lines.map(([k, v]) => `${k}${sep}${v}`).join('\n')}\n`).join('\n');
}

/** Ways to break a good file: each returns the file's bytes and the key the message must name, if any. */
const BREAKAGES: Record<string, (services: Service[]) => { bytes: Buffer; key?: string }> = {
  'text before the first section': (s) => ({ bytes: Buffer.from('stray = text\n' + render(s)) }),
  'duplicate section': (s) => ({ bytes: Buffer.from(render([...s, { ...s[0]!, lines: s[0]!.lines }])) }),
  'duplicate key': (s) => (s[0]!.lines.push(['refresh', '5']), { bytes: Buffer.from(render(s)), key: 'refresh' }),
  'missing required key': (s) => {
    const key = pick(['refresh', 'service_port', 'zookeeper_path']);
    s[0]!.lines = s[0]!.lines.filter(([k]) => k !== key);
    return { bytes: Buffer.from(render(s)), key };
  },
  'no check at all': (s) => ((s[0]!.lines = s[0]!.lines.filter(([k]) => k !== 'cmd')), { bytes: Buffer.from(render(s)) }),
  'empty cmd': (s) => set(s, 'cmd', ''),
  'refresh not a positive number': (s) => set(s, 'refresh', pick(['0', '-1', 'often', 'NaN', 'inf', '1e400', ''])),
  'timeout not a positive number': (s) => (s[0]!.lines.push(['timeout', pick(['0', '-5', 'soon', 'Infinity'])]), { bytes: Buffer.from(render(s)), key: 'timeout' }),
  'port out of range': (s) => set(s, 'service_port', pick(['0', '65536', '-1', '80.5', 'http', '99999999999'])),
  'zookeeper_path ZooKeeper refuses': (s) => set(s, 'zookeeper_path', pick(['services', 'a/b/', '//', '/a/./b', '/a/../b', '/a/\u0001b', '/zookeeper/x', ''])),
  'cmd whose status /bin/sh would take from something else': (s) => set(s, 'cmd', pick(['curl -sf http://127.0.0.1:1/?a=1&b=2', 'check &', 'check &>/dev/null', 'curl http://x/?a=1;b=2'])),
  'hostname with a slash': (s) => set(s, 'service_hostname', pick(['a/b', '/x', 'h/'])),
  'zookeeper_data neither JSON object nor pairs': (s) => set(s, 'zookeeper_data', pick(['[1, 2]', 'novalue', '{"unclosed": 1', 'a=1, b', '42'])),
  'zookeeper_data over 1 MiB': (s) => set(s, 'zookeeper_data', `k=${'x'.repeat(1_100_000)}`),
  'bytes that are not UTF-8': (s) => ({ bytes: Buffer.concat([Buffer.from(render(s)), Buffer.from([0x63, 0x6d, 0x64, 0x3a, 0x20, 0xff, 0xfe, 0x0a])]) }),
  'a NUL byte': (s) => ({ bytes: Buffer.from(render(s).replace('\n', '\n\0')) }),
  'a line without a delimiter': (s) => ({ bytes: Buffer.from(render(s) + 'just some words\n') }),
  'a bad % interpolation': (s) => set(s, 'cmd', pick(['echo 100%', 'printf %d 1', 'x %(missing)s'])),
  'a bad http URL': (s) => set(s, 'http', pick(['ftp://x/', 'not a url', 'http://', 'localhost:80'])),
  'a bad tcp target': (s) => set(s, 'tcp', pick(['localhost', ':80', 'host:0', 'host:70000', 'host:port'])),
};

function set(s: Service[], key: string, value: string): { bytes: Buffer; key: string } {
  const svc = s[int(s.length)]!;
  svc.lines = svc.lines.filter(([k]) => k !== key);
  svc.lines.push([key, value]);
  return { bytes: Buffer.from(render(s)), key };
}

function runCli(file: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, '-c', file, '-s', '127.0.0.1:1'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

test('every way of breaking a file, many times over, through the real CLI: exit 2, FILE:LINE naming the key, no stack trace', async () => {
  const cases: { file: string; kind: string; key?: string }[] = [];
  let n = 0;
  // Four rounds: every breakage through the CLI with four random service sets (each case is a
  // whole process, ~0.2 s of CPU; the pure parser takes thousands of files in the next test).
  for (let round = 0; round < 4; round++) {
    for (const [kind, breakIt] of Object.entries(BREAKAGES)) {
      const services = Array.from({ length: 1 + int(4) }, (_, i) => validService(i));
      const { bytes, key } = breakIt(services);
      const file = join(dir, `broken-${n++}.cfg`);
      writeFileSync(file, bytes);
      cases.push({ file, kind, ...(key === undefined ? {} : { key }) });
    }
  }
  assert.ok(cases.length >= 4 * Object.keys(BREAKAGES).length && cases.length > 75);
  // A few at a time: each is a whole agent process that must refuse its file.
  for (let i = 0; i < cases.length; i += 6) {
    await Promise.all(
      cases.slice(i, i + 6).map(async (c) => {
        const r = await runCli(c.file);
        const what = `${c.kind} (${c.file}):\n${r.stderr.slice(0, 600)}`;
        assert.equal(r.code, 2, what);
        assert.match(r.stderr, new RegExp(`^${c.file}:\\d+: `, 'm'), what);
        if (c.key !== undefined) assert.match(r.stderr, new RegExp(`\\(key: ${c.key}\\)`), what);
        assert.match(r.stderr, /nothing was started\n$/, what);
        assert.doesNotMatch(r.stderr, /\n\s+at |Error:|TypeError|RangeError/, what);
      }),
    );
  }
});

test('thousands of randomly mangled files: each is accepted or refused with messages naming it, and nothing throws', async () => {
  const pieces = ['[', ']', ':', '=', '%', '%(', ')s', '\n', ' ', '\t', '#', ';', '\0', '\r', '{', '}', '"', '/', '..', '[DEFAULT]', '[auth]', 'password', 'cmd', 'refresh', '-1', '1e309', '\u2028', '\ufeff', '\xff'];
  let refused = 0;
  for (let i = 0; i < 2000; i++) {
    const text = render(Array.from({ length: 1 + int(3) }, (_, k) => validService(k)), pick([': ', '=', ' : ']));
    const chars = [...text];
    for (let m = 0; m < 1 + int(6); m++) chars.splice(int(chars.length + 1), int(3), pick(pieces));
    const file = join(dir, `random-${i}.cfg`);
    writeFileSync(file, Buffer.from(chars.join(''), random() < 0.2 ? 'latin1' : 'utf8'));
    const { config, problems } = await loadConfig([file]);
    for (const p of problems) {
      assert.equal(p.file, file);
      assert.ok(Number.isInteger(p.line) && p.line >= 0, formatProblem(p));
      assert.ok(p.message.trim() !== '', 'a message says what is wrong');
    }
    if (hasErrors(problems)) refused++;
    else assert.ok(config !== null, `accepted without errors, so there is a config: ${file}`);
  }
  console.log(`# ${refused} of 2000 random files refused`);
  assert.ok(refused > 1000, 'most mangled files are refused');
});
