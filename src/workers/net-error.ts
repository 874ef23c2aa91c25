// A socket, DNS, TLS or HTTP parser error as one line a person can read in a log:
// what happened in words, then the code to grep for, e.g. "connection refused (ECONNREFUSED)".

const WORDS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ECONNABORTED: 'connection aborted',
  EPIPE: 'connection closed while sending',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  EHOSTDOWN: 'host down',
  ENETUNREACH: 'network unreachable',
  ENETDOWN: 'network down',
  EADDRNOTAVAIL: 'address not available',
  ENOTFOUND: 'name not resolved',
  ENODATA: 'name has no address',
  EAI_AGAIN: 'name lookup failed for now',
  EAI_FAIL: 'name lookup failed',
};

export function describeNetError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Happy-eyeballs connects fail with an AggregateError of every attempt: the first one says why.
  if (error instanceof AggregateError && (error as NodeJS.ErrnoException).code === undefined && error.errors[0] !== undefined) {
    return describeNetError(error.errors[0]);
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined && WORDS[code] !== undefined) return `${WORDS[code]} (${code})`;
  // OpenSSL's text is "...:SSL routines:FUNCTION:REASON:file:line"; the reason is the readable part.
  const ssl = /:SSL routines:[^:]*:([^:]+):/.exec(error.message);
  if (ssl !== null) return `TLS failed: ${ssl[1]}${code === undefined ? '' : ` (${code})`}`;
  if (code !== undefined && (/CERT|TLS|SSL/.test(code))) return `TLS failed: ${error.message} (${code})`;
  if (code !== undefined && code.startsWith('HPE_')) return `bad HTTP answer: ${error.message} (${code})`;
  return code === undefined ? error.message : `${error.message} (${code})`;
}
