// This host's name as Python's socket.getfqdn() gives it, which is what zk_watcher
// registered when a section has no service_hostname: gethostbyaddr(gethostname()),
// then the first of its name and aliases that has a dot, else its name.

import { execFile } from 'node:child_process';
import { lookup, lookupService } from 'node:dns/promises';
import { hostname } from 'node:os';

export async function getFqdn(): Promise<string> {
  const name = hostname();
  let address: string;
  try {
    ({ address } = await lookup(name));
  } catch {
    return name; // gethostbyaddr failed: Python keeps the plain name too
  }
  // getent asks NSS exactly as gethostbyaddr does, and lists the aliases Node's resolver cannot give.
  const names = (await getentHosts(address)) ?? (await reverseName(address));
  if (names === null || names.length === 0) return name;
  return names.find((n) => n.includes('.')) ?? names[0]!;
}

function getentHosts(address: string): Promise<string[] | null> {
  return new Promise((resolve) => {
    execFile('getent', ['hosts', address], { timeout: 5000 }, (error, stdout) => {
      if (error) return resolve(null);
      const fields = stdout.split('\n')[0]?.trim().split(/\s+/) ?? [];
      resolve(fields.length > 1 ? fields.slice(1) : null);
    });
  });
}

async function reverseName(address: string): Promise<string[] | null> {
  try {
    return [(await lookupService(address, 0)).hostname];
  } catch {
    return null;
  }
}
