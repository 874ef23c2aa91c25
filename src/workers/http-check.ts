// The `http:` check, as a load balancer runs it: a fresh connection per request, one
// deadline over everything (connect, TLS, request, redirects, body), the body read to its
// end (or its first MiB) with its last 4 KiB kept as output and its first 64 KiB searched
// for http_expect(_regex).
// Every path ends in exactly one outcome (never an exception) with its socket destroyed and
// its timer cleared.

import { request as httpRequest, type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import { DEFAULT_HTTP_OPTIONS, MATCH_WINDOW_BYTES, expectRegex, formatStatusList, statusPasses } from '../shared/check-options.js';
import { redactUrl } from '../shared/check-target.js';
import type { HttpOptions, TlsOptions } from '../shared/types.js';
import { describeNetError } from './net-error.js';
import { OUTPUT_TAIL_BYTES, elapsed, quoted, timedOut, type NetOutcome } from './net-outcome.js';
import { OutputTail } from './output-tail.js';
import { tlsConnectOptions } from './tls-context.js';

/** Past this much body, reading stops and the check is judged on what came: the expectations look at the first 64 KiB anyway. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** As curl's default is 50 and browsers stop near 20: a health URL that needs more is a loop. */
const MAX_REDIRECTS = 5;
const CROSS_ORIGIN_DROPPED = ['host', 'authorization', 'cookie', 'proxy-authorization'];

interface Hop {
  readonly url: URL;
  readonly method: string;
  readonly body: string | null;
  /** Whether the user's Host and credential headers still apply (same origin as the configured URL). */
  readonly sameOrigin: boolean;
}

/** Passes when the status is one of options.status and the body, ending within timeoutMs, has what options expect. */
export function checkHttp(url: string, timeoutMs: number, options: HttpOptions = DEFAULT_HTTP_OPTIONS, tls?: TlsOptions): Promise<NetOutcome> {
  const started = performance.now();
  const tail = new OutputTail(OUTPUT_TAIL_BYTES);
  const want = formatStatusList(options.status);
  return new Promise((resolve) => {
    let req: ClientRequest | undefined;
    let res: IncomingMessage | undefined;
    let settled = false;
    let redirects = 0;
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
      const at = res === undefined ? '' : ` (${res.statusCode} received, the body did not end)`;
      finish(false, `${timedOut(timeoutMs)}${at}`);
    }, timeoutMs);

    const send = async (hop: Hop): Promise<void> => {
      const request = hop.url.protocol === 'https:' ? httpsRequest : hop.url.protocol === 'http:' ? httpRequest : null;
      if (request === null) return finish(false, `not an http:// or https:// URL`);
      let tlsOptions = {};
      if (hop.url.protocol === 'https:') {
        // tls_server_name names the configured host; a redirect elsewhere is verified against its own name.
        const got = await tlsConnectOptions(hop.sameOrigin ? tls : tls === undefined ? undefined : { ...tls, serverName: null });
        if ('problem' in got) return finish(false, got.problem);
        tlsOptions = { rejectUnauthorized: got.rejectUnauthorized, ...(got.servername === undefined ? {} : { servername: got.servername }), ...(got.secureContext === undefined ? {} : { secureContext: got.secureContext }) };
      }
      if (settled) return;
      const headers: OutgoingHttpHeaders = {};
      const nameOf = new Map<string, string>();
      let userAgent = 'zk-watcher';
      for (const [name, value] of options.headers) {
        const lower = name.toLowerCase();
        // Like curl: the Host and credentials written for one server do not follow a redirect to another.
        if (!hop.sameOrigin && CROSS_ORIGIN_DROPPED.includes(lower)) continue;
        if (lower === 'user-agent') {
          userAgent = value;
          continue;
        }
        // A name written twice is sent twice, under the spelling it was first written with.
        const key = nameOf.get(lower) ?? name;
        nameOf.set(lower, key);
        const before = headers[key];
        headers[key] = before === undefined ? value : [...(Array.isArray(before) ? before : [String(before)]), value];
      }
      headers['User-Agent'] = userAgent;
      const body = hop.body === null ? null : Buffer.from(hop.body);
      if (body !== null) headers['Content-Length'] = body.length;
      else if (['POST', 'PUT', 'PATCH'].includes(hop.method)) headers['Content-Length'] = 0;
      // agent: false: a connection of its own, closed after the answer (no pooled keep-alive socket).
      const r = request(hop.url, { method: hop.method, agent: false, headers, ...tlsOptions });
      req = r;
      // The listeners stay after finish(): a late error from a destroyed socket must not become uncaught.
      // A hop left behind by a redirect may still report: only the current one speaks.
      r.on('error', (e) => req === r && finish(false, describeNetError(e)));
      r.on('response', (response) => answered(hop, response));
      r.end(body ?? undefined);
    };

    const answered = (hop: Hop, response: IncomingMessage): void => {
      res = response;
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (options.followRedirects && [301, 302, 303, 307, 308].includes(status) && location !== undefined && !statusPasses(status, options.status)) {
        response.resume();
        // Parsed before anything else: a throw in this 'response' listener would end the whole worker.
        let next: URL;
        try {
          next = new URL(location, hop.url);
        } catch {
          return finish(false, `${status} with a Location that is not a URL: ${quoted(redactUrl(location))}`);
        }
        if (redirects === MAX_REDIRECTS) return finish(false, `${status}: more than ${MAX_REDIRECTS} redirects (last to ${redactUrl(next.href)})`);
        if (next.protocol !== 'http:' && next.protocol !== 'https:') return finish(false, `${status}: redirect to ${redactUrl(next.href)}, not http:// or https://`);
        redirects++;
        req?.destroy();
        res = undefined;
        // As browsers and curl do: 303 (and 301/302 after a POST) becomes a GET without a body; 307/308 repeat the request.
        const asGet = status === 303 ? hop.method !== 'HEAD' : (status === 301 || status === 302) && hop.method === 'POST';
        const sameOrigin = hop.sameOrigin && next.origin === new URL(url).origin;
        void send({ url: next, method: asGet ? 'GET' : hop.method, body: asGet ? null : hop.body, sameOrigin }).catch((e: unknown) => finish(false, describeNetError(e)));
        return;
      }
      const via = redirects === 0 ? '' : ` after ${redirects} redirect${redirects === 1 ? '' : 's'}`;
      const statusOk = statusPasses(status, options.status);
      const followHint = status >= 300 && status <= 399 && !options.followRedirects ? '; redirects are not followed' : '';
      const said = statusOk ? `${status}${via}` : `${status}${via} (want ${want}${followHint})`;
      // The first MATCH_WINDOW_BYTES of the body, only when something is to be searched in it.
      const searching = statusOk && (options.expect !== null || options.expectRegex !== null);
      const window: Buffer[] = [];
      let windowBytes = 0;
      let total = 0;
      response.on('data', (chunk: Buffer) => {
        tail.push(chunk);
        total += chunk.length;
        if (searching && windowBytes < MATCH_WINDOW_BYTES) {
          const part = chunk.subarray(0, MATCH_WINDOW_BYTES - windowBytes);
          window.push(part);
          windowBytes += part.length;
        }
        // A huge or endless body costs CPU for nothing: judged as if it ended here (finish destroys the response).
        if (total >= MAX_BODY_BYTES) judge();
      });
      const judge = (): void => {
        if (!statusOk) return finish(false, said);
        if (!searching) return finish(true, said);
        const text = Buffer.concat(window).toString('utf8');
        const within = total > MATCH_WINDOW_BYTES ? ` in its first ${MATCH_WINDOW_BYTES / 1024} KiB` : '';
        if (options.expect !== null && !text.includes(options.expect)) return finish(false, `body lacks ${quoted(options.expect)}${within}`);
        if (options.expectRegex !== null && !expectRegex(options.expectRegex).test(text)) return finish(false, `body does not match /${options.expectRegex}/${within}`);
        finish(true, said);
      };
      response.on('end', judge);
      response.on('error', (e) => finish(false, `${said}, then ${describeNetError(e)}`));
      // After 'end' this is a no-op; before it, the server cut the body short.
      response.on('close', () => finish(false, `${said}, then the connection closed before the body ended`));
    };

    let first: URL;
    try {
      first = new URL(url);
    } catch (e) {
      finish(false, describeNetError(e));
      return;
    }
    void send({ url: first, method: options.method, body: options.body, sameOrigin: true }).catch((e: unknown) => finish(false, describeNetError(e)));
  });
}
