// Reads the maintenance directory once a second (one readdir for the whole agent, not
// one stat per check) and reports when what is in maintenance changes.

import { readdirSync } from 'node:fs';
import type { Logger } from 'pino';
import { maintenanceFromNames, NO_MAINTENANCE, sameMaintenance, type MaintenanceState } from '../../shared/maintenance.js';
import { choreClock, type CancelChore } from './chore-clock.js';

const POLL_MS = 1000;

export class MaintenanceWatcher {
  state: MaintenanceState = NO_MAINTENANCE;
  private cancelPoll: CancelChore | undefined;
  private stopped = false;
  private lastProblem: string | null = null;

  constructor(
    readonly dir: string,
    private readonly log: Logger,
    private readonly onChange: (state: MaintenanceState) => void,
  ) {}

  /** Read once at once (a host in maintenance at boot never registers), then every second. */
  start(): void {
    if (this.stopped) return;
    this.poll();
    this.cancelPoll = choreClock.every(POLL_MS, () => this.poll());
  }

  /** No change is reported after this. */
  stop(): void {
    this.stopped = true;
    this.cancelPoll?.();
    this.cancelPoll = undefined;
  }

  private readNow(): string[] | null {
    try {
      return this.ok(readdirSync(this.dir));
    } catch (e) {
      return this.failed(e);
    }
  }

  // Synchronous: one readdir of a small local directory takes microseconds, and the
  // asynchronous one woke a libuv thread and the loop once more each second (issue 13).
  private poll(): void {
    if (!this.stopped) this.apply(this.readNow());
  }

  private ok(names: string[]): string[] {
    this.lastProblem = null;
    return names;
  }

  /**
   * A missing directory means nothing is in maintenance. Any other error (permissions, I/O)
   * keeps what we knew, so a hiccup never puts a host back in the registry; logged once until it clears.
   */
  private failed(e: unknown): string[] | null {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    if (code !== 'ENOENT' && code !== this.lastProblem) {
      this.log.warn({ event: 'maintenance_dir_unreadable', dir: this.dir, error: (e as Error).message }, `cannot read the maintenance directory ${this.dir}; keeping the maintenance state as it was`);
    }
    this.lastProblem = code;
    return code === 'ENOENT' ? [] : null;
  }

  private apply(names: string[] | null): void {
    if (names === null) return;
    const next = maintenanceFromNames(names);
    if (sameMaintenance(next, this.state)) return;
    this.state = next;
    this.onChange(next);
  }
}
