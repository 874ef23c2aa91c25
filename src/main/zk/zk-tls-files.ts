// The TLS files of --zk-tls-ca/-cert/-key (or ZK_TLS_*): read and checked at start (a bad one
// is exit 2, naming the flag and the file) and again on SIGHUP, when the new ones replace the
// old for every connection made from then on (rotation without a restart). A file that does not
// do at SIGHUP leaves the old ones in use. No message ever holds a file's contents.

import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { tlsSettingName, type ZkTlsFileSetting, type ZkTlsSettings } from '../../shared/zk-tls-args.js';
import { x509SubjectRfc2253 } from '../../shared/x509-subject.js';
import type { ZkTlsSocketOptions } from './nzc-tls.js';

export interface ZkTlsMaterial {
  readonly socket: ZkTlsSocketOptions;
  /** Our certificate's subject as ZooKeeper's x509 provider names us (null: no client certificate). */
  readonly subject: string | null;
  /** When our client certificate stops being valid (null: none). */
  readonly certValidTo: Date | null;
}

export class ZkTlsFileError extends Error {}

export class ZkTlsFiles {
  private material: ZkTlsMaterial;
  /** Whether our nodes' ACL names our subject (x509: no [auth], --zk-acl auto), set at start: only then must a renewal keep it. */
  subjectInAcl = true;

  private constructor(
    readonly settings: ZkTlsSettings,
    first: ZkTlsMaterial,
  ) {
    this.material = first;
  }

  /** Read and check the files; rejects with ZkTlsFileError naming the setting and the file. */
  static async load(settings: ZkTlsSettings, now = new Date()): Promise<ZkTlsFiles> {
    return new ZkTlsFiles(settings, await readMaterial(settings, now));
  }

  get current(): ZkTlsMaterial {
    return this.material;
  }

  /** What each new connection is made with. */
  readonly socketOptions = (): ZkTlsSocketOptions => this.material.socket;

  /**
   * Read the files again; the new ones serve every later connection. Rejects (and keeps the
   * old ones) when one does not do, or names another subject while our nodes' ACL names the first.
   */
  async reload(now = new Date()): Promise<ZkTlsMaterial> {
    const next = await readMaterial(this.settings, now);
    const before = this.material.subject;
    if (this.subjectInAcl && before !== null && next.subject !== before) {
      throw new ZkTlsFileError(`${tlsSettingName(this.settings, 'cert')} ${this.settings.certFile}: the new certificate is for '${next.subject}', not '${before}', whom the ACL of our nodes names; restart the agent to change its identity`);
    }
    this.material = next;
    return next;
  }
}

async function readMaterial(settings: ZkTlsSettings, now: Date): Promise<ZkTlsMaterial> {
  const named = (which: ZkTlsFileSetting, file: string): string => `${tlsSettingName(settings, which)} ${file}`;
  const read = async (which: ZkTlsFileSetting, file: string | null): Promise<Buffer | null> => {
    if (file === null) return null;
    try {
      return await readFile(file);
    } catch (e) {
      throw new ZkTlsFileError(`${named(which, file)}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  };
  const [ca, cert, key] = await Promise.all([read('ca', settings.caFile), read('cert', settings.certFile), read('key', settings.keyFile)]);
  if (ca !== null) {
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new ZkTlsFileError(`${named('ca', settings.caFile!)}: holds no PEM certificate`);
    try {
      createSecureContext({ ca });
    } catch (e) {
      throw new ZkTlsFileError(`${named('ca', settings.caFile!)}: not a usable PEM CA bundle (${codeOf(e)})`);
    }
  }
  if (cert === null || key === null) return { socket: { ca, cert: null, key: null, verifyHostname: settings.verifyHostname }, subject: null, certValidTo: null };
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (e) {
    throw new ZkTlsFileError(`${named('cert', settings.certFile!)}: not a PEM certificate (${codeOf(e)})`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (e) {
    // The library's message may quote what it could not parse: only its code goes out.
    const encrypted = key.includes('ENCRYPTED');
    throw new ZkTlsFileError(`${named('key', settings.keyFile!)}: ${encrypted ? 'an encrypted key (a passphrase-protected key is not supported: keep it unencrypted, readable by the agent alone)' : `not a PEM private key (${codeOf(e)})`}`);
  }
  if (!x509.checkPrivateKey(privateKey)) throw new ZkTlsFileError(`${named('key', settings.keyFile!)}: is not the key of the certificate ${settings.certFile}`);
  const validTo = new Date(x509.validTo);
  if (validTo.getTime() < now.getTime()) throw new ZkTlsFileError(`${named('cert', settings.certFile!)}: expired on ${validTo.toISOString()}`);
  const validFrom = new Date(x509.validFrom);
  if (validFrom.getTime() > now.getTime()) throw new ZkTlsFileError(`${named('cert', settings.certFile!)}: not valid before ${validFrom.toISOString()} (is the clock right?)`);
  let subject: string;
  try {
    subject = x509SubjectRfc2253(x509.raw);
  } catch (e) {
    throw new ZkTlsFileError(`${named('cert', settings.certFile!)}: cannot read its subject (${(e as Error).message})`);
  }
  return { socket: { ca, cert, key, verifyHostname: settings.verifyHostname }, subject, certValidTo: validTo };
}

function codeOf(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? 'unreadable';
}
