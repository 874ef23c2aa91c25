// Delivers notify messages to $NOTIFY_SOCKET. Node cannot send unix datagrams, so a
// long-lived zkw-notify helper (built next to this file from zkw-notify.c) sends them,
// one stdin line per datagram. Without the helper (no C compiler at build time) each
// message goes through systemd-notify(1): that works, but systemd-notify exits at once,
// and systemd may then fail to attribute the message to our unit (its documented race),
// so a READY=1 or WATCHDOG=1 can be lost. python3 would need the same helper role and
// may not be installed on a host, so it is not used.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';

export interface NotifyChannel {
  readonly via: 'zkw-notify' | 'systemd-notify';
  send(message: string): void;
  /** Flush what was sent and let the helper go (at most `timeoutMs`). */
  close(timeoutMs: number): Promise<void>;
}

/** A helper that dies is started again for the next message, but not more often than this. */
const RESPAWN_GAP_MS = 5000;

export function builtNotifyHelper(): string | null {
  const path = fileURLToPath(new URL('./zkw-notify', import.meta.url));
  return existsSync(path) ? path : null;
}

export function openNotifyChannel(address: string, logger: Logger, helper: string | null = builtNotifyHelper()): NotifyChannel {
  return helper === null ? new SystemdNotifyChannel(address, logger) : new HelperChannel(helper, address, logger);
}

class HelperChannel implements NotifyChannel {
  readonly via = 'zkw-notify';
  private child: ChildProcess | null = null;
  private spawnedAt = -Infinity;
  private closing = false;

  constructor(private readonly helper: string, private readonly address: string, private readonly log: Logger) {}

  send(message: string): void {
    if (this.closing) return;
    if (this.child === null && performance.now() - this.spawnedAt >= RESPAWN_GAP_MS) this.child = this.spawn();
    this.child?.stdin?.write(message + '\n');
  }

  private spawn(): ChildProcess {
    this.spawnedAt = performance.now();
    const child = spawn(this.helper, [String(process.pid)], { stdio: ['pipe', 'ignore', 'pipe'], env: { NOTIFY_SOCKET: this.address } });
    // A write after the helper died fails with EPIPE; the 'exit' handler reports it.
    child.stdin!.on('error', () => undefined);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      for (const line of text.split('\n').filter((l) => l !== '')) this.log.warn({ event: 'notify_send_failed', detail: line }, line);
    });
    child.on('error', (e) => this.log.error({ event: 'notify_helper_failed', error: e.message }, `cannot run ${this.helper}: ${e.message}`));
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      if (!this.closing) this.log.error({ event: 'notify_helper_exited', code, signal }, 'the zkw-notify helper exited; it is started again for the next message');
    });
    return child;
  }

  async close(timeoutMs: number): Promise<void> {
    this.closing = true;
    const child = this.child;
    if (child === null || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.stdin?.end();
    });
  }
}

class SystemdNotifyChannel implements NotifyChannel {
  readonly via = 'systemd-notify';
  private failed = false;
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly address: string, private readonly log: Logger) {}

  send(message: string): void {
    const child = spawn('systemd-notify', [message], { stdio: 'ignore', env: { ...process.env, NOTIFY_SOCKET: this.address } });
    const done = new Promise<void>((resolve) => {
      child.on('error', (e) => {
        if (!this.failed) this.log.error({ event: 'notify_helper_failed', error: e.message }, `cannot run systemd-notify: ${e.message}`);
        this.failed = true;
        resolve();
      });
      child.on('exit', () => resolve());
    });
    this.running.add(done);
    void done.then(() => this.running.delete(done));
  }

  async close(timeoutMs: number): Promise<void> {
    await Promise.race([Promise.all(this.running), new Promise((r) => setTimeout(r, timeoutMs))]);
  }
}
