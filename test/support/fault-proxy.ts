// A loopback TCP proxy in front of one ZooKeeper server, whose "network" can hold, delay or
// reset traffic in each direction: `up` is client to server, `down` server to client.
//  - hold: bytes wait, in order, until the fault ends, then go through (a DROP that TCP's
//    retransmission later heals; a connection made meanwhile is accepted, like a black hole
//    behind a stateful firewall, and its bytes wait too);
//  - delay D: each chunk goes through D ms after it arrived, in order;
//  - reset(): every connection gets a RST now.
import { connect, type Server, type Socket } from 'node:net';
import { freePort, listenOnLoopback } from './ports.js';

export type Direction = 'up' | 'down';
export type Fault = { readonly kind: 'pass' } | { readonly kind: 'hold' } | { readonly kind: 'delay'; readonly ms: number };

export interface FaultProxy {
  readonly port: number;
  /** '127.0.0.1:PORT' */
  readonly connectString: string;
  readonly targetPort: number;
  setFault(direction: Direction | 'both', fault: Fault): void;
  /** RST every connection held now. */
  reset(): void;
  readonly connections: number;
  close(): Promise<void>;
}

interface Chunk {
  readonly data: Buffer;
  releaseAt: number;
}

/** One direction of one connection: a queue that releases chunks in order when their time comes. */
class Pipe {
  private readonly queue: Chunk[] = [];
  private timer: NodeJS.Timeout | undefined;
  ended = false;

  constructor(
    private readonly out: Socket,
    private fault: () => Fault,
    private readonly onDrained: () => void,
  ) {}

  push(data: Buffer): void {
    const f = this.fault();
    this.queue.push({ data, releaseAt: releaseTime(f, performance.now()) });
    this.flush();
  }

  /** The fault changed: held chunks get the new rule's time. */
  refault(): void {
    const now = performance.now();
    const f = this.fault();
    for (const c of this.queue) if (c.releaseAt === Infinity) c.releaseAt = releaseTime(f, now);
    this.flush();
  }

  get empty(): boolean {
    return this.queue.length === 0;
  }

  flush(): void {
    clearTimeout(this.timer);
    const now = performance.now();
    while (this.queue.length > 0 && this.queue[0]!.releaseAt <= now) {
      const c = this.queue.shift()!;
      if (!this.out.destroyed) this.out.write(c.data);
    }
    if (this.queue.length > 0) {
      const next = this.queue[0]!.releaseAt;
      if (next !== Infinity) this.timer = setTimeout(() => this.flush(), Math.max(1, next - now));
    } else if (this.ended) {
      this.onDrained();
    }
  }

  drop(): void {
    clearTimeout(this.timer);
    this.queue.length = 0;
  }
}

function releaseTime(f: Fault, now: number): number {
  if (f.kind === 'pass') return now;
  if (f.kind === 'hold') return Infinity;
  return now + f.ms;
}

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  readonly up: Pipe;
  readonly down: Pipe;
}

const rst = (s: Socket): void => {
  if (s.destroyed) return;
  try {
    s.resetAndDestroy();
  } catch {
    s.destroy();
  }
};

class Proxy implements FaultProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<Pair>();
  private readonly faults: Record<Direction, Fault> = { up: { kind: 'pass' }, down: { kind: 'pass' } };

  constructor(
    readonly port: number,
    readonly targetPort: number,
  ) {}

  get connectString(): string {
    return `127.0.0.1:${this.port}`;
  }

  get connections(): number {
    return this.pairs.size;
  }

  async listen(): Promise<void> {
    this.server = await listenOnLoopback(this.port, (sock) => this.onConnection(sock));
  }

  private onConnection(client: Socket): void {
    client.setNoDelay(true);
    const upstream = connect({ host: '127.0.0.1', port: this.targetPort });
    upstream.setNoDelay(true);
    const teardown = (): void => {
      if (!this.pairs.delete(pair)) return;
      pair.up.drop();
      pair.down.drop();
      client.destroy();
      upstream.destroy();
    };
    const pair: Pair = {
      client,
      upstream,
      up: new Pipe(upstream, () => this.faults.up, teardown),
      down: new Pipe(client, () => this.faults.down, teardown),
    };
    this.pairs.add(pair);
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
    client.on('data', (d: Buffer) => pair.up.push(d));
    upstream.on('data', (d: Buffer) => pair.down.push(d));
    // The client hung up: nothing it sent later matters. The server hung up: the client learns once what it sent before has arrived.
    client.on('close', teardown);
    upstream.on('close', () => {
      pair.down.ended = true;
      if (pair.down.empty) teardown();
    });
  }

  setFault(direction: Direction | 'both', fault: Fault): void {
    for (const d of direction === 'both' ? (['up', 'down'] as const) : [direction]) this.faults[d] = fault;
    for (const p of this.pairs) {
      p.up.refault();
      p.down.refault();
    }
  }

  reset(): void {
    for (const p of [...this.pairs]) {
      this.pairs.delete(p);
      p.up.drop();
      p.down.drop();
      rst(p.client);
      rst(p.upstream);
    }
  }

  async close(): Promise<void> {
    this.reset();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}

/** A proxy on a free loopback port in front of 127.0.0.1:targetPort, passing everything. */
export async function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  let lastErr: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const proxy = new Proxy(await freePort(), targetPort);
    try {
      await proxy.listen();
      return proxy;
    } catch (e) {
      lastErr = e; // taken between choosing and binding: choose another
    }
  }
  throw new Error(`fault-proxy: could not listen: ${(lastErr as Error)?.message}`);
}
