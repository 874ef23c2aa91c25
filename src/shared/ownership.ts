// Whose is a node that sits at our path? Pure: the caller says which pids are alive.

import type { RegistryFormat } from './formats/format.js';
import { parsePyJson } from './pyjson.js';

/**
 * The pid a zk_watcher (nd_service_registry) payload names, or null: a top-level integer
 * `pid`, wherever it stands. Python 2's nd_service_registry wrote keys in hash order
 * ({"foo":…,"pid":…,"created":…}), so a node left by a killed Python 2 agent has it in the middle.
 */
export function payloadPid(data: string): number | null {
  let json;
  try {
    json = parsePyJson(data);
  } catch {
    return null;
  }
  if (json.kind !== 'object') return null;
  const pid = json.entries.find(([k]) => k === 'pid')?.[1];
  if (pid?.kind !== 'int') return null;
  const n = Number(pid.digits);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/**
 * The pid that could prove a node at our path ours, read as the format of OUR service there
 * says: zk_watcher data carries the agent's pid; curator, nerve and serverset data carry none
 * (a `pid` key in their zookeeper_data is the operator's), so for them only a session this
 * process held proves anything.
 */
export function proofPid(format: RegistryFormat, data: string): number | null {
  return format === 'zk_watcher' ? payloadPid(data) : null;
}

/**
 * A node at our own path left by an earlier agent on this host (killed, then restarted
 * before ZooKeeper expired its session): for a zk_watcher service, its payload names a pid
 * that is no longer running, or our own pid (a container restarts its agent under the same pid).
 */
export function isOrphanOfThisHost(format: RegistryFormat, data: string, ownPid: number, isAlive: (pid: number) => boolean): boolean {
  const pid = proofPid(format, data);
  if (pid === null) return false;
  return pid === ownPid || !isAlive(pid);
}

/**
 * Why a node another session holds at our path is not taken over, for the log line that leaves
 * it alone; '' for a persistent node (no session of it ever ends). It goes when its session ends:
 * expired by ZooKeeper, or closed by a live owner.
 */
export function notOursReason(format: RegistryFormat, data: string, ephemeral: boolean): string {
  if (!ephemeral) return '';
  if (format !== 'zk_watcher') return `; ${format} data carries no agent pid, so only a session this agent process held could prove it ours, and it goes when its session ends`;
  const pid = payloadPid(data);
  if (pid === null) return '; its data names no agent pid that could prove it ours, so it goes when its session ends';
  return `; the agent pid ${pid} its data names is running, so it goes when its session ends`;
}
