// Why no ZooKeeper server answers, member by member, in words an operator acts on: a name
// that does not resolve is a typo or DNS, a refused connection is a server that is down,
// a connection that opens and then says nothing is a server that is not serving. Pure.

/** How the last attempt on one member of the connect string ended. */
export interface AttemptFailure {
  /** host:port as the connect string names it. */
  readonly server: string;
  /** The socket's error code (ENOTFOUND, ECONNREFUSED, ...), or null when it was no socket error. */
  readonly code: string | null;
  /** What happened, for a failure without a code (or a code we have no words for). */
  readonly detail: string;
}

/** TLS (--zk-tls): what a server's certificate, or the server, did wrong, in the socket error's code. */
const UNTRUSTED = 'server certificate does not verify against the CA file (another CA, or a self-signed certificate)';
const TLS_WORDS: Readonly<Record<string, string>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNTRUSTED,
  UNABLE_TO_GET_ISSUER_CERT: UNTRUSTED,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNTRUSTED,
  SELF_SIGNED_CERT_IN_CHAIN: UNTRUSTED,
  DEPTH_ZERO_SELF_SIGNED_CERT: UNTRUSTED,
  CERT_SIGNATURE_FAILURE: UNTRUSTED,
  CERT_UNTRUSTED: UNTRUSTED,
  CERT_REJECTED: UNTRUSTED,
  CERT_HAS_EXPIRED: 'server certificate has expired',
  CERT_NOT_YET_VALID: 'server certificate is not valid yet (is the clock right?)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'server certificate does not name this host (or turn off the host name check)',
  ZKW_TLS_CLOSED: 'closed the connection during the TLS handshake (no TLS version or cipher in common?, a plain-TCP port, or it refused our client certificate)',
  ERR_SSL_WRONG_VERSION_NUMBER: 'does not speak TLS (a plain-TCP port?)',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'does not speak TLS (a plain-TCP port?)',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'server requires a client certificate',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'server refused our client certificate (or it requires one)',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: 'server refused our client certificate',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'server refused our client certificate (it does not trust its CA)',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: 'server refused our client certificate: expired',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'TLS handshake failed (no protocol or cipher in common?)',
};

const WORDS: Readonly<Record<string, string>> = {
  ENOTFOUND: 'name does not resolve',
  EAI_NONAME: 'name does not resolve',
  ENODATA: 'name has no address',
  EAI_NODATA: 'name has no address',
  EAI_AGAIN: 'name lookup failed for now (is DNS reachable?)',
  EAI_FAIL: 'name lookup failed',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  EHOSTDOWN: 'host down',
  ENETUNREACH: 'network unreachable',
  ENETDOWN: 'network down',
  EADDRNOTAVAIL: 'address not available',
  ...TLS_WORDS,
};

/** Whether an attempt failed in TLS: the certificate, the handshake, or a server that does not speak it. */
export function isTlsFailure(f: AttemptFailure): boolean {
  return f.code !== null && (Object.hasOwn(TLS_WORDS, f.code) || f.code.startsWith('ERR_SSL_') || f.code.startsWith('ERR_TLS_'));
}

/** A socket's error -> the failure; a happy-eyeballs AggregateError (one error per address) by its first. */
export function attemptFailureOf(server: string, error: unknown): AttemptFailure {
  if (error instanceof AggregateError && (error as NodeJS.ErrnoException).code === undefined && error.errors[0] !== undefined) return attemptFailureOf(server, error.errors[0]);
  const e = error as NodeJS.ErrnoException | null;
  return { server, code: e?.code ?? null, detail: e?.message || String(error) };
}

/** The codes that say the name, not the server, is the trouble: said of the host alone. */
const NAME_CODES = new Set(['ENOTFOUND', 'EAI_NONAME', 'ENODATA', 'EAI_NODATA', 'EAI_AGAIN', 'EAI_FAIL']);

/** Codes of our own making (nzc-tls.ts): they mean nothing to an operator, so they are not shown. */
const INTERNAL_CODE = /^ZKW_/;

/** "zk1.invalid: name does not resolve (ENOTFOUND)", "127.0.0.1:2181: connection refused (ECONNREFUSED)". */
export function describeAttemptFailure(f: AttemptFailure): string {
  const words = f.code === null ? undefined : WORDS[f.code];
  const code = f.code === null || INTERNAL_CODE.test(f.code) ? null : f.code;
  if (words === undefined) return `${f.server}: ${f.detail}${code === null || f.detail.includes(code) ? '' : ` (${code})`}`;
  const where = NAME_CODES.has(f.code!) ? hostOf(f.server) : f.server;
  return `${where}: ${words}${code === null ? '' : ` (${code})`}`;
}

/** The zk_waiting line: no server answers at the connect string, and why, member by member. */
export function unreachableMessage(connectString: string, failures: readonly AttemptFailure[]): string {
  const why = failures.map(describeAttemptFailure);
  return `no ZooKeeper server answers at ${connectString}${why.length === 0 ? '' : ` (${why.join('; ')})`}; still trying`;
}

/** host:port -> host (also [v6]:port -> v6). */
function hostOf(server: string): string {
  const m = /^\[(.*)\]:\d+$/.exec(server) ?? /^(.*):\d+$/.exec(server);
  return m === null ? server : m[1]!;
}
