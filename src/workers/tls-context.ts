// The TLS settings of a check (tls_ca, tls_server_name, tls_skip_verify) as connect options.
// A CA file is read when a check needs it and kept while the file is unchanged (same inode,
// size and mtime): a rotated CA is picked up by the next check, without a reload, and
// building a secure context from a bundle on every check would cost more than the check.

import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { TlsOptions } from '../shared/types.js';

export interface TlsConnectOptions {
  readonly servername?: string;
  readonly rejectUnauthorized: boolean;
  readonly secureContext?: SecureContext;
  /** The CA file's bytes (for gRPC's credentials), when tls_ca is used. */
  readonly caPem?: Buffer;
  /** Changes when the CA file does: part of a cached channel's identity. */
  readonly caStamp: string;
}

interface CachedCa {
  readonly stamp: string;
  readonly pem: Buffer;
  readonly context: SecureContext;
}
const cas = new Map<string, CachedCa>();

/** Connect options (servername only when tls_server_name is set), or why the CA cannot be used. */
export async function tlsConnectOptions(tls: TlsOptions | undefined): Promise<TlsConnectOptions | { problem: string }> {
  const base = tls?.serverName == null ? {} : { servername: tls.serverName };
  if (tls === undefined || tls.skipVerify) return { ...base, rejectUnauthorized: !(tls?.skipVerify ?? false), caStamp: '' };
  if (tls.ca === null) return { ...base, rejectUnauthorized: true, caStamp: '' };
  const ca = await loadCa(tls.ca);
  if ('problem' in ca) return ca;
  return { ...base, rejectUnauthorized: true, secureContext: ca.context, caPem: ca.pem, caStamp: `${tls.ca}@${ca.stamp}` };
}

/** The SNI name for a raw TLS connection to host: a name goes out as itself, an address cannot (it is verified against the certificate's IP entries). */
export function defaultServername(host: string): string | undefined {
  return isIP(host) === 0 ? host : undefined;
}

async function loadCa(path: string): Promise<CachedCa | { problem: string }> {
  try {
    const st = await stat(path);
    const stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    const cached = cas.get(path);
    if (cached?.stamp === stamp) return cached;
    const pem = await readRegularFile(path);
    if (pem === null) return { problem: `tls_ca '${path}' cannot be used: not a regular file` };
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) return { problem: `tls_ca '${path}' holds no PEM certificate` };
    const entry = { stamp, pem, context: createSecureContext({ ca: pem }) };
    cas.set(path, entry);
    return entry;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // ENXIO: a unix socket, which cannot be opened at all.
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.code === 'ENXIO' ? 'not a regular file' : err.message;
    return { problem: `tls_ca '${path}' cannot be used: ${why}` };
  }
}

/**
 * The file's bytes, or null when it is not a regular file. Opened without blocking and judged by
 * the open descriptor: a blocking open() of a FIFO waits for a writer for ever, holding one of
 * libuv's 4 threads, which every check's DNS lookup and the agent's file reads share.
 */
async function readRegularFile(path: string): Promise<Buffer | null> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!(await handle.stat()).isFile()) return null;
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
