// What an `http:` or `tcp:` check may point at, parsed and checked once when the config
// is read, and the one way an http target is shown (never with its password).

import type { TcpTarget } from './types.js';

/**
 * Why `http: URL` is unusable, phrased to follow "http", or null when it is fine.
 * Any message quotes the URL with its password replaced.
 */
export function httpUrlProblem(text: string): string | null {
  const shown = `'${redactUrl(text)}'`;
  // new URL() silently drops tabs and newlines (a wrapped INI line would be glued together).
  if (/\s/.test(text)) return `${shown} contains whitespace (write a space as %20)`;
  // new URL('http:host') is accepted as http://host/; insist on the form people mean.
  if (!/^https?:\/\//i.test(text)) return `${shown} must start with http:// or https://`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${shown} is not a valid URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${shown} must be an http:// or https:// URL`;
  if (url.hostname === '') return `${shown} has no host`;
  return null;
}

/** The URL with its password, if any, replaced by ***; anything else is left as written. */
export function redactUrl(text: string): string {
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    // Not a URL: still hide what looks like scheme://user:password@ (up to the last @ of the authority).
    return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*:)[^/?#]*@/i, '$1***@');
  }
  if (url.password === '') return text;
  url.password = '***';
  return url.href;
}

/** `tcp: HOST:PORT` (HOST a host name or IPv4 address) or `[IPv6]:PORT` -> target, or why not (phrased to follow "tcp 'TEXT'"). */
export function parseTcpTarget(text: string): TcpTarget | string {
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const m = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
    if (m === null) return 'must be [IPv6]:PORT (a closing ] then :PORT)';
    if (m[2] === undefined) return 'has no port: write [IPv6]:PORT';
    host = m[1]!;
    portText = m[2];
    if (!isIPv6(host)) return `has '${host}' in brackets, which is not an IPv6 address`;
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) return 'has no port: write HOST:PORT, or [IPv6]:PORT';
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(':')) return 'has an IPv6 address without brackets: write [IPv6]:PORT';
    const bad = hostProblem(host);
    if (bad !== null) return bad;
  }
  const port = /^[0-9]{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) return `port must be a whole number from 1 to 65535, got '${portText}'`;
  return { host, port };
}

/** HOST:PORT as written in the config ([IPv6]:PORT for an IPv6 address). */
export function formatTcpTarget(target: TcpTarget): string {
  return target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
}

function hostProblem(host: string): string | null {
  if (host === '') return 'has no host: write HOST:PORT';
  // Digits and dots only: meant as IPv4. Leading zeros are refused (some resolvers read them as octal).
  if (/^[0-9.]+$/.test(host)) {
    const octets = host.split('.');
    const ok = octets.length === 4 && octets.every((o) => /^(?:0|[1-9][0-9]{0,2})$/.test(o) && Number(o) <= 255);
    return ok ? null : `host '${host}' is not an IPv4 address (four numbers from 0 to 255)`;
  }
  // RFC 1123 labels; '_' is allowed because real internal names use it and resolvers accept it.
  const label = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/i;
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name.length > 253 || !name.split('.').every((l) => label.test(l))) {
    return `host '${host}' is not a host name or IPv4 address (IPv6 goes in brackets: [IPv6]:PORT)`;
  }
  return null;
}

/** WHATWG URL is the pure IPv6 parser we have: it accepts exactly the RFC 4291 text forms (no zone ids). */
function isIPv6(text: string): boolean {
  if (!/^[0-9a-f:.]+$/i.test(text)) return false;
  try {
    new URL(`http://[${text}]/`);
    return true;
  } catch {
    return false;
  }
}
