// The independent observer of the fleet bench: observer.py (kazoo, another client library
// than the agent's, in a process of its own) counts the fleet's nodes every round; here its
// rounds are collected as they come.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ObserverRound } from './figures.js';

const SCRIPT = fileURLToPath(new URL('../../../bench/fleet-sim/observer.py', import.meta.url));
/** Debian's python3, which python3-kazoo installs for (a python3 earlier in PATH may lack it). */
const PYTHON = '/usr/bin/python3';

export class Observer {
  readonly rounds: ObserverRound[] = [];
  /** Nodes of each host in the latest successful round. */
  readonly counts = new Map<string, number>();
  private readonly child: ChildProcessWithoutNullStreams;
  private stderr = '';
  private exited = false;
  readonly ready: Promise<void>;

  constructor(servers: string, root: string, services: number, intervalS: number) {
    this.child = spawn(PYTHON, [SCRIPT, servers, root, String(services), String(intervalS)], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    let ready: () => void = () => undefined;
    let failed: (e: Error) => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      ready = resolve;
      failed = reject;
    });
    const timer = setTimeout(() => failed(new Error(`the observer (kazoo) did not connect within 60 s: ${this.stderr.trim()}`)), 60_000);
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      clearTimeout(timer);
      failed(new Error(`the observer (${PYTHON} ${SCRIPT}) exited (${code ?? signal}): ${this.stderr.trim() || 'no output'} (Debian: apt-get install python3-kazoo)`));
    });
    this.child.on('error', (e) => failed(new Error(`the observer could not start: ${e.message}`)));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const msg = JSON.parse(line) as ObserverRound | { t: number; ready: true };
      if ('ready' in msg) {
        clearTimeout(timer);
        ready();
      } else {
        this.rounds.push(msg);
        if ('changes' in msg) for (const [host, n] of Object.entries(msg.changes)) this.counts.set(host, n);
      }
    });
  }

  get alive(): boolean {
    return !this.exited;
  }

  get error(): string {
    return this.stderr.trim();
  }

  /** The last successful round's total (NaN before one). */
  get lastTotal(): number {
    for (let i = this.rounds.length - 1; i >= 0; i--) {
      const r = this.rounds[i]!;
      if ('total' in r) return r.total;
    }
    return NaN;
  }

  /** The first successful round started at or after `t` (epoch ms), once it comes. */
  async roundAfter(t: number, deadlineMs = 60_000): Promise<ObserverRound & { total: number }> {
    const until = performance.now() + deadlineMs;
    for (;;) {
      const r = this.rounds.at(-1);
      if (r !== undefined && 'total' in r && r.t >= t) return r;
      if (!this.alive) throw new Error(`the observer exited: ${this.error}`);
      if (performance.now() > until) throw new Error(`the observer counted nothing within ${Math.round(deadlineMs / 1000)} s: ${this.error.split("\n").slice(-3).join(" ")}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  stop(): void {
    if (!this.exited) this.child.kill('SIGTERM');
  }
}
