// What an ensemble's `mntr` answers say about the load on it, over a window. Pure.

/** One round of `mntr`, one parsed answer per server (in myid order). */
export interface MntrRound {
  /** performance.now() when the round was taken */
  readonly at: number;
  readonly servers: ReadonlyArray<Readonly<Record<string, string>>>;
}

export interface EnsembleLoad {
  readonly seconds: number;
  /** client packets (requests and pings) the servers received, per second, summed */
  readonly packetsReceivedPerSecond: number;
  readonly packetsSentPerSecond: number;
  /** client connections at the end, per server (the 4lw connection itself not counted) */
  readonly connections: readonly number[];
  /** watches at the end, per server (a watch lives on the server its client is connected to) */
  readonly watches: readonly number[];
  /** the data tree is replicated: the largest member's figure */
  readonly znodes: number;
  readonly ephemerals: number;
  readonly dataBytes: number;
  /** since the stats were reset (srst) at the window's start: the worst member's */
  readonly avgLatencyMs: number;
  readonly maxLatencyMs: number;
  /** the most requests any member had queued at any round */
  readonly outstandingMax: number;
}

export const value = (m: Readonly<Record<string, string>>, key: string): number => {
  const v = m[key];
  return v === undefined ? NaN : Number(v);
};

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * `first` and `last` bound the window; `rounds` are every round taken in it (both ends
 * included). `mntr` counts its own connection among the alive ones: `selfConnections`
 * (1) is taken off each server's figure.
 */
export function ensembleLoad(rounds: readonly MntrRound[], selfConnections = 1): EnsembleLoad {
  if (rounds.length < 2) throw new Error('ensembleLoad: needs at least two mntr rounds');
  const first = rounds[0]!;
  const last = rounds.at(-1)!;
  const seconds = (last.at - first.at) / 1000;
  const delta = (key: string) => sum(last.servers.map((m, i) => value(m, key) - value(first.servers[i]!, key)));
  const most = (key: string) => Math.max(...last.servers.map((m) => value(m, key)));
  return {
    seconds,
    packetsReceivedPerSecond: delta('zk_packets_received') / seconds,
    packetsSentPerSecond: delta('zk_packets_sent') / seconds,
    connections: last.servers.map((m) => value(m, 'zk_num_alive_connections') - selfConnections),
    watches: last.servers.map((m) => value(m, 'zk_watch_count')),
    znodes: most('zk_znode_count'),
    ephemerals: most('zk_ephemerals_count'),
    dataBytes: most('zk_approximate_data_size'),
    avgLatencyMs: most('zk_avg_latency'),
    maxLatencyMs: most('zk_max_latency'),
    outstandingMax: Math.max(...rounds.flatMap((r) => r.servers.map((m) => value(m, 'zk_outstanding_requests')))),
  };
}
