// The values of the check-kind option keys (http_*, tcp_*, tls_*, grpc_*), each parsed from
// its text to a value or the reason it is unusable (phrased to follow "KEY"). Pure.

import type { HttpOptions } from './types.js';

/** An `http:` check without options: what it did before they existed. */
export const DEFAULT_HTTP_OPTIONS: HttpOptions = {
  method: 'GET',
  headers: [],
  body: null,
  status: [[200, 299]],
  expect: null,
  expectRegex: null,
  followRedirects: false,
};

/** How much of a body or reply is searched for http_expect(_regex) and tcp_expect. */
export const MATCH_WINDOW_BYTES = 64 * 1024;

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'] as const;

/** Headers the check itself sets from the request it makes; one written by hand would contradict it. */
const MANAGED_HEADERS = ['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te'];
/** Headers whose values are credentials: never printed. */
const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];
/** Names that say a credential without being a standard one (X-Api-Key, X-Health-Token, X-Auth-…): hidden too. */
const SECRET_NAME = /auth|token|secret|passw|api-?key|session|signature|credential/i;

/** configparser's getboolean() words. */
export function parseBoolean(text: string): boolean | string {
  const word = text.toLowerCase();
  if (['1', 'yes', 'true', 'on'].includes(word)) return true;
  if (['0', 'no', 'false', 'off'].includes(word)) return false;
  return `must be yes or no (or true/false, on/off, 1/0), got '${text}'`;
}

export function parseMethod(text: string): string | { problem: string } {
  const upper = text.toUpperCase();
  return (HTTP_METHODS as readonly string[]).includes(upper) ? upper : { problem: `must be one of ${HTTP_METHODS.join(', ')}, got '${text}'` };
}

/** `200-299, 301, 4xx` -> inclusive ranges, or why not. */
export function parseStatusList(text: string): (readonly [number, number])[] | string {
  const ranges: (readonly [number, number])[] = [];
  const items = text.split(',').map((s) => s.trim());
  if (items.every((s) => s === '')) return 'is empty: write codes or ranges such as 200-299, 301';
  for (const item of items) {
    if (item === '') continue;
    const m = /^([0-9]{3})(?:\s*-\s*([0-9]{3}))?$/.exec(item);
    const xx = /^([1-5])xx$/i.exec(item);
    const range: [number, number] | null = xx !== null ? [Number(xx[1]) * 100, Number(xx[1]) * 100 + 99] : m !== null ? [Number(m[1]), Number(m[2] ?? m[1])] : null;
    if (range === null) return `'${item}' is not a status code (100-599), a range like 200-299, or 2xx`;
    if (range[0] < 100 || range[1] > 599) return `'${item}' is outside the status codes 100-599`;
    if (range[0] > range[1]) return `'${item}' is a range whose end is below its start`;
    ranges.push(range);
  }
  return ranges;
}

/** The ranges as a person reads them: `200-299, 301`. */
export function formatStatusList(ranges: readonly (readonly [number, number])[]): string {
  return ranges.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(', ');
}

export function statusPasses(status: number, ranges: readonly (readonly [number, number])[]): boolean {
  return ranges.some(([lo, hi]) => status >= lo && status <= hi);
}

/** One `Name: value` per line (continuation lines of the key) -> headers, or why not. */
export function parseHeaders(text: string): [string, string][] | string {
  const headers: [string, string][] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon < 0) return `line '${line}' is not 'Name: value' (write one header per line, continuation lines indented)`;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    // RFC 9110 token characters.
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) return `'${name}' is not a header name (letters, digits and - only, in practice)`;
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) return `header ${name} has a control character in its value`;
    // Node refuses such a value when the request is made (ERR_INVALID_CHAR): every check would fail.
    const wide = /[^\t\x20-\x7e\x80-\xff]/u.exec(value);
    if (wide !== null) return `header ${name} has '${wide[0]}', which a request header cannot carry (only Latin-1 text)`;
    const lower = name.toLowerCase();
    if (MANAGED_HEADERS.includes(lower)) return `cannot set ${name}: the check sets it from the request it makes (a fresh connection, closed after the answer)`;
    if (lower === 'host' && headers.some(([n]) => n.toLowerCase() === 'host')) return 'has Host twice';
    headers.push([name, value]);
  }
  if (headers.length === 0) return 'is empty';
  return headers;
}

/** A header's value as it may be printed: credentials hidden. */
export function shownHeaderValue(name: string, value: string): string {
  return SECRET_HEADERS.includes(name.toLowerCase()) || SECRET_NAME.test(name) ? '***' : value;
}

/** http_expect_regex as the worker runs it: multi-line, so ^ and $ match at each line's start and end (`^ok$` matches "ok\n"). */
export function expectRegex(pattern: string): RegExp {
  return new RegExp(pattern, 'm');
}

/** Why the pattern does not compile, or null. */
export function regexProblem(pattern: string): string | null {
  try {
    expectRegex(pattern);
    return null;
  } catch (e) {
    return `is not a valid JavaScript regular expression: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** A host name for SNI and certificate verification (an IP address cannot be sent as SNI). */
export function serverNameProblem(text: string): string | null {
  if (/^[0-9.]+$/.test(text) || text.includes(':')) return `must be a host name, not an address, got '${text}' (a certificate's IP address is verified when the target is that address)`;
  const label = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/i;
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name.length === 0 || name.length > 253 || !name.split('.').every((l) => label.test(l))) return `'${text}' is not a host name`;
  return null;
}

/**
 * tcp_send / tcp_expect text -> bytes: \r \n \t \\ and \xHH are decoded, everything else is
 * sent as its UTF-8. Without escapes a line ending could not be written in an INI value.
 */
export function decodeEscapes(text: string): Uint8Array | { problem: string } {
  const out: number[] = [];
  const utf8 = new TextEncoder();
  let plain = '';
  const flush = (): void => {
    for (const b of utf8.encode(plain)) out.push(b);
    plain = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\') {
      plain += c;
      continue;
    }
    const next = text[i + 1];
    const simple: Record<string, number> = { r: 13, n: 10, t: 9, '\\': 92, '0': 0 };
    if (next !== undefined && simple[next] !== undefined) {
      flush();
      out.push(simple[next]!);
      i++;
    } else if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
      flush();
      out.push(parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
    } else {
      return { problem: `has '\\${next ?? ''}', which is not an escape: write \\r, \\n, \\t, \\0, \\\\ or \\xHH` };
    }
  }
  flush();
  return Uint8Array.from(out);
}
