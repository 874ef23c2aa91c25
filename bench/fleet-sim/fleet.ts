// The simulated fleet: hosts host-<k>.fleet-sim, each a SimHost, in this one process. It
// records every moment a host became whole or stopped being so (epoch ms), which the
// scenario reads per phase.

import type { Logger } from 'pino';
import type { HostEvent } from './figures.js';
import { SimHost } from './sim-host.js';
import { peakPerSecond } from '../scenarios/storm.js';

export interface FleetSpec {
  readonly services: number;
  readonly refreshMs: number;
  readonly sessionTimeoutMs: number;
  readonly root: string;
  readonly jitter: boolean;
  readonly writesPerSecond: number | null;
  /** host k's connect string (spread over the members, or through a proxy) */
  readonly connectString: (k: number) => string;
  readonly logger: Logger;
}

export const hostName = (k: number): string => `host-${k}.fleet-sim`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class SimFleet {
  readonly hosts: SimHost[] = [];
  readonly events: HostEvent[] = [];
  /** when each successful write of any host was answered (epoch ms, in order) */
  readonly writes: number[] = [];
  private wholeHosts = 0;

  constructor(private readonly spec: FleetSpec) {}

  /** Start hosts until there are `n`, at once. */
  grow(n: number): void {
    for (let k = this.hosts.length; k < n; k++) {
      const host = new SimHost({
        hostname: hostName(k),
        connectString: this.spec.connectString(k),
        root: this.spec.root,
        services: this.spec.services,
        refreshMs: this.spec.refreshMs,
        sessionTimeoutMs: this.spec.sessionTimeoutMs,
        writesPerSecond: this.spec.writesPerSecond,
        jitter: this.spec.jitter,
        logger: this.spec.logger,
        onWhole: (h, whole) => {
          this.wholeHosts += whole ? 1 : -1;
          this.events.push({ t: Date.now(), host: h.hostname, whole });
        },
        onWrite: () => this.writes.push(Date.now()),
      });
      this.hosts.push(host);
      host.start();
    }
  }

  get whole(): number {
    return this.wholeHosts;
  }

  /** Nodes every host holds confirmed. */
  get registered(): number {
    let n = 0;
    for (const h of this.hosts) n += h.registered;
    return n;
  }

  /** The fleet's successful writes in [from, to]: the most within any 1000 ms, and all of them. */
  writesIn(from: number, to: number): { peakPerSecond: number; total: number } {
    const times = this.writes.filter((t) => t >= from && t <= to);
    return { peakPerSecond: peakPerSecond(times), total: times.length };
  }

  get sessionsLost(): number {
    return this.hosts.reduce((a, h) => a + h.sessionsLost, 0);
  }

  /** Resolves once every host is whole (and `also` holds); throws after `deadlineMs`, saying how far it got. */
  async waitWhole(what: string, deadlineMs: number, also: () => boolean = () => true): Promise<void> {
    const until = performance.now() + deadlineMs;
    while (!(this.wholeHosts === this.hosts.length && also())) {
      if (performance.now() > until) {
        throw new Error(`${what}: after ${Math.round(deadlineMs / 1000)} s, ${this.wholeHosts} of ${this.hosts.length} hosts whole, ${this.registered} of ${this.hosts.length * this.spec.services} nodes confirmed`);
      }
      await sleep(100);
    }
  }

  /** Every host closes its session (ZooKeeper drops their nodes); a hundred at a time. */
  async stop(): Promise<void> {
    for (let i = 0; i < this.hosts.length; i += 100) await Promise.all(this.hosts.slice(i, i + 100).map((h) => h.stop()));
  }
}
