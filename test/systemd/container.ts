// A booted Debian container (systemd-nspawn, systemd as its PID 1) that the systemd test
// drives from outside: it runs commands inside with nsenter, and shuts it down so that no
// process of it survives the test, whether the test passes, fails or is killed.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { waitFor } from '../support/wait.js';

export interface Bind {
  /** a path on this machine */
  readonly host: string;
  /** where it appears inside, read-only */
  readonly inside: string;
}

export interface BootOptions {
  /** the OS tree (test/systemd/rootfs.sh); never written to (see --volatile below) */
  readonly root: string;
  readonly binds: readonly Bind[];
  readonly machine: string;
  /** boot until `systemctl is-system-running` says running (default 180 s) */
  readonly bootDeadlineMs?: number;
}

export interface ExecResult {
  /** null when it had to be killed at its deadline */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export interface ExecOptions {
  /** written to the command's stdin */
  readonly input?: string;
  /** default 120 s; the command's process group is SIGKILLed then */
  readonly timeoutMs?: number;
}

export interface Container {
  /** pid (on this machine) of the container's systemd */
  readonly leader: number;
  /** where nspawn's own output and the container's console go (removed after a clean shutdown) */
  readonly consoleLog: string;
  /** ms from spawning nspawn until `systemctl is-system-running` answered running/degraded */
  readonly bootMs: number;
  /** what `systemctl is-system-running` answered at the end of boot */
  readonly bootState: string;
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** `/bin/sh -ec SCRIPT` inside */
  sh(script: string, opts?: ExecOptions): Promise<ExecResult>;
  /** Orderly halt, then SIGKILL if it lingers; resolves once no process of the container remains. */
  shutdown(): Promise<void>;
}

// What systemd gives services: a command inside sees the container's PATH, not ours.
const INSIDE_ENV = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'LANG=C.UTF-8', 'SYSTEMD_PAGER=', 'SYSTEMD_COLORS=0'];
const HALT_DEADLINE_MS = 60_000;

function pidNamespace(pid: number | 'self'): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

/** Pids on this machine whose pid namespace is `ns`: the container's processes. */
export function processesIn(ns: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    if (pidNamespace(Number(name)) === ns) pids.push(Number(name));
  }
  return pids;
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

/** Runs a command on this machine; its process group is SIGKILLed at the deadline. */
export function run(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const { input, timeoutMs = 120_000 } = opts;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.on('error', () => {
      /* a command that does not read its stdin */
    });
    child.stdin.end(input ?? '');
    // nsenter forks the command into the container's pid namespace: kill the group, not just nsenter.
    const timer = setTimeout(() => {
      killed = true;
      killQuietly(-child.pid!, 'SIGKILL');
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${argv[0]}: ${e.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: killed ? null : code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

// A shell that outlives us only to SIGKILL the container if we die without our exit hook
// (SIGKILL, OOM): it reads the pids, then waits; a "done" line means we shut it down ourselves.
const GUARD_SCRIPT = 'read -r pids || exit 0; read -r done || kill -KILL $pids 2>/dev/null; exit 0';

class NspawnContainer implements Container {
  leader = 0;
  bootMs = 0;
  bootState = '';
  private ns = '';
  private exited: Promise<void>;
  private guard: ChildProcess | undefined;
  private readonly onExit = () => {
    this.killNow();
    rmSync(dirname(this.consoleLog), { recursive: true, force: true });
  };

  constructor(
    private readonly nspawn: ChildProcess,
    readonly consoleLog: string,
  ) {
    this.exited = new Promise((resolve) => nspawn.once('exit', () => resolve()));
    // Synchronous, so it also runs on process.exit() and after an uncaught exception.
    process.on('exit', this.onExit);
    this.guard = spawn('/bin/sh', ['-c', GUARD_SCRIPT], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    this.guard.stdin?.on('error', () => {});
    this.guard.unref();
    (this.guard.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }

  /** Waits for the container's init (the child of nspawn in another pid namespace) to appear. */
  async findLeader(): Promise<void> {
    const ours = pidNamespace('self');
    const pid = this.nspawn.pid!;
    this.leader = await waitFor(
      async () => {
        if (this.nspawn.exitCode !== null || this.nspawn.signalCode !== null) throw new Error(`systemd-nspawn exited (see ${this.consoleLog})`);
        return childrenOf(pid).find((c) => pidNamespace(c) !== undefined && pidNamespace(c) !== ours) ?? 0;
      },
      (leader) => leader > 0,
      { timeoutMs: 60_000, intervalMs: 100, what: `the container's init, a child of systemd-nspawn (pid ${pid}); console: ${this.consoleLog}` },
    );
    this.ns = pidNamespace(this.leader)!;
    this.guard?.stdin?.write(`${this.leader} ${pid}\n`);
  }

  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult> {
    if (this.leader === 0) throw new Error('the container has no leader yet');
    return run(['nsenter', '-t', String(this.leader), '-a', '--', 'env', '-i', ...INSIDE_ENV, ...argv], opts);
  }

  sh(script: string, opts?: ExecOptions): Promise<ExecResult> {
    return this.exec(['/bin/sh', '-ec', script], opts);
  }

  private killNow(): void {
    if (this.leader > 0) killQuietly(this.leader, 'SIGKILL'); // the pid namespace's init: the kernel kills the rest
    killQuietly(-this.nspawn.pid!, 'SIGKILL');
  }

  async shutdown(): Promise<void> {
    const running = () => this.nspawn.exitCode === null && this.nspawn.signalCode === null;
    if (running()) {
      // nspawn turns SIGTERM into an orderly halt of the container (SIGRTMIN+3 to its init).
      killQuietly(this.nspawn.pid!, 'SIGTERM');
      const halted = await Promise.race([this.exited.then(() => true), sleep(HALT_DEADLINE_MS).then(() => false)]);
      if (!halted) {
        this.killNow();
        await Promise.race([this.exited, sleep(10_000)]);
      }
    }
    const left = this.ns ? await waitFor(async () => processesIn(this.ns), (pids) => pids.length === 0, { timeoutMs: 10_000, what: 'every process of the container to be gone' }).catch(() => processesIn(this.ns)) : [];
    for (const p of left) killQuietly(p, 'SIGKILL');
    const nspawnLeft = running();
    if (nspawnLeft) killQuietly(-this.nspawn.pid!, 'SIGKILL');
    // Everything is gone or SIGKILLed: forget the pids, which the system may hand out again.
    process.removeListener('exit', this.onExit);
    this.guard?.stdin?.end('done\n');
    if (left.length === 0 && !nspawnLeft) rmSync(dirname(this.consoleLog), { recursive: true, force: true });
    if (left.length > 0) throw new Error(`processes of the container were still running after it halted (now SIGKILLed): ${left.join(', ')}`);
    if (nspawnLeft) throw new Error(`systemd-nspawn (pid ${this.nspawn.pid}) did not exit after the container halted (now SIGKILLed); see ${this.consoleLog}`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

/** Boots the OS tree with systemd-nspawn and waits until its systemd has finished booting. */
export async function bootContainer(opts: BootOptions): Promise<Container> {
  const dir = mkdtempSync(join(tmpdir(), 'zkw-systemd-'));
  const consoleLog = join(dir, 'console.log');
  const fd = openSync(consoleLog, 'a');
  const started = Date.now();
  const args = [
    '-D', opts.root,
    '--boot',
    // No systemd-machined and no systemd on this machine's side: without these two, nspawn
    // fails with "Failed to open system bus".
    '--register=no', '--keep-unit',
    '--console=pipe',
    // The tree is the lower layer of an overlay with a tmpfs on top: the cached root stays clean.
    '--volatile=overlay',
    `--machine=${opts.machine}`,
    ...opts.binds.map((b) => `--bind-ro=${b.host}:${b.inside}`),
  ];
  let nspawn: ChildProcess;
  try {
    nspawn = spawn('systemd-nspawn', args, { detached: true, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  const container = new NspawnContainer(nspawn, consoleLog);
  try {
    await container.findLeader();
    // --wait blocks until boot is over; until systemd's socket is up it fails, and is asked again.
    const state = await waitFor(
      async () => (await container.exec(['systemctl', 'is-system-running', '--wait'], { timeoutMs: 30_000 })).stdout.trim(),
      (s) => s === 'running' || s === 'degraded',
      { timeoutMs: opts.bootDeadlineMs ?? 180_000, intervalMs: 500, what: `the container to finish booting (console: ${consoleLog})` },
    );
    container.bootState = state;
    container.bootMs = Date.now() - started;
  } catch (e) {
    await container.shutdown().catch(() => {});
    throw e;
  }
  return container;
}
