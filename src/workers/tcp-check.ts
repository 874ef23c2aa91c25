// The `tcp:` check: a connection (TLS with tcp_tls), then optionally bytes sent (tcp_send)
// and a reply that must contain tcp_expect, Redis's PING/+PONG or an SMTP banner. One
// deadline over it all; the reply is read up to 64 KiB and its last 4 KiB kept as output.
// Every path ends in exactly one outcome with the socket destroyed and the timer cleared.

import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect } from 'node:tls';
import { MATCH_WINDOW_BYTES, decodeEscapes } from '../shared/check-options.js';
import type { TcpOptions, TcpTarget, TlsOptions } from '../shared/types.js';
import { describeNetError } from './net-error.js';
import { OUTPUT_TAIL_BYTES, elapsed, quoted, timedOut, type NetOutcome } from './net-outcome.js';
import { OutputTail } from './output-tail.js';
import { defaultServername, tlsConnectOptions } from './tls-context.js';

const PLAIN: TcpOptions = { send: null, expect: null, tls: false };

/** Passes once connected (and, with tcp_expect, once the reply contains it) within timeoutMs. */
export function checkTcp(target: TcpTarget, timeoutMs: number, options: TcpOptions = PLAIN, tls?: TlsOptions): Promise<NetOutcome> {
  const started = performance.now();
  const tail = new OutputTail(OUTPUT_TAIL_BYTES);
  return new Promise((resolve) => {
    let socket: Socket | undefined;
    let settled = false;
    let received: Buffer = Buffer.alloc(0);
    /** Connected (and, with tcp_tls, the handshake done): from here on a timeout is about the reply. */
    let established = false;
    const finish = (passed: boolean, reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket?.destroy();
      resolve({ passed, reason, durationMs: elapsed(started), outputTail: tail.text() });
    };
    // Validated at load; decoded here so the job stays plain text.
    const send = options.send === null ? null : decodeEscapes(options.send);
    const expect = options.expect === null ? null : decodeEscapes(options.expect);
    if ((send !== null && !(send instanceof Uint8Array)) || (expect !== null && !(expect instanceof Uint8Array))) {
      resolve({ passed: false, reason: 'tcp_send or tcp_expect has a bad escape', durationMs: 0, outputTail: '' });
      return;
    }
    const expectBytes = expect === null ? null : Buffer.from(expect);
    const lacks = (why: string): string => `reply lacks ${quoted(options.expect!)} (${why}${received.length === 0 ? ', nothing received' : `; got ${quoted(firstLine(received))}`})`;
    const timer = setTimeout(() => {
      if (expect !== null && established) finish(false, lacks(timedOut(timeoutMs)));
      // A TLS socket is 'open' once TCP connects: a server that never answers the handshake is said apart.
      else if (options.tls && socket !== undefined && !socket.connecting) finish(false, `${timedOut(timeoutMs)} (the TLS handshake did not finish)`);
      else finish(false, timedOut(timeoutMs));
    }, timeoutMs);

    const connected = (how: string): void => {
      established = true;
      if (send === null && expect === null) return finish(true, how);
      if (expect !== null) {
        socket!.on('data', (chunk: Buffer) => {
          tail.push(chunk);
          if (received.length < MATCH_WINDOW_BYTES) received = Buffer.concat([received, chunk.subarray(0, MATCH_WINDOW_BYTES - received.length)]);
          if (received.includes(expectBytes!)) finish(true, `reply contains ${quoted(options.expect!)}`);
          else if (received.length >= MATCH_WINDOW_BYTES) finish(false, lacks(`in its first ${MATCH_WINDOW_BYTES / 1024} KiB`));
        });
        socket!.on('end', () => finish(false, lacks('the server closed the connection')));
      }
      if (send !== null) {
        socket!.write(send, (e) => {
          if (e) finish(false, `sending failed: ${describeNetError(e)}`);
          else if (expect === null) finish(true, `${how}, sent ${send.length} bytes`);
        });
      }
    };

    const open = async (): Promise<void> => {
      if (!options.tls) {
        socket = connect({ host: target.host, port: target.port });
        socket.on('connect', () => connected('connected'));
      } else {
        const got = await tlsConnectOptions(tls);
        if ('problem' in got) return finish(false, got.problem);
        if (settled) return;
        const servername = got.servername ?? defaultServername(target.host);
        socket = tlsConnect({
          host: target.host,
          port: target.port,
          rejectUnauthorized: got.rejectUnauthorized,
          ...(servername === undefined ? {} : { servername }),
          ...(got.secureContext === undefined ? {} : { secureContext: got.secureContext }),
        });
        socket.on('secureConnect', () => connected('connected (TLS)'));
      }
      // The listener stays after finish(): a late error from a destroyed socket must not become uncaught.
      socket.on('error', (e) => finish(false, describeNetError(e)));
    };
    open().catch((e: unknown) => finish(false, describeNetError(e)));
  });
}

/** The start of a reply as a reason shows it: up to its first line break. */
function firstLine(bytes: Buffer): string {
  const text = bytes.subarray(0, 200).toString('utf8');
  const end = text.search(/\r?\n/);
  return end < 0 ? text : text.slice(0, end);
}
