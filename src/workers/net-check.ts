// The in-process check kinds, `http:` and `tcp:`, as a load balancer runs them: a fresh
// connection each time and one deadline over the whole exchange. They run inside a
// check worker thread, so nothing here blocks or forks; every path ends in exactly one
// outcome (never an exception) with its socket destroyed and its timer cleared.

import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { TcpTarget } from '../shared/types.js';
import { describeNetError } from './net-error.js';
import { OutputTail } from './output-tail.js';

export interface NetOutcome {
  readonly passed: boolean;
  /** "HTTP 200", "HTTP 503", "connected", "connection refused (ECONNREFUSED)", "timed out after 2 s"… */
  readonly reason: string;
  readonly durationMs: number;
  /** The last 4 KiB of the response body (http); empty for tcp. */
  readonly outputTail: string;
}

/** As much body as a command's output: enough for an error page's gist, bounded however much the server sends. */
const OUTPUT_TAIL_BYTES = 4096;

/** GET url on a new connection, redirects not followed: passes on a 2xx whose body ends within timeoutMs. */
export function checkHttp(url: string, timeoutMs: number): Promise<NetOutcome> {
  const started = performance.now();
  const tail = new OutputTail(OUTPUT_TAIL_BYTES);
  return new Promise((resolve) => {
    let req: ClientRequest | undefined;
    let res: IncomingMessage | undefined;
    let settled = false;
    const finish = (passed: boolean, reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Destroying the response stops reading an endless body; the request owns the socket.
      res?.destroy();
      req?.destroy();
      resolve({ passed, reason, durationMs: elapsed(started), outputTail: tail.text() });
    };
    const timer = setTimeout(() => {
      const at = res === undefined ? '' : ` (HTTP ${res.statusCode} received, the body did not end)`;
      finish(false, `${timedOut(timeoutMs)}${at}`);
    }, timeoutMs);
    try {
      const target = new URL(url);
      const request = target.protocol === 'https:' ? httpsRequest : target.protocol === 'http:' ? httpRequest : null;
      if (request === null) {
        finish(false, `not an http:// or https:// URL`);
        return;
      }
      // agent: false: a connection of its own, closed after the answer (no pooled keep-alive socket).
      req = request(target, { method: 'GET', agent: false, headers: { 'User-Agent': 'zk-watcher' } });
      // The listeners stay after finish(): a late error from a destroyed socket must not become uncaught.
      req.on('error', (e) => finish(false, describeNetError(e)));
      req.on('response', (r) => {
        res = r;
        const status = r.statusCode ?? 0;
        const verdict = status >= 200 && status <= 299;
        const said = status >= 300 && status <= 399 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`;
        r.on('data', (chunk: Buffer) => tail.push(chunk));
        r.on('end', () => finish(verdict, said));
        r.on('error', (e) => finish(false, `${said}, then ${describeNetError(e)}`));
        // After 'end' this is a no-op; before it, the server cut the body short.
        r.on('close', () => finish(false, `${said}, then the connection closed before the body ended`));
      });
      req.end();
    } catch (e) {
      finish(false, describeNetError(e));
    }
  });
}

/** Opens a TCP connection to target and closes it at once: passes when it opens within timeoutMs. */
export function checkTcp(target: TcpTarget, timeoutMs: number): Promise<NetOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    let socket: Socket | undefined;
    let settled = false;
    const finish = (passed: boolean, reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket?.destroy();
      resolve({ passed, reason, durationMs: elapsed(started), outputTail: '' });
    };
    const timer = setTimeout(() => finish(false, timedOut(timeoutMs)), timeoutMs);
    try {
      socket = connect({ host: target.host, port: target.port });
      socket.on('connect', () => finish(true, 'connected'));
      socket.on('error', (e) => finish(false, describeNetError(e)));
    } catch (e) {
      finish(false, describeNetError(e));
    }
  });
}

function timedOut(timeoutMs: number): string {
  return `timed out after ${timeoutMs / 1000} s`;
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
