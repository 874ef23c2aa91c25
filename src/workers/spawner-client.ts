// Talks to one zkw-spawn helper process (see zkw-spawn.c): sends commands, parses
// its reports, and starts a new helper if the old one dies. Node's own spawn forks
// the whole agent for every check (~780/s on a 2-core host); the helper's
// posix_spawn does not.

import { spawn, type ChildProcess } from 'node:child_process';
import { tailText } from './output-tail.js';
import type { CommandOutcome } from './spawn.js';

interface Pending {
  resolve(outcome: CommandOutcome): void;
  /** The check's process group, once the helper said it started. */
  pgid?: number;
}

const SIGNAL_NAMES: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM' };

export class SpawnerClient {
  private child: ChildProcess | null = null;
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;
  private buffer: Buffer = Buffer.alloc(0);
  private unsent: Buffer[] = [];

  constructor(private readonly helperPath: string, private readonly env: Readonly<Record<string, string>>) {}

  run(cmd: string, timeoutMs: number): Promise<CommandOutcome> {
    if (this.child === null) this.startHelper();
    const id = String(this.nextId++);
    const body = Buffer.from(cmd, 'utf8');
    return new Promise((resolve) => {
      this.pending.set(id, { resolve });
      this.unsent.push(Buffer.from(`${id} ${Math.max(1, Math.round(timeoutMs))} ${body.length}\n`), body);
      if (this.unsent.length === 2) queueMicrotask(() => this.flush());
    });
  }

  /** One write for every command asked for in this turn (a lane batch is one turn). */
  private flush(): void {
    if (this.unsent.length === 0) return;
    const data = Buffer.concat(this.unsent);
    this.unsent = [];
    this.child?.stdin!.write(data);
  }

  get inFlight(): number {
    return this.pending.size;
  }

  private startHelper(): ChildProcess {
    // detached: its own process group, so a terminal's signals reach the agent only.
    const child = spawn(this.helperPath, [String(process.pid)], { stdio: ['pipe', 'pipe', 'inherit'], env: this.env, detached: true });
    this.child = child;
    this.buffer = Buffer.alloc(0);
    child.stdout!.on('data', (chunk: Buffer) => this.onData(chunk));
    // EPIPE after the helper died is reported through 'close' below.
    child.stdin!.on('error', () => {});
    child.on('error', (e) => this.onHelperGone(child, `could not start the check helper: ${e.message}`));
    child.on('close', (code, signal) => this.onHelperGone(child, `the check helper exited (${signal ?? `code ${code}`})`));
    return child;
  }

  private onHelperGone(child: ChildProcess, reason: string): void {
    if (this.child !== child) return;
    this.child = null;
    // What was not written yet was meant for that helper; its checks fail below.
    this.unsent = [];
    const lost = [...this.pending.values()];
    this.pending.clear();
    // A helper killed outright could not kill its checks: their groups must not outlive it.
    for (const p of lost) if (p.pgid !== undefined) killGroup(p.pgid);
    for (const p of lost) p.resolve({ exitCode: null, signal: null, timedOut: false, spawnError: reason, outputTail: '', durationMs: 0 });
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let pos = 0;
    for (;;) {
      const nl = this.buffer.indexOf(10, pos);
      if (nl < 0) break;
      const [tag, id, kind, value, timedOut, durationUs, outputTotal, tailLen] = this.buffer.toString('latin1', pos, nl).split(' ');
      if (tag === 'S' && id !== undefined) {
        const p = this.pending.get(id);
        if (p !== undefined) p.pgid = Number(kind);
        pos = nl + 1;
        continue;
      }
      const tailBytes = Number(tailLen);
      if (tag !== 'D' || id === undefined || !Number.isInteger(tailBytes)) throw new Error(`zkw-spawn: unreadable report at ${pos}`);
      if (this.buffer.length < nl + 1 + tailBytes) break; // the tail is still on its way
      const outputTail = tailText(this.buffer.subarray(nl + 1, nl + 1 + tailBytes), Number(outputTotal));
      pos = nl + 1 + tailBytes;
      const n = Number(value);
      const p = this.pending.get(id);
      if (p === undefined) continue;
      this.pending.delete(id);
      p.resolve({
        exitCode: kind === 'x' ? n : null,
        signal: kind === 's' ? (SIGNAL_NAMES[n] ?? `signal ${n}`) : null,
        timedOut: timedOut === '1',
        spawnError: kind === 'e' ? `errno ${n}` : null,
        outputTail,
        durationMs: Number(durationUs) / 1000,
      });
    }
    this.buffer = pos === this.buffer.length ? Buffer.alloc(0) : this.buffer.subarray(pos);
  }

  /** Ends the helper: it kills and reaps every check still running. */
  close(): void {
    this.child?.stdin?.end();
  }
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}
