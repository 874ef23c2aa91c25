// `zk-watcher check` (the unit's ExecReload=) with a client certificate: the running agent on
// this host refuses, at SIGHUP, a certificate of another subject while its nodes' x509 ACL
// names the first. Asked here through its /status, so `systemctl reload` fails instead of
// reporting success for a reload the agent then rejects. No agent answering: nothing to say.

import { parseStatusDocument } from '../../shared/status.js';
import { fetchStatus } from './fetch-status.js';

const TIMEOUT_MS = 2000;

/** Why the running agent at address:port would reject `subject`, or null (it would not, or no agent answers). */
export async function runningSubjectProblem(certNamed: string, subject: string, address: string, port: number): Promise<string | null> {
  const body = await fetchStatus(address, port, TIMEOUT_MS).catch(() => null);
  if (body === null) return null;
  const doc = parseStatusDocument(body);
  if (typeof doc === 'string') return null;
  const running = doc.agent.zkTlsSubject;
  if (doc.agent.zkTlsSubjectPinned !== true || running === undefined || running === subject) return null;
  return `${certNamed}: the certificate is for '${subject}', but the agent running here (status port ${port}) is '${running}', whom the ACL of its nodes names: it would reject this certificate at a reload; restart the agent to change its identity`;
}
