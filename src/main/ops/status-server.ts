// --status-port: GET /metrics (Prometheus text) and GET /status (JSON) over plain
// node:http, on loopback unless told otherwise. Read-only: it changes nothing.

import { readlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { DurationHistogram } from '../../shared/args.js';
import { engineStall } from '../../shared/engine-liveness.js';
import { statusDocument } from '../../shared/status.js';
import type { DaemonView } from '../lifecycle/daemon-view.js';
import { AgentMetrics } from './metrics.js';

export interface StatusServerOptions {
  readonly port: number;
  readonly address: string;
  readonly daemon: DaemonView;
  readonly version: string;
  /** The [auth] password, blotted out of any check output we show. */
  readonly secret: string | null;
  readonly logger: Logger;
  readonly durationHistogram: DurationHistogram;
}

export class StatusServer {
  private readonly server: Server;
  private readonly metrics: AgentMetrics;

  constructor(private readonly options: StatusServerOptions) {
    this.metrics = new AgentMetrics(options.daemon, options.durationHistogram, options.version);
    this.server = createServer((req, res) => void this.handle(req, res));
    // A scraper that holds connections open must not keep the agent from exiting.
    this.server.keepAliveTimeout = 5000;
  }

  /** Listen, or reject with a message naming address:port. */
  listen(): Promise<AddressInfo> {
    const { port, address } = this.options;
    return new Promise((resolve, reject) => {
      this.server.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`cannot serve status on ${address}:${port}: ${e.code ?? e.message}`)));
      this.server.listen(port, address, () => {
        const bound = this.server.address() as AddressInfo;
        this.options.logger.info({ event: 'status_listening', address: bound.address, port: bound.port }, `serving /status and /metrics on ${bound.address}:${bound.port}`);
        resolve(bound);
      });
    });
  }

  close(): void {
    this.metrics.stop();
    this.server.close();
    this.server.closeAllConnections();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/livez' && (req.method === 'GET' || req.method === 'HEAD')) return this.live(res);
    if (path !== '/metrics' && path !== '/status') return send(res, 404, 'text/plain', 'not found: try /status or /metrics\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'text/plain', 'method not allowed: GET only\n');
    }
    try {
      if (path === '/metrics') return await this.streamMetrics(res);
      return send(res, 200, 'application/json', JSON.stringify(this.statusNow(), null, 2) + '\n');
    } catch (e) {
      this.options.logger.error({ event: 'status_request_failed', path, error: String(e) }, `serving ${path} failed`);
      // Part of a streamed body is out already: cut the connection, so the scraper sees a failed scrape, not a short one.
      if (res.headersSent) return void res.destroy();
      return send(res, 500, 'text/plain', 'internal error\n');
    }
  }

  /**
   * GET /livez (the image's HEALTHCHECK): 200 while the check engine runs, as systemd's watchdog
   * judges it, whatever ZooKeeper does; 503 and why not. The PID namespace in a header lets the
   * healthcheck tell our answer from another container's on a shared loopback (--network host).
   */
  private live(res: ServerResponse): void {
    const stall = engineStall(this.options.daemon.engine());
    if (PID_NAMESPACE !== null) res.setHeader('X-Zk-Watcher-Pid-Ns', PID_NAMESPACE);
    send(res, stall === null ? 200 : 503, 'text/plain', stall === null ? 'ok: the check engine runs\n' : `stuck: ${stall}\n`);
  }

  /** Sent as it is written (chunked), a slice of services at a time: see AgentMetrics.exposition. */
  private async streamMetrics(res: ServerResponse): Promise<void> {
    const pieces = this.metrics.exposition();
    // The first piece (prom-client's families) before the headers: a failure there is still a 500.
    const first = await pieces.next();
    res.writeHead(200, { 'Content-Type': this.metrics.contentType, 'Cache-Control': 'no-store' });
    if (res.req.method === 'HEAD') {
      await pieces.return(undefined);
      return void res.end();
    }
    if (first.done !== true) res.write(first.value);
    for await (const piece of pieces) {
      if (res.destroyed) return;
      // A slow scraper holds the rest back instead of the agent buffering it all.
      if (!res.write(piece)) await drainedOrClosed(res);
    }
    res.end();
  }

  private statusNow(): ReturnType<typeof statusDocument> {
    const d = this.options.daemon;
    return statusDocument(
      {
        version: this.options.version,
        pid: process.pid,
        sessionState: d.session().state,
        sessionId: d.session().id,
        startedAt: d.startedAt,
        now: Date.now(),
        hostMaintenance: d.hostMaintenance(),
        maintenanceDir: d.maintenanceDir,
        services: d.services(),
        maintenance: d.maintenance?.(),
        zkTlsClientCertValidTo: d.zkTlsClientCertValidTo?.() ?? null,
        zkTlsIdentity: d.zkTlsIdentity?.() ?? null,
      },
      this.options.secret,
    );
  }
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** `pid:[4026531836]`: the same for every process of a container, another for each container; null without /proc. */
const PID_NAMESPACE = ((): string | null => {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return null;
  }
})();

function send(res: ServerResponse, code: number, type: string, body: string): void {
  res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
