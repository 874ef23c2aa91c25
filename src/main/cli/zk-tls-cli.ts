// --zk-tls at the command's edges: the files read before anything starts (a bad one is exit 2,
// naming the flag or variable and the file), one line saying what TLS and ACL are in use, and
// the files read again on SIGHUP. Never a file's contents in any message.

import type { Logger } from 'pino';
import { certExpiryWarning } from '../../shared/cert-expiry.js';
import { tlsSettingName, type ZkAclMode, type ZkTlsSettings } from '../../shared/zk-tls-args.js';
import { ZkTlsFileError, ZkTlsFiles } from '../zk/zk-tls-files.js';
import { runningSubjectProblem } from './running-subject.js';

/** The files, or the message of exit 2. */
export async function loadZkTls(settings: ZkTlsSettings | null): Promise<{ files: ZkTlsFiles | null } | { error: string }> {
  if (settings === null) return { files: null };
  try {
    return { files: await ZkTlsFiles.load(settings) };
  } catch (e) {
    if (e instanceof ZkTlsFileError) return { error: e.message };
    throw e;
  }
}

/** Which ACL our nodes get, in words (never the digest: it is a hash of the password). */
export function aclWords(files: ZkTlsFiles | null, hasAuth: boolean, mode: ZkAclMode): string {
  if (mode === 'open') return 'world:anyone ALL (--zk-acl open)';
  if (hasAuth) return 'digest([auth] user) ALL + world:anyone READ';
  const subject = files?.current.subject ?? null;
  return subject === null ? 'world:anyone ALL' : `x509:${subject} ALL + world:anyone READ`;
}

export function logZkTls(logger: Logger, files: ZkTlsFiles | null, hasAuth: boolean, mode: ZkAclMode): void {
  const acl = aclWords(files, hasAuth, mode);
  if (files === null) {
    if (mode === 'open') logger.info({ event: 'zk_acl', acl }, `our nodes' ACL: ${acl}`);
    return;
  }
  const s = files.settings;
  const m = files.current;
  logger.info(
    { event: 'zk_tls', ca: s.caFile, cert: s.certFile, key: s.keyFile, subject: m.subject, certValidTo: m.certValidTo?.toISOString() ?? null, verifyHostname: s.verifyHostname, acl },
    `TLS to ZooKeeper${m.subject === null ? ' without a client certificate' : ` as ${m.subject}`}; our nodes' ACL: ${acl}`,
  );
  warnIfExpiring(logger, files);
}

/** zk_tls_cert_expiring: our client certificate ends within two weeks (the file and the date; never the key). */
function warnIfExpiring(logger: Logger, files: ZkTlsFiles, now = new Date()): void {
  const validTo = files.current.certValidTo;
  if (validTo === null || files.settings.certFile === null) return;
  const words = certExpiryWarning(`${tlsSettingName(files.settings, 'cert')} ${files.settings.certFile}`, validTo, now);
  if (words !== null) logger.warn({ event: 'zk_tls_cert_expiring', cert: files.settings.certFile, certValidTo: validTo.toISOString() }, words);
}

/** SIGHUP: the files again; false (logged as reload_rejected, the old ones kept) when one does not do. */
export async function reloadZkTls(files: ZkTlsFiles, logger: Logger): Promise<boolean> {
  try {
    const m = await files.reload();
    logger.info({ event: 'zk_tls_reloaded', subject: m.subject, certValidTo: m.certValidTo?.toISOString() ?? null }, 'TLS files re-read: new connections to ZooKeeper use them');
    warnIfExpiring(logger, files);
    return true;
  } catch (e) {
    if (!(e instanceof ZkTlsFileError)) throw e;
    logger.error({ event: 'reload_rejected', why: e.message }, `${e.message}; keeping the running config and TLS files`);
    return false;
  }
}

/** check (ExecReload=): whether the agent running here would refuse our certificate's subject; null when it would not or none answers. */
export async function runningAgentSubjectProblem(files: ZkTlsFiles | null, address: string, port: number): Promise<string | null> {
  const subject = files?.current.subject ?? null;
  if (files === null || subject === null) return null;
  return runningSubjectProblem(`${tlsSettingName(files.settings, 'cert')} ${files.settings.certFile}`, subject, address, port);
}
