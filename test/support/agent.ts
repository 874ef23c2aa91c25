// Runs the real zk-watcher program (dist/main/cli.js, the installed bin) as a child
// process for tests, and collects its JSON log lines.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

export const CLI = fileURLToPath(new URL('../../../dist/main/cli.js', import.meta.url));

export interface LogRecord {
  readonly level: number;
  readonly msg: string;
  readonly event?: string;
  readonly service?: string;
  readonly path?: string;
  readonly sessionId?: string;
  readonly [key: string]: unknown;
}

export interface Agent {
  readonly pid: number;
  readonly process: ChildProcess;
  readonly logs: LogRecord[];
  stderr(): string;
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
  waitForLog(pred: (r: LogRecord) => boolean, what: string, timeoutMs?: number): Promise<LogRecord>;
  signal(sig: NodeJS.Signals): void;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

export function writeConfig(text: string, name = 'agent.cfg'): string {
  const dir = mkdtempSync(join(tmpdir(), 'zkw-agent-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** `wrap`: a command the agent runs under, e.g. ['unshare', '--pid', '--fork', '--mount-proc'] to make it PID 1. */
export function startAgent(args: string[], env: NodeJS.ProcessEnv = process.env, wrap: readonly string[] = []): Agent {
  return startCommand([...wrap, process.execPath, CLI, ...args], env);
}

/** Runs an installed executable (a bin link, e.g. `zk_watcher`) as the agent. */
export function startInstalled(executable: string, args: string[], env: NodeJS.ProcessEnv = process.env): Agent {
  return startCommand([executable, ...args], env);
}

function startCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Agent {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env });
  running.add(child);
  const logs: LogRecord[] = [];
  let stderr = '';
  let buffered = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        logs.push(JSON.parse(line) as LogRecord);
      } catch {
        logs.push({ level: 0, msg: line, event: 'not_json' });
      }
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | string>((resolve) => {
    // 'close', not 'exit': every line the agent wrote has been read by then.
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? -1);
    });
  });
  return {
    pid: child.pid!,
    process: child,
    logs,
    stderr: () => stderr,
    exited,
    waitForLog: (pred, what, timeoutMs = 30_000) =>
      waitFor(async () => logs.find(pred), (r) => r !== undefined, { what: `agent log: ${what}`, timeoutMs }) as Promise<LogRecord>,
    signal: (sig) => child.kill(sig),
  };
}

/** Run the CLI to completion (for flags that exit at once). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = process.env): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What Python's socket.getfqdn() says on this machine: the name zk_watcher registered. */
export function pythonFqdn(): string {
  const r = spawnSync('python3', ['-c', 'import socket; print(socket.getfqdn())'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3 is needed for this test: ${r.stderr || r.error?.message}`);
  return r.stdout.trim();
}
