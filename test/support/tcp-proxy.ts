// A loopback TCP proxy for partition tests: clients connect to 127.0.0.1:proxy.port and
// are forwarded to 127.0.0.1:targetPort; setMode() changes what the "network" does.
import { connect, type Server, type Socket } from 'node:net';
import { freePort, listenOnLoopback } from './ports.js';

export type ProxyMode =
  /** forward bytes both ways; a new connection opens a fresh upstream connection (if the target is down the client's connection is closed right after it was accepted) */
  | 'pass'
  /** half-open partition: all sockets stay open, every byte (and close) in either direction is silently dropped; new connections are accepted but never reach the target; leaving this mode resets every connection that was silenced (their byte streams are broken) */
  | 'silent'
  /** short blip: stop reading on both sides so bytes wait in kernel buffers (TCP backpressure); new connections are accepted but held; on 'pass' everything resumes intact, as after a brief real outage */
  | 'pause'
  /** host down: the listener is closed (new connections get ECONNREFUSED) and every existing connection is reset (RST) on both sides; 'pass' listens again on the same port */
  | 'refuse'
  /** every existing connection is reset (RST) on both sides and each new one is reset right after it is accepted (ECONNRESET) */
  | 'reset';

export interface TcpProxy {
  readonly port: number;
  /** '127.0.0.1:PORT' */
  readonly connectString: string;
  readonly targetPort: number;
  readonly mode: ProxyMode;
  /** client connections currently held */
  readonly connections: number;
  /** switches mode; resolves when in effect (for 'pass' after 'refuse': when listening again) */
  setMode(mode: ProxyMode): Promise<void>;
  /** closes the listener and destroys every connection */
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket | undefined;
  /** bytes dropped (mode 'silent' was applied): must be reset when leaving 'silent' */
  silenced: boolean;
  /** reading stopped (mode 'pause') */
  paused: boolean;
}

const rst = (s: Socket | undefined) => {
  if (!s || s.destroyed) return;
  try {
    s.resetAndDestroy();
  } catch {
    s.destroy();
  }
};

class LoopbackProxy implements TcpProxy {
  mode: ProxyMode;
  private server: Server | undefined;
  private readonly pairs = new Set<Pair>();
  private closed = false;

  constructor(
    readonly port: number,
    readonly targetPort: number,
    mode: ProxyMode,
  ) {
    this.mode = mode;
  }

  get connectString(): string {
    return `127.0.0.1:${this.port}`;
  }

  get connections(): number {
    return [...this.pairs].filter((p) => !p.client.destroyed).length;
  }

  async listen(): Promise<void> {
    this.server = await listenOnLoopback(this.port, (sock) => this.onConnection(sock));
  }

  private closeListener(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  private onConnection(client: Socket): void {
    client.setNoDelay(true);
    client.on('error', () => {
      /* surfaced as close */
    });
    if (this.closed || this.mode === 'reset' || this.mode === 'refuse') {
      rst(client);
      return;
    }
    const pair: Pair = { client, upstream: undefined, silenced: false, paused: false };
    this.pairs.add(pair);
    client.on('data', (d: Buffer) => {
      if (!pair.silenced) pair.upstream?.write(d);
    });
    client.on('close', () => {
      // A silenced pair stays listed (its upstream is torn down when 'silent' ends).
      if (pair.silenced) return;
      this.pairs.delete(pair);
      pair.upstream?.destroy();
    });
    if (this.mode === 'silent') {
      pair.silenced = true;
    } else if (this.mode === 'pause') {
      pair.paused = true;
      client.pause();
    } else {
      this.openUpstream(pair);
    }
  }

  private openUpstream(pair: Pair): void {
    const up = connect({ host: '127.0.0.1', port: this.targetPort });
    up.setNoDelay(true);
    pair.upstream = up;
    up.on('error', () => {
      /* surfaced as close */
    });
    up.on('data', (d: Buffer) => {
      if (!pair.silenced) pair.client.write(d);
    });
    up.on('close', () => {
      if (!pair.silenced && pair.upstream === up) pair.client.destroy();
    });
  }

  async setMode(mode: ProxyMode): Promise<void> {
    if (this.closed) throw new Error('tcp-proxy: closed');
    const prev = this.mode;
    this.mode = mode;
    if (mode === prev) return;
    // Leaving 'silent': the silenced connections lost bytes; reset them.
    if (prev === 'silent') {
      for (const p of [...this.pairs]) {
        if (p.silenced) this.resetPair(p);
      }
    }
    switch (mode) {
      case 'pass':
        if (!this.server) await this.listen();
        for (const p of this.pairs) {
          if (!p.paused) continue;
          p.paused = false;
          if (!p.upstream) this.openUpstream(p);
          p.upstream?.resume();
          p.client.resume();
        }
        break;
      case 'silent':
        for (const p of this.pairs) {
          p.silenced = true;
          if (p.paused) {
            p.paused = false;
            p.client.resume();
            p.upstream?.resume();
          }
        }
        break;
      case 'pause':
        for (const p of this.pairs) {
          p.paused = true;
          p.client.pause();
          p.upstream?.pause();
        }
        break;
      case 'refuse':
        for (const p of [...this.pairs]) this.resetPair(p);
        await this.closeListener();
        break;
      case 'reset':
        if (!this.server) await this.listen();
        for (const p of [...this.pairs]) this.resetPair(p);
        break;
    }
  }

  private resetPair(p: Pair): void {
    this.pairs.delete(p);
    p.silenced = true; // no forwarding of the teardown through the other side's handlers
    rst(p.upstream);
    rst(p.client);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of [...this.pairs]) {
      this.pairs.delete(p);
      p.silenced = true;
      p.upstream?.destroy();
      p.client.destroy();
    }
    await this.closeListener();
  }
}

/**
 * Starts a proxy on a free loopback port forwarding to 127.0.0.1:targetPort (mode 'pass'
 * unless opts.mode). Give clients `proxy.connectString` instead of the server's.
 */
export async function startProxy(targetPort: number, opts: { mode?: ProxyMode } = {}): Promise<TcpProxy> {
  const mode = opts.mode ?? 'pass';
  let lastErr: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const proxy = new LoopbackProxy(await freePort(), targetPort, mode);
    try {
      if (mode !== 'refuse') await proxy.listen();
      return proxy;
    } catch (e) {
      lastErr = e; // port taken between choosing and binding: choose another
    }
  }
  throw new Error(`tcp-proxy: could not listen: ${(lastErr as Error)?.message}`);
}
