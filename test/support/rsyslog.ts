// A real rsyslogd for tests, as a host runs it: it listens on its own unix socket (not the
// host's /dev/log), files messages by the rules a test gives, and is killed after.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait.js';

export interface Rsyslog {
  /** The socket to log to (what --syslog-socket names). */
  readonly socket: string;
  /** The lines rsyslog wrote to `name` (a file in its directory) so far. */
  lines(name: string): string[];
  close(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

/**
 * `rules`: rsyslog RainerScript run for every message; `FILE(name)` in it stands for a file
 * in the instance's directory. Lines are written as `facility severity programname msg`.
 */
export async function startRsyslog(rules: string): Promise<Rsyslog> {
  const dir = mkdtempSync(join(tmpdir(), 'zkw-rsyslog-'));
  const socket = join(dir, 'log.sock');
  const conf = join(dir, 'rsyslog.conf');
  writeFileSync(
    conf,
    [
      `global(workDirectory="${dir}")`,
      // Our own socket only; no rate limit, so every line of a busy test arrives.
      'module(load="imuxsock" SysSock.Use="off")',
      `input(type="imuxsock" Socket="${socket}" RateLimit.Interval="0")`,
      'template(name="fields" type="string" string="%syslogfacility-text% %syslogseverity-text% %programname% %msg%\\n")',
      rules.replace(/FILE\(([\w.-]+)\)/g, (_m, name: string) => `"${join(dir, name)}"`),
      '',
    ].join('\n'),
  );
  const child = spawn('/usr/sbin/rsyslogd', ['-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => (stderr += c));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  child.on('error', (e) => (stderr += `cannot run rsyslogd: ${e.message}`));
  await waitFor(async () => existsSync(socket) || child.exitCode !== null || stderr.includes('cannot run'), (ready) => ready, { what: `rsyslogd to open ${socket}`, timeoutMs: 20_000 });
  if (!existsSync(socket)) throw new Error(`rsyslogd did not start: ${stderr}`);
  return {
    socket,
    lines(name) {
      const file = join(dir, name);
      return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : [];
    },
    async close() {
      child.kill('SIGTERM');
      await exited;
      running.delete(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
