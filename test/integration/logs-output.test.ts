// Where the log lines go and how they look, with the real program and no ZooKeeper (the
// server it is given does not answer, which is itself worth a warning line): journald's
// priority prefixes when JOURNAL_STREAM names stdout, the text format (chosen by the flag,
// and by itself at a terminal), and -l with a syslog socket that appears only later.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CLI, startAgent, writeConfig, type Agent } from '../support/agent.js';
import { freePort } from '../support/ports.js';
import { startRsyslog } from '../support/rsyslog.js';
import { waitFor } from '../support/wait.js';

const GOOD = '[web]\ncmd: true\nrefresh: 0.5\nservice_port: 80\nservice_hostname: host.example\nzookeeper_path: /logs\n';
/** No service_port: a reload of it is refused, with an error line. */
const BAD = '[web]\ncmd: true\nrefresh: 0.5\nservice_hostname: host.example\nzookeeper_path: /logs\n';

const children = new Set<ChildProcess>();
const agents: Agent[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const a of agents) a.signal('SIGKILL');
});

interface FileAgent {
  readonly child: ChildProcess;
  readonly exited: Promise<number | string>;
  lines(): string[];
  waitForLine(pred: (line: string) => boolean, what: string): Promise<string>;
}

/** The agent with its stdout a file (as systemd gives it a stream: not a pipe we read), `env` added to ours. */
function agentToFile(stdout: string, args: string[], env: NodeJS.ProcessEnv = {}): FileAgent {
  const fd = openSync(stdout, 'a');
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', fd, 'pipe'], env: { ...process.env, ...env } });
  closeSync(fd);
  children.add(child);
  const exited = new Promise<number | string>((resolve) => child.on('close', (code, signal) => resolve(code ?? signal ?? -1)));
  const lines = (): string[] => readFileSync(stdout, 'utf8').split('\n').filter((l) => l !== '');
  return {
    child,
    exited,
    lines,
    waitForLine: async (pred, what) => (await waitFor(async () => lines().find(pred), (l) => l !== undefined, { what, timeoutMs: 30_000 }))!,
  };
}

function tempFile(name: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'zkw-logs-')), name);
  writeFileSync(path, '');
  return path;
}

async function unreachable(): Promise<string> {
  return `127.0.0.1:${await freePort()}`;
}

test('stdout is the journal (JOURNAL_STREAM names it): every line carries its sd-daemon priority, <3> for errors, <4> warnings, <6> info', async () => {
  const out = tempFile('journal.out');
  const st = statSync(out, { bigint: true });
  const config = writeConfig(GOOD);
  const a = agentToFile(out, ['-c', config, '-s', await unreachable()], { JOURNAL_STREAM: `${st.dev}:${st.ino}` });
  await a.waitForLine((l) => l.includes('"event":"zk_waiting"'), 'the no-server warning');
  writeFileSync(config, BAD);
  a.child.kill('SIGHUP');
  await a.waitForLine((l) => l.includes('"event":"reload_rejected"'), 'the refused reload');
  a.child.kill('SIGTERM');
  assert.equal(await a.exited, 0);
  const lines = a.lines();
  const bad = lines.filter((l) => !/^<[2-7]>\{"level":\d+/.test(l));
  assert.deepEqual(bad, [], 'every line starts with a priority, then pino\'s JSON');
  const prefixOf = (event: string): string => lines.find((l) => l.includes(`"event":"${event}"`))!.slice(0, 3);
  assert.equal(prefixOf('reload_rejected'), '<3>');
  assert.equal(prefixOf('config_problem'), '<3>');
  assert.equal(prefixOf('zk_waiting'), '<4>');
  assert.equal(prefixOf('signal'), '<6>');
  assert.equal(prefixOf('stopped'), '<6>');
});

test('JOURNAL_STREAM naming another file (inherited by a process whose stdout was redirected): no prefix', async () => {
  const out = tempFile('plain.out');
  const other = statSync(tempFile('other'), { bigint: true });
  const a = agentToFile(out, ['-c', writeConfig(GOOD), '-s', await unreachable()], { JOURNAL_STREAM: `${other.dev}:${other.ino}` });
  await a.waitForLine((l) => l.includes('"event":"zk_waiting"'), 'the no-server warning');
  a.child.kill('SIGTERM');
  assert.equal(await a.exited, 0);
  assert.deepEqual(a.lines().filter((l) => !l.startsWith('{"level":')), [], 'pino\'s JSON as it is');
});

test('--log-format text: one readable line an event (time, level, message, fields); a check line names its service', async () => {
  const out = tempFile('text.out');
  const a = agentToFile(out, ['-c', writeConfig(GOOD), '-s', await unreachable(), '--log-format', 'text']);
  const healthy = await a.waitForLine((l) => l.includes('event=check'), 'the service turning healthy');
  assert.match(healthy, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} INFO  web: service is healthy: .*  .*service=web/);
  const waiting = await a.waitForLine((l) => l.includes('event=zk_waiting'), 'the no-server warning');
  assert.match(waiting, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} WARN  /);
  a.child.kill('SIGTERM');
  assert.equal(await a.exited, 0);
  assert.deepEqual(a.lines().filter((l) => l.startsWith('{')), [], 'no JSON line');
});

test('auto: text at a terminal (a real pty, through script(1)), JSON into a file', async () => {
  const server = await unreachable();
  const config = writeConfig(GOOD);
  // script(1) gives the agent a pty as stdout; -e: its exit code is the agent's.
  const tty = startScript(`exec ${process.execPath} ${CLI} -c ${config} -s ${server}`);
  await waitFor(async () => tty.output(), (o) => o.includes('service is healthy'), { what: 'the healthy line at the terminal', timeoutMs: 30_000 });
  tty.child.kill('SIGTERM');
  await tty.exited;
  const atTerminal = tty.output().split(/\r?\n/).find((l) => l.includes('service is healthy'))!;
  assert.match(atTerminal, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} INFO  web: service is healthy/);
  const out = tempFile('auto.out');
  const a = agentToFile(out, ['-c', config, '-s', server]);
  const line = await a.waitForLine((l) => l.includes('service is healthy'), 'the healthy line in the file');
  assert.equal((JSON.parse(line) as { msg: string }).msg.startsWith('web: service is healthy'), true);
  a.child.kill('SIGTERM');
  assert.equal(await a.exited, 0);
});

function startScript(command: string): { child: ChildProcess; output(): string; exited: Promise<unknown> } {
  const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  let text = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (c: string) => (text += c));
  const exited = new Promise((resolve) => child.on('close', resolve));
  return { child, output: () => text, exited };
}

test('-l with a syslog socket that is not there yet: one warning on stderr naming it; the lines are held and sent once it appears', async () => {
  const rsyslog = await startRsyslog('if $programname == "zk-watcher" then { action(type="omfile" file=FILE(agent.log) template="fields") stop }');
  try {
    const socket = join(mkdtempSync(join(tmpdir(), 'zkw-logs-')), 'later.sock');
    const a = startAgent(['-c', writeConfig(GOOD), '-s', await unreachable(), '-l', '--syslog-socket', socket]);
    agents.push(a);
    // zk_waiting comes after a second, and again every few: lines are being written to the missing socket.
    await waitFor(async () => a.stderr(), (e) => e.includes(`the syslog socket ${socket} does not exist`), { what: 'the warning on stderr', timeoutMs: 30_000 });
    assert.deepEqual(rsyslog.lines('agent.log'), [], 'nothing reached syslog while the socket was missing');
    symlinkSync(rsyslog.socket, socket);
    // Lines go as they are logged: a SIGHUP (a reload of the same file) makes some.
    const filed = await waitFor(
      async () => {
        a.signal('SIGHUP');
        return rsyslog.lines('agent.log');
      },
      (l) => l.some((x) => x.includes('"event":"zk_waiting"')) && l.some((x) => x.includes('"event":"signal"')),
      { what: 'the held lines and the new ones in syslog', timeoutMs: 30_000, intervalMs: 1500 },
    );
    assert.ok(filed.some((x) => /^daemon warning zk-watcher +\{"level":40,.*"event":"zk_waiting"/.test(x)), 'a line held while the socket was missing, at its own severity');
    a.signal('SIGTERM');
    assert.equal(await a.exited, 0);
    const warnings = a.stderr().split('\n').filter((l) => l.includes('does not exist'));
    assert.equal(warnings.length, 1, `warned once: ${a.stderr()}`);
    assert.match(a.stderr(), new RegExp(`the syslog socket ${socket} is there now; sending \\d+ held log lines`));
  } finally {
    await rsyslog.close();
  }
});

test('-l and logger(1) dies: the agent goes on, says so once on stderr, and later lines reach stderr; it still stops with 0', async () => {
  const rsyslog = await startRsyslog('if $programname == "zk-watcher" then { action(type="omfile" file=FILE(agent.log) template="fields") stop }');
  try {
    const a = startAgent(['-c', writeConfig(GOOD), '-s', await unreachable(), '-l', '--syslog-socket', rsyslog.socket]);
    agents.push(a);
    await waitFor(async () => rsyslog.lines('agent.log'), (l) => l.some((x) => x.includes('"event":"zk_waiting"')), { what: 'a first line in syslog', timeoutMs: 30_000 });
    const loggerPid = await waitFor(async () => childPid(a.pid, 'logger'), (p) => p !== null, { what: "the agent's logger(1)", timeoutMs: 10_000 });
    process.kill(loggerPid!, 'SIGKILL');
    await waitFor(async () => a.stderr(), (e) => e.includes('cannot log to syslog through logger(1)'), { what: 'the note on stderr', timeoutMs: 30_000 });
    // A reload makes lines: they now come on stderr, and the agent is alive to answer the next signal.
    await waitFor(
      async () => {
        a.signal('SIGHUP');
        return a.stderr();
      },
      (e) => e.includes('"event":"signal"'),
      { what: 'a line on stderr after logger(1) died', timeoutMs: 30_000, intervalMs: 1500 },
    );
    a.signal('SIGTERM');
    assert.equal(await a.exited, 0);
    assert.equal(a.stderr().split('\n').filter((l) => l.includes('cannot log to syslog')).length, 1, `said once: ${a.stderr()}`);
  } finally {
    await rsyslog.close();
  }
});

test('-l with a syslog socket that never appears: at exit the held lines go to stderr rather than being lost', async () => {
  const socket = join(mkdtempSync(join(tmpdir(), 'zkw-logs-')), 'never.sock');
  const a = startAgent(['-c', writeConfig(GOOD), '-s', await unreachable(), '-l', '--syslog-socket', socket]);
  agents.push(a);
  await waitFor(async () => a.stderr(), (e) => e.includes(`the syslog socket ${socket} does not exist`), { what: 'the warning on stderr', timeoutMs: 30_000 });
  a.signal('SIGTERM');
  assert.equal(await a.exited, 0);
  assert.match(a.stderr(), new RegExp(`the syslog socket ${socket} never appeared; the \\d+ held log lines follow`));
  assert.match(a.stderr(), /"event":"stopped"/, `the last line, held, is on stderr: ${a.stderr()}`);
});

/** The pid of a child of `parent` named `name`, from /proc, or null. */
function childPid(parent: number, name: string): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (comm === name && ppid === parent) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}
