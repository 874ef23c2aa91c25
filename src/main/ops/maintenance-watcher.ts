// Reads the maintenance directory once a second (one readdir for the whole agent, not
// one stat per check) and reports when what is in maintenance, or why, changes. A flag
// file's text (the reason) is read only when the file is new or has changed: at rest a
// poll is one readdir and a stat per flag file, and there are few.

import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { describeNote, HOST_MAINTENANCE_FILE, MAX_NOTE_BYTES, maintenanceFromFiles, NO_MAINTENANCE, sameMaintenance, type MaintenanceState } from '../../shared/maintenance.js';
import { choreClock, type CancelChore } from './chore-clock.js';

const POLL_MS = 1000;

/** What a flag file was when its text was last read: a rename over it (`maint on`) changes the inode. */
interface Seen {
  readonly stamp: string;
  readonly text: string | null;
}

export class MaintenanceWatcher {
  state: MaintenanceState = NO_MAINTENANCE;
  private cancelPoll: CancelChore | undefined;
  private stopped = false;
  private lastProblem: string | null = null;
  private readonly seen = new Map<string, Seen>();

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
    const files = names.filter((n) => !n.startsWith('.')).map((n) => [n, this.textOf(n)] as const);
    for (const name of [...this.seen.keys()]) if (!names.includes(name)) this.seen.delete(name);
    const next = maintenanceFromFiles(files);
    if (sameMaintenance(next, this.state)) return;
    this.logChanges(this.state, next);
    this.state = next;
    this.onChange(next);
  }

  /** The file's text, read again only when its inode, size or mtime moved; null when it cannot be read (the name alone still counts). */
  private textOf(name: string): string | null {
    const path = join(this.dir, name);
    let stamp: string;
    try {
      const st = statSync(path);
      stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      return this.seen.get(name)?.text ?? null;
    }
    const known = this.seen.get(name);
    if (known?.stamp === stamp) return known.text;
    const text = readFlagText(path);
    this.seen.set(name, { stamp, text });
    return text;
  }

  /** One line per flag file that appeared, went, or now gives another reason. The reason is operator text: fine to log. */
  private logChanges(before: MaintenanceState, after: MaintenanceState): void {
    const was = before.notes ?? new Map();
    const now = after.notes ?? new Map();
    for (const [name, note] of now) {
      const old = was.get(name);
      if (old !== undefined && old.reason === note.reason && old.by === note.by && old.at === note.at) continue;
      const host = name === HOST_MAINTENANCE_FILE;
      const log = host ? this.log : this.log.child({ service: name });
      const what = host ? 'the whole host' : name;
      const fields = { event: old === undefined ? 'maintenance_on' : 'maintenance_updated', scope: host ? 'host' : 'service', reason: note.reason, by: note.by, at: note.at, file: join(this.dir, name) };
      log.info(fields, `maintenance ${old === undefined ? 'on' : 'updated'} for ${what}: ${describeNote(note)}`);
    }
    for (const name of was.keys()) {
      if (now.has(name)) continue;
      const host = name === HOST_MAINTENANCE_FILE;
      const log = host ? this.log : this.log.child({ service: name });
      log.info({ event: 'maintenance_off', scope: host ? 'host' : 'service' }, `maintenance off for ${host ? 'the whole host' : name}`);
    }
  }
}

/**
 * The first MAX_NOTE_BYTES of a flag file (a reason is a line), or null when it is not a
 * regular file or cannot be read. Opening a FIFO would block the main thread (and
 * ZooKeeper's heartbeats) until a writer came: the open does not wait (O_NONBLOCK, so a
 * FIFO put in place between a stat and the open cannot block it either), and only what the
 * opened descriptor shows to be a regular file is read.
 */
export function readFlagText(path: string): string | null {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!fstatSync(fd).isFile()) return null;
    const buffer = Buffer.alloc(MAX_NOTE_BYTES);
    const n = readSync(fd, buffer, 0, MAX_NOTE_BYTES, 0);
    return buffer.subarray(0, n).toString('utf8');
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
