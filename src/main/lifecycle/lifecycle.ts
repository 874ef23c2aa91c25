// Start, reload and stop as one serialized lifecycle: an explicit state with guarded
// transitions (shared/lifecycle-state.ts), one reload at a time, and stop over all. A
// reload request during a reload folds into it (the file is read again and applied
// once); stop preempts a reload, and after stop nothing starts. Applying a reload is synchronous,
// so nothing interleaves with it; only the read awaits, and its result is dropped
// once stop has begun.

import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { canMove, reloadRequestEffect, type LifecycleState } from '../../shared/lifecycle-state.js';

export interface LifecycleOps<C, S> {
  /** Bring every part up. Synchronous: nothing can arrive half-way. */
  start(): void;
  /** Read and validate the config for a reload; null when it has errors (it reports them). */
  load(): Promise<C | null>;
  /** Apply a re-read config. Synchronous, for the same reason as start(). */
  apply(config: C): void;
  /** Take everything down; called once. */
  stop(): Promise<S>;
}

export interface LifecycleEvents {
  state: [to: LifecycleState, from: LifecycleState];
  /** A reload ended: its config applied, or not (unreadable, invalid, or applying it threw). Not emitted for one that stop preempted. */
  reloaded: [applied: boolean];
}

/** A storm of reload requests re-reads at most this many times in a row before one is applied. */
const MAX_SUPERSEDED_READS = 5;
/** A read that takes longer (a hung network file system) is given up: the reload is rejected, and the next one may work. */
export const LOAD_DEADLINE_MS = 15_000;

export class Lifecycle<C, S> extends EventEmitter<LifecycleEvents> {
  private current: LifecycleState = 'idle';
  /** A reload was asked for while one was reading: read again before applying. */
  private again = false;
  private reloading: Promise<void> | null = null;
  private stopping: Promise<S> | null = null;

  constructor(private readonly ops: LifecycleOps<C, S>, private readonly log: Logger, private readonly loadDeadlineMs: number = LOAD_DEADLINE_MS) {
    super();
  }

  get state(): LifecycleState {
    return this.current;
  }

  /** idle -> starting -> running; false (and nothing done) in any other state. */
  start(): boolean {
    if (this.current !== 'idle') return false;
    this.move('starting');
    this.ops.start();
    this.move('running');
    return true;
  }

  /** What the request did: began a reload, folded into the one under way, or nothing (not running). */
  requestReload(): 'begin' | 'coalesce' | 'ignore' {
    const effect = reloadRequestEffect(this.current);
    if (effect === 'begin') {
      this.move('reloading');
      this.reloading = this.reload();
    } else if (effect === 'coalesce') {
      this.again = true;
    }
    return effect;
  }

  /** Stop, from any state; every call returns the same promise. */
  stop(): Promise<S> {
    if (this.stopping !== null) return this.stopping;
    this.move('stopping');
    const done = (): void => this.move('stopped');
    this.stopping = this.ops.stop().then(
      (outcome) => {
        done();
        return outcome;
      },
      (e: unknown) => {
        done();
        throw e;
      },
    );
    return this.stopping;
  }

  /** Resolves when the reload under way, if any, has ended (applied, rejected or preempted). */
  async reloadSettled(): Promise<void> {
    await this.reloading;
  }

  private async reload(): Promise<void> {
    let superseded = 0;
    for (;;) {
      this.again = false;
      let config: C | null;
      try {
        config = await withDeadline(this.ops.load(), this.loadDeadlineMs);
      } catch (e) {
        this.log.error({ event: 'reload_failed', error: e instanceof Error ? e.message : String(e) }, 'reading the config for the reload failed; keeping the running config');
        config = null;
      }
      // Stop began while we read: it owns the agent now, and nothing more is applied.
      if (this.current !== 'reloading') return;
      if (this.again && superseded < MAX_SUPERSEDED_READS) {
        // Asked again while reading: the file may have changed since; read it again and apply once.
        superseded++;
        continue;
      }
      let applied = false;
      if (config !== null) {
        try {
          this.ops.apply(config);
          applied = true;
        } catch (e) {
          // A bug, but the agent must not stay in `reloading` (every later SIGHUP would fold into nothing).
          this.log.error({ event: 'reload_failed', error: e instanceof Error ? (e.stack ?? e.message) : String(e) }, 'applying the reloaded config failed');
        }
      }
      this.emit('reloaded', applied);
      if (!this.again) break;
      superseded = 0;
    }
    this.move('running');
  }

  private move(to: LifecycleState): void {
    const from = this.current;
    if (!canMove(from, to)) throw new Error(`lifecycle: ${from} -> ${to} is not allowed`);
    this.current = to;
    this.emit('state', to, from);
  }
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`reading the config took longer than ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
