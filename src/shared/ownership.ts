// Whose is a node that sits at our path? Pure: the caller says which pids are alive.

import { parsePyJson } from './pyjson.js';

/**
 * The pid an nd_service_registry-style payload names, or null. Only a `pid` written first
 * counts, as nd_service_registry writes it: the curator, nerve and serverset formats carry no
 * pid of ours (their first keys are name, host and serviceEndpoint), and a `pid` key their
 * zookeeper_data may hold is the operator's, proving nothing about whose the node is.
 */
export function payloadPid(data: string): number | null {
  let json;
  try {
    json = parsePyJson(data);
  } catch {
    return null;
  }
  if (json.kind !== 'object') return null;
  const [key, pid] = json.entries[0] ?? [];
  if (key !== 'pid') return null;
  if (pid?.kind !== 'int') return null;
  const n = Number(pid.digits);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/**
 * A node at our own path left by an earlier agent on this host (killed, then restarted
 * before ZooKeeper expired its session): its payload names a pid that is no longer
 * running, or our own pid (a container restarts its agent under the same pid).
 */
export function isOrphanOfThisHost(data: string, ownPid: number, isAlive: (pid: number) => boolean): boolean {
  const pid = payloadPid(data);
  if (pid === null) return false;
  return pid === ownPid || !isAlive(pid);
}
