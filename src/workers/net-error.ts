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

/**
 * An error known only by its text (a library's message that embeds a socket or TLS error,
 * as grpc-js's "No connection established. Last error: connect ECONNREFUSED ..."): the same
 * words when a code or OpenSSL reason can be found in it, else the text.
 */
export function describeErrorText(text: string): string {
  const ssl = /:SSL routines:[^:]*:([^:]+):/.exec(text);
  if (ssl !== null) return `TLS failed: ${ssl[1]}`;
  // "Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match…", "unable to verify the first certificate".
  const coded = /^(?:Error )?\[([A-Z_]+)\]: ([\s\S]*)$/.exec(text);
  const message = (coded?.[2] ?? text).trim();
  if (/certificate|altnames/i.test(message)) return `TLS certificate rejected: ${withoutNodeHint(message)}${coded === null ? '' : ` (${coded[1]})`}`;
  const code = /\b(E[A-Z_]{3,})\b/.exec(text)?.[1];
  if (code !== undefined && WORDS[code] !== undefined) return `${WORDS[code]} (${code})`;
  return text;
}

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
  // OpenSSL's X509 verification codes (UNABLE_TO_VERIFY_LEAF_SIGNATURE, CERT_HAS_EXPIRED…) and Node's name check.
  if (code !== undefined && /^(?:UNABLE_TO_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_TLS_CERT_ALTNAME)/.test(code)) {
    return `TLS certificate rejected: ${withoutNodeHint(error.message)} (${code})`;
  }
  if (code !== undefined && (/CERT|TLS|SSL/.test(code))) return `TLS failed: ${error.message} (${code})`;
  if (code !== undefined && code.startsWith('HPE_')) return `bad HTTP answer: ${error.message} (${code})`;
  return code === undefined ? error.message : `${error.message} (${code})`;
}

/** Node 24 adds "; if the root CA is installed locally, try running Node.js with --use-system-ca": advice for Node's user, not the agent's (who sets tls_ca). */
function withoutNodeHint(message: string): string {
  return message.replace(/; if the root CA is installed locally, try running Node\.js with --use-system-ca$/, '');
}
