// Samples the ensemble (`mntr` of every member) and the fleet's two views of its nodes
// every few hundred ms, for the whole run: the over-time figures of the fleet bench.

import { connect } from 'node:net';
import { ensembleInterval, intervalFigures, type IntervalFigures } from './figures.js';

export interface Sample {
  /** epoch ms */
  readonly t: number;
  /** the ensemble over the interval since the previous sample; null when no member answered twice */
  readonly ensemble: IntervalFigures | null;
  /** members that answered mntr */
  readonly up: number;
  /** nodes the simulated hosts hold confirmed */
  readonly simRegistered: number;
  /** nodes the observer saw in its latest round */
  readonly observed: number;
}

export interface Member {
  readonly host: string;
  readonly port: number;
}

type Mntr = Record<string, string>;

/** A four-letter word to host:port, with a deadline. */
export function fourLetter(m: Member, cmd: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock = connect({ host: m.host, port: m.port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`${cmd} to ${m.host}:${m.port}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on('connect', () => sock.write(cmd));
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

export async function mntr(m: Member): Promise<Mntr | null> {
  try {
    const out: Mntr = {};
    for (const line of (await fourLetter(m, 'mntr')).split('\n')) {
      const tab = line.indexOf('\t');
      if (tab > 0) out[line.slice(0, tab)] = line.slice(tab + 1).trim();
    }
    return 'zk_version' in out ? out : null;
  } catch {
    return null;
  }
}

export class Sampler {
  readonly samples: Sample[] = [];
  private readonly last: Array<{ at: number; m: Mntr } | null>;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;

  constructor(
    readonly members: readonly Member[],
    private readonly everyMs: number,
    private readonly views: () => { simRegistered: number; observed: number },
  ) {
    this.last = members.map(() => null);
  }

  start(): void {
    const tick = async (): Promise<void> => {
      if (this.stopped) return;
      const began = performance.now();
      await this.sampleOnce();
      if (!this.stopped) this.timer = setTimeout(() => void tick(), Math.max(0, this.everyMs - (performance.now() - began)));
    };
    void tick();
  }

  /** One round now (the rounds never overlap: a slow one delays the next). */
  async sampleOnce(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const answers = await Promise.all(this.members.map((m) => mntr(m)));
      const at = performance.now();
      const per = answers.map((m, i) => {
        const prev = this.last[i];
        this.last[i] = m === null ? null : { at, m };
        return m === null || prev === null || prev === undefined ? null : intervalFigures(prev.m, m, (at - prev.at) / 1000);
      });
      this.samples.push({ t: Date.now(), ensemble: ensembleInterval(per), up: answers.filter((a) => a !== null).length, ...this.views() });
    } finally {
      this.running = false;
    }
  }

  /** The latest answer of every member that answered (null for the others). */
  latest(): ReadonlyArray<Mntr | null> {
    return this.last.map((l) => l?.m ?? null);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
