// The fleet simulation's arithmetic: when each host was whole again after a disruption (from
// the simulator's own view or the observer's), and what two mntr answers of one server say
// about the interval between them. Pure: values in, values out.

import { percentile } from '../proc-stats.js';

/** A host became whole (every node of it registered, or seen) or stopped being whole, at epoch ms t. */
export interface HostEvent {
  readonly t: number;
  readonly host: string;
  readonly whole: boolean;
}

/**
 * For every host that was not whole at some moment of [from, to] (already broken at `from`,
 * or broken within): ms from `from` until it was whole for the last time in the window;
 * Infinity for a host still broken at `to`. Hosts never broken are not listed.
 */
export function recoveries(events: readonly HostEvent[], from: number, to: number): Map<string, number> {
  const whole = new Map<string, boolean>();
  const out = new Map<string, number>();
  for (const e of [...events].sort((a, b) => a.t - b.t)) {
    if (e.t > to) break;
    if (e.t < from) {
      whole.set(e.host, e.whole);
      continue;
    }
    if (!out.has(e.host) && whole.get(e.host) === false) out.set(e.host, 0);
    whole.set(e.host, e.whole);
    if (!e.whole) out.set(e.host, Infinity);
    else if (out.has(e.host)) out.set(e.host, e.t - from);
  }
  // Broken before the window and never mended in it.
  for (const [host, w] of whole) if (!w && !out.has(host)) out.set(host, Infinity);
  return out;
}

export interface RecoverySummary {
  /** hosts not whole at some moment of the window */
  readonly hosts: number;
  /** of them, still not whole at its end */
  readonly notBack: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly lastMs: number;
}

export function summarize(times: ReadonlyMap<string, number>): RecoverySummary {
  const all = [...times.values()];
  const back = all.filter(Number.isFinite);
  return {
    hosts: all.length,
    notBack: all.length - back.length,
    p50Ms: percentile(back, 50),
    p99Ms: percentile(back, 99),
    lastMs: back.length === 0 ? NaN : Math.max(...back),
  };
}

/** One observer round: its total, and the hosts whose count changed; or a round that failed. */
export type ObserverRound = { readonly t: number; readonly total: number; readonly changes: Readonly<Record<string, number>> } | { readonly t: number; readonly error: string };

/** The observer's rounds as host events: a host is whole when all `services` of its nodes are seen. */
export function observerEvents(rounds: readonly ObserverRound[], services: number): HostEvent[] {
  const out: HostEvent[] = [];
  const whole = new Map<string, boolean>();
  for (const r of rounds) {
    if (!('changes' in r)) continue;
    for (const [host, n] of Object.entries(r.changes)) {
      const w = n === services;
      if (whole.get(host) === w) continue;
      whole.set(host, w);
      out.push({ t: r.t, host, whole: w });
    }
  }
  return out;
}

/** The observer's view of a window: the fewest nodes a round saw, and when it saw all of them again for good (ms from `from`). */
export function observedWindow(rounds: readonly ObserverRound[], from: number, to: number, want: number): { minSeen: number; failedRounds: number; allSeenMs: number } {
  let minSeen = Infinity;
  let failedRounds = 0;
  let allSeenAt = NaN;
  let broken = false;
  for (const r of rounds) {
    if (r.t < from || r.t > to) continue;
    if (!('total' in r)) {
      failedRounds++;
      broken = true;
      allSeenAt = NaN;
      continue;
    }
    minSeen = Math.min(minSeen, r.total);
    if (r.total !== want) {
      broken = true;
      allSeenAt = NaN;
    } else if (Number.isNaN(allSeenAt)) allSeenAt = r.t;
  }
  // Never broken in the window: all were seen from its start.
  return { minSeen: Number.isFinite(minSeen) ? minSeen : NaN, failedRounds, allSeenMs: broken ? allSeenAt - from : 0 };
}

/** What one server did between two of its mntr answers (`dtS` seconds apart); null when it restarted in between. */
export interface IntervalFigures {
  readonly packetsReceivedPerSecond: number;
  /** committed proposals (writes, session creates and closes): counted by the leader */
  readonly proposalsPerSecond: number;
  /** mean latency of the reads and updates answered in the interval, ms (NaN without any) */
  readonly avgLatencyMs: number;
  readonly requests: number;
  readonly outstanding: number;
  readonly connections: number;
  readonly watches: number;
  readonly znodes: number;
}

type Mntr = Readonly<Record<string, string>>;
const num = (m: Mntr, key: string): number => Number(m[key] ?? NaN);

export function intervalFigures(prev: Mntr, cur: Mntr, dtS: number): IntervalFigures | null {
  // Counters start again from zero when a server restarts.
  if (num(cur, 'zk_uptime') < num(prev, 'zk_uptime') || num(cur, 'zk_packets_received') < num(prev, 'zk_packets_received')) return null;
  const d = (key: string) => Math.max(0, num(cur, key) - num(prev, key));
  const requests = d('zk_cnt_readlatency') + d('zk_cnt_updatelatency');
  const latencySum = d('zk_sum_readlatency') + d('zk_sum_updatelatency');
  return {
    packetsReceivedPerSecond: d('zk_packets_received') / dtS,
    proposalsPerSecond: d('zk_proposal_count') / dtS,
    avgLatencyMs: requests > 0 ? latencySum / requests : NaN,
    requests,
    outstanding: num(cur, 'zk_outstanding_requests'),
    // the mntr connection itself is one of them
    connections: num(cur, 'zk_num_alive_connections') - 1,
    watches: num(cur, 'zk_watch_count'),
    znodes: num(cur, 'zk_znode_count'),
  };
}

/** The ensemble over one interval: servers that answered both rounds, summed (latency: the requests' mean over all). */
export function ensembleInterval(servers: ReadonlyArray<IntervalFigures | null>): IntervalFigures | null {
  const up = servers.filter((s): s is IntervalFigures => s !== null);
  if (up.length === 0) return null;
  const sum = (f: (s: IntervalFigures) => number) => up.reduce((a, s) => a + f(s), 0);
  const requests = sum((s) => s.requests);
  const weighted = up.filter((s) => s.requests > 0).reduce((a, s) => a + s.avgLatencyMs * s.requests, 0);
  return {
    packetsReceivedPerSecond: sum((s) => s.packetsReceivedPerSecond),
    proposalsPerSecond: sum((s) => s.proposalsPerSecond),
    avgLatencyMs: requests > 0 ? weighted / requests : NaN,
    requests,
    outstanding: sum((s) => s.outstanding),
    connections: sum((s) => s.connections),
    watches: sum((s) => s.watches),
    znodes: Math.max(...up.map((s) => s.znodes)),
  };
}

/** For each of `hosts`: ms from `from` until the first round that saw none of its nodes (Infinity: never within `to`). */
export function goneTimes(rounds: readonly ObserverRound[], hosts: readonly string[], from: number, to: number): Map<string, number> {
  const out = new Map(hosts.map((h) => [h, Infinity]));
  for (const r of rounds) {
    if (r.t < from || r.t > to || !('changes' in r)) continue;
    for (const [host, n] of Object.entries(r.changes)) if (n === 0 && out.get(host) === Infinity) out.set(host, r.t - from);
  }
  return out;
}
