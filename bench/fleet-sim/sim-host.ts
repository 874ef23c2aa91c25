// One simulated host of the fleet bench: the agent's own ZooKeeper session (its client, pings
// and liveness rules), registration table and write limiter, over a real TCP connection.
// Only the checks are synthetic: every service passes, and its result arrives at the
// configured refresh, when the host hands the registrar its whole table again, as the
// daemon does. It reports each time it becomes whole (connected, every node confirmed
// registered) or stops being whole.

import type { Logger } from 'pino';
import { Registrar, type WantedNode } from '../../src/main/zk/registrar.js';
import { ZkSession } from '../../src/main/zk/session.js';
import { encodePayload, znodePath } from '../../src/shared/znode.js';

export interface SimHostOptions {
  readonly hostname: string;
  readonly connectString: string;
  /** the fleet's parent: services are ROOT/svc-0 .. ROOT/svc-(services-1) */
  readonly root: string;
  readonly services: number;
  readonly refreshMs: number;
  readonly sessionTimeoutMs: number;
  /** the agent's write cap (--max-writes-per-second; burst twice that); null: no cap */
  readonly writesPerSecond: number | null;
  /** the agent's random wait (0-2 s) before re-creating nodes under a new session; false: none */
  readonly jitter: boolean;
  readonly logger: Logger;
  readonly onWhole: (host: SimHost, whole: boolean) => void;
  /** a write of this host's (create, update, delete, takeover) that ZooKeeper answered with success */
  readonly onWrite: () => void;
}

const WRITES = ['createEphemeral', 'createPersistent', 'setData', 'remove', 'replaceEphemeral'] as const;

/** Large enough never to hold a write back: the cap turned off. */
const NO_CAP = 1e9;

export class SimHost {
  readonly session: ZkSession;
  readonly registrar: Registrar;
  whole = false;
  /** sessions this host lost (expired, or given up by the agent's rules) */
  sessionsLost = 0;
  private readonly table = new Map<string, WantedNode>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly o: SimHostOptions) {
    const log = o.logger.child({ host: o.hostname });
    this.session = new ZkSession({
      connectString: o.connectString,
      sessionTimeoutMs: o.sessionTimeoutMs,
      auth: null,
      writesPerSecond: o.writesPerSecond ?? NO_CAP,
      writeBurst: o.writesPerSecond === null ? NO_CAP : 2 * o.writesPerSecond,
      logger: log,
    });
    // Counted from outside, as they succeed: the session's own code is what runs.
    const session = this.session as unknown as Record<(typeof WRITES)[number], (...args: unknown[]) => Promise<unknown>>;
    for (const name of WRITES) {
      const write = session[name].bind(this.session);
      session[name] = async (...args) => {
        const result = await write(...args);
        o.onWrite();
        return result;
      };
    }
    this.registrar = new Registrar(this.session, log, o.jitter ? undefined : 0);
    const created = new Date();
    for (let j = 0; j < o.services; j++) {
      const payload = Buffer.from(encodePayload(process.pid, created, { kind: 'object', value: { kind: 'object', entries: [] } }));
      this.table.set(znodePath(`${o.root}/svc-${j}`, o.hostname, 8000 + j), { data: payload, log });
    }
    this.registrar.on('confirmed', () => this.check());
    this.session.on('disconnected', () => this.check());
    this.session.on('lost', () => {
      this.sessionsLost++;
      this.check();
    });
  }

  get hostname(): string {
    return this.o.hostname;
  }

  get registered(): number {
    return this.registrar.registeredCount;
  }

  start(): void {
    this.session.start();
    this.registrar.setTable(this.table);
    // Every service passes; its results arrive every refresh, from a random point on.
    const tick = (): void => {
      if (this.stopped) return;
      this.registrar.setTable(this.table);
      this.timer = setTimeout(tick, this.o.refreshMs);
    };
    this.timer = setTimeout(tick, Math.random() * this.o.refreshMs);
  }

  /** Whole: connected, and ZooKeeper confirmed every node of ours under this session. */
  private check(): void {
    const whole = !this.stopped && this.session.state === 'connected' && this.registrar.registeredCount === this.o.services;
    if (whole === this.whole) return;
    this.whole = whole;
    this.o.onWhole(this, whole);
  }

  /** Gone at once: the session is closed, and ZooKeeper removes our nodes with it. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.registrar.close();
    await this.session.close(2000);
  }
}
