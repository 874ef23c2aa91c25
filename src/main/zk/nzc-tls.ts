// TLS for node-zookeeper-client 1.1.3, which only speaks plain TCP (its PR #97 was never
// merged). This is the one place that swaps its socket: the client's ConnectionManager.connect()
// is replaced, on that one client, by the same steps with tls.connect() to the same host:port
// (the library's handlers are looked up on the manager when each socket is made, as its own
// connect does, so tracked-client.ts's hooks keep working). The handshake is written once the
// TLS handshake is done ('secureConnect', not 'connect'). test/main/zk/nzc-tls.test.ts fails
// if the library's connect() stops being what this copies.

import { isIP } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { Client } from 'node-zookeeper-client';

/** What each new connection is made with: read when it is made, so rotated files apply to the next one. */
export interface ZkTlsSocketOptions {
  readonly ca: Buffer | null;
  readonly cert: Buffer | null;
  readonly key: Buffer | null;
  readonly verifyHostname: boolean;
}

/** A socket error of ours: the server closed the connection before the TLS handshake was done. */
export const TLS_CLOSED_CODE = 'ZKW_TLS_CLOSED';

/** ConnectionManager.STATES.CONNECTING */
const CONNECTING = 1;

interface Manager {
  setState(state: number): void;
  findNextServer(callback: (server: { host: string; port: number | string }) => void): void;
  connect(): void;
  socket: unknown;
  connectTimeout: number;
  connectTimeoutHandler: NodeJS.Timeout | null;
  onSocketConnectTimeout(): void;
  onSocketConnected(): void;
  onSocketData(buffer: Buffer): void;
  onSocketDrain(): void;
  onSocketClosed(hadError: boolean): void;
  onSocketError(error: Error): void;
}

/**
 * Make every connection of `client` a TLS one, with the options `current()` gives at that moment.
 * `onError` hears each socket error with the server's host:port (the library keeps them to itself).
 */
export function useTlsSockets(client: Client, current: () => ZkTlsSocketOptions, onError?: (server: string, error: NodeJS.ErrnoException) => void): void {
  const m = (client as unknown as { connectionManager: Manager }).connectionManager;
  m.connect = function connect(this: Manager) {
    this.setState(CONNECTING);
    this.findNextServer((server) => {
      const socket = tlsConnect(connectionOptions(server.host, Number(server.port), current()));
      this.socket = socket;
      this.connectTimeoutHandler = setTimeout(this.onSocketConnectTimeout.bind(this), this.connectTimeout);
      socket.setNoDelay();
      let secure = false;
      socket.on('secureConnect', () => {
        secure = true;
      });
      socket.on('secureConnect', this.onSocketConnected.bind(this));
      socket.on('data', this.onSocketData.bind(this));
      socket.on('drain', this.onSocketDrain.bind(this));
      socket.on('close', this.onSocketClosed.bind(this));
      const libraryOnError = this.onSocketError.bind(this);
      socket.on('error', (raw: NodeJS.ErrnoException) => {
        // A hang-up during the TLS handshake is a plain-TCP port or a refused client certificate, not a reset.
        const error = !secure && (raw.code === 'ECONNRESET' || raw.code === 'EPIPE') ? tlsClosed(raw) : raw;
        onError?.(`${server.host}:${server.port}`, error);
        libraryOnError(error);
      });
    });
  }.bind(m);
}

function connectionOptions(host: string, port: number, o: ZkTlsSocketOptions): ConnectionOptions {
  return {
    host,
    port,
    // SNI takes a name only (RFC 6066); an address is checked against the certificate's IP names.
    ...(isIP(host) === 0 ? { servername: host } : {}),
    ...(o.ca === null ? {} : { ca: o.ca }),
    ...(o.cert === null || o.key === null ? {} : { cert: o.cert, key: o.key }),
    // The host of the connect string (Node checks the servername, or the host when there is none).
    checkServerIdentity: o.verifyHostname ? checkServerIdentity : () => undefined,
  };
}

function tlsClosed(cause: NodeJS.ErrnoException): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error('closed the connection during the TLS handshake', { cause });
  e.code = TLS_CLOSED_CODE;
  return e;
}
