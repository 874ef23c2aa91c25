// The `grpc:` check: grpc.health.v1.Health/Check for grpc_service, plaintext or TLS, within
// the check's timeout. @grpc/grpc-js is loaded the first time a grpc check runs in this
// worker, so a config without one never pays for it (~9.5 MB of RSS per thread that loads it, measured).
// A channel (one HTTP/2 connection) per target and TLS settings is kept and reused by the
// next checks, as a gRPC client is meant to be used: a handshake per check would cost the
// server more than the check. Channels unused for a while, or beyond a bound, are closed when
// the next grpc check runs, with their sockets destroyed if they are still connecting.

import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type * as GrpcModule from '@grpc/grpc-js';
import { formatTcpTarget } from '../shared/check-target.js';
import { HEALTH_CHECK_PATH, decodeHealthCheckResponse, encodeHealthCheckRequest } from '../shared/grpc-health-proto.js';
import type { GrpcCheck, TlsOptions } from '../shared/types.js';
import { describeErrorText } from './net-error.js';
import { elapsed, quoted, timedOut, type NetOutcome } from './net-outcome.js';
import { tlsConnectOptions } from './tls-context.js';

/** How many channels are kept and how long one unused is kept (exported so a test can lower them). */
export const channelLimits = {
  /** Past this many targets, the least recently used channel is closed (one lane serves every service). */
  maxChannels: 256,
  /** A channel no check used for this long is closed when the next grpc check runs. */
  idleMs: 10 * 60_000,
};
/** grpc-js drops an idle channel's connection after this, so a forgotten channel holds no socket. */
const CONNECTION_IDLE_MS = 60_000;

interface Channel {
  readonly client: GrpcModule.Client;
  lastUsed: number;
}

let grpc: typeof GrpcModule | undefined;
/** In order of last use, oldest first. */
const channels = new Map<string, Channel>();
/** The channel key whose work (connecting included, however late) runs in this async context. */
const channelContext = new AsyncLocalStorage<string>();
/** The TCP sockets grpc-js opened for each channel, open ones only. */
const socketsOf = new Map<string, Set<Socket>>();

/** Whether grpc-js has been loaded in this thread (for tests of the footprint). */
export function grpcLoaded(): boolean {
  return grpc !== undefined;
}

/** Passes when the server answers SERVING for check.service within timeoutMs. */
export function checkGrpc(check: GrpcCheck, timeoutMs: number, tls?: TlsOptions): Promise<NetOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    let call: GrpcModule.ClientUnaryCall | undefined;
    let key: string | undefined;
    const finish = (passed: boolean, reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ passed, reason, durationMs: elapsed(started), outputTail: '' });
    };
    // Our own clock, started before anything else (the CA read included), as well as grpc's deadline:
    // the outcome is due at timeoutMs whatever the file system or the library does.
    const timer = setTimeout(() => {
      call?.cancel();
      if (key !== undefined) dropChannelUnlessConnecting(key);
      finish(false, timedOut(timeoutMs));
    }, timeoutMs);
    const start = async (): Promise<void> => {
      // require(), not import(): grpc-js is CommonJS, and an ESM import would run Node's export lexer over it (issue 13).
      if (grpc === undefined) {
        grpc = createRequire(import.meta.url)('@grpc/grpc-js') as typeof GrpcModule;
        subscribe('net.client.socket', trackSocket);
      }
      const g = grpc;
      let credentials: GrpcModule.ChannelCredentials;
      let channelKey = `${formatTcpTarget(check.target)}|plain`;
      const channelOptions: GrpcModule.ChannelOptions = { 'grpc.client_idle_timeout_ms': CONNECTION_IDLE_MS };
      if (!check.tls) {
        credentials = g.credentials.createInsecure();
      } else {
        const got = await tlsConnectOptions(tls);
        if ('problem' in got) return finish(false, got.problem);
        credentials = g.credentials.createSsl(got.caPem ?? null, null, null, { rejectUnauthorized: got.rejectUnauthorized });
        if (got.servername !== undefined) channelOptions['grpc.ssl_target_name_override'] = got.servername;
        channelKey = `${formatTcpTarget(check.target)}|tls|${got.servername ?? ''}|${got.rejectUnauthorized}|${got.caStamp}`;
      }
      // Timed out while the CA was read: no channel for a check already over.
      if (settled) return;
      key = channelKey;
      const client = channelFor(g, channelKey, check, credentials, channelOptions);
      const remaining = Math.max(1, timeoutMs - (performance.now() - started));
      // In the channel's context, so the sockets grpc-js opens for it (asynchronously) are known as its own.
      call = channelContext.run(channelKey, () => client.makeUnaryRequest(
        HEALTH_CHECK_PATH,
        (service: string) => Buffer.from(encodeHealthCheckRequest(service)),
        (bytes: Buffer) => decodeHealthCheckResponse(bytes),
        check.service,
        new g.Metadata(),
        { deadline: Date.now() + remaining },
        (error, reply) => {
          if (error) {
            // A server that answered (NOT_FOUND, UNIMPLEMENTED…) keeps its channel. Without an answer, the next check
            // starts afresh: grpc-js would otherwise fail it at once until its reconnect backoff (up to 120 s) ran out,
            // long after the server was back.
            if (!serverAnswered(g, error.code)) dropChannelUnlessConnecting(channelKey);
            return finish(false, describeGrpcError(g, error, check.service, timeoutMs));
          }
          if (reply === undefined) return finish(false, 'no reply');
          if ('problem' in reply) return finish(false, `the reply is not a HealthCheckResponse: ${reply.problem}`);
          finish(reply.status === 'SERVING', reply.status);
        },
      ));
    };
    start().catch((e: unknown) => finish(false, describeErrorText(e instanceof Error ? e.message : String(e))));
  });
}

/** Status codes a server sends itself: the connection works, so the channel is kept. */
function serverAnswered(g: typeof GrpcModule, code: number): boolean {
  const s = g.status;
  return [s.INVALID_ARGUMENT, s.NOT_FOUND, s.PERMISSION_DENIED, s.RESOURCE_EXHAUSTED, s.FAILED_PRECONDITION, s.ABORTED, s.OUT_OF_RANGE, s.UNIMPLEMENTED, s.DATA_LOSS, s.UNAUTHENTICATED].includes(code);
}

/**
 * A channel still connecting is kept: grpc-js closing it mid-handshake leaves the socket open for
 * good (a server that accepts and never speaks HTTP/2 would gain a connection per check), and the
 * next check waits on the same attempt. One that failed (backoff) or is up but silent starts afresh.
 */
function dropChannelUnlessConnecting(key: string): void {
  const channel = channels.get(key);
  if (channel === undefined || channel.client.getChannel().getConnectivityState(false) === grpc?.connectivityState.CONNECTING) return;
  closeChannel(key, channel.client);
  channels.delete(key);
}

/** Notes a socket grpc-js opened for a channel (net.connect inside channelContext). */
function trackSocket(message: unknown): void {
  const key = channelContext.getStore();
  if (key === undefined) return;
  const socket = (message as { socket: Socket }).socket;
  let open = socketsOf.get(key);
  if (open === undefined) socketsOf.set(key, (open = new Set()));
  const mine = open;
  mine.add(socket);
  socket.once('close', () => {
    mine.delete(socket);
    if (mine.size === 0 && socketsOf.get(key) === mine) socketsOf.delete(key);
  });
}

/**
 * Closes a channel. One still connecting is closed with its sockets destroyed: grpc-js closing it
 * mid-handshake leaves the socket open until the server speaks or hangs up, for good with a server
 * that accepts and never speaks HTTP/2 (measured: the socket stayed; it closed once the server spoke).
 */
function closeChannel(key: string, client: GrpcModule.Client): void {
  const connecting = client.getChannel().getConnectivityState(false) === grpc?.connectivityState.CONNECTING;
  client.close();
  if (!connecting) return;
  for (const socket of socketsOf.get(key) ?? []) socket.destroy();
}

function channelFor(g: typeof GrpcModule, key: string, check: GrpcCheck, credentials: GrpcModule.ChannelCredentials, options: GrpcModule.ChannelOptions): GrpcModule.Client {
  const now = performance.now();
  for (const [k, c] of channels) {
    if (now - c.lastUsed < channelLimits.idleMs && channels.size < channelLimits.maxChannels) break;
    if (k === key) continue;
    closeChannel(k, c.client);
    channels.delete(k);
  }
  let channel = channels.get(key);
  if (channel === undefined) {
    channel = { client: new g.Client(formatTcpTarget(check.target), credentials, options), lastUsed: now };
  } else {
    channels.delete(key);
    channel.lastUsed = now;
  }
  // Re-inserted: the map stays in order of last use.
  channels.set(key, channel);
  return channel.client;
}

function describeGrpcError(g: typeof GrpcModule, error: GrpcModule.ServiceError, service: string, timeoutMs: number): string {
  const code = g.status[error.code] ?? `status ${error.code}`;
  if (error.code === g.status.DEADLINE_EXCEEDED) return timedOut(timeoutMs);
  if (error.code === g.status.NOT_FOUND) return `the server does not know the service ${quoted(service)} (NOT_FOUND)`;
  if (error.code === g.status.UNIMPLEMENTED) return 'the server has no grpc.health.v1.Health service (UNIMPLEMENTED)';
  // grpc-js says "No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1 (TIMESTAMP). Resolution note: ".
  const last = /Last error: (?:Error: )?([\s\S]*?)(?: \(\d{4}-[^)]*\))?\.? Resolution note:/.exec(error.details);
  return `${code}: ${last === null ? error.details : describeErrorText(last[1]!.trim())}`;
}
