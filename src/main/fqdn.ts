// This host's name as Python's socket.getfqdn() gives it, which is what zk_watcher
// registered when a section has no service_hostname.

import { lookup, lookupService } from 'node:dns/promises';
import { hostname } from 'node:os';

/** gethostname(), then the canonical name of its address if that has a dot; else the plain name. */
export async function getFqdn(): Promise<string> {
  const name = hostname();
  try {
    const { address } = await lookup(name);
    const { hostname: canonical } = await lookupService(address, 0);
    if (canonical.includes('.')) return canonical;
  } catch {
    // No resolver answer: Python falls back to the plain host name too.
  }
  return name;
}
