// A service's registration as ZooKeeper sees it: the node's path and the exact
// bytes nd_service_registry wrote, so existing consumers keep working.

import { mergeOnTop } from './formats/json.js';
import { dumpPyJson, type PyJson } from './pyjson.js';
import type { ZookeeperData } from './types.js';

export function znodePath(zookeeperPath: string, hostname: string, port: number): string {
  return `${zookeeperPath}/${hostname}:${port}`;
}

/** time.strftime('%Y-%m-%d %H:%M:%S') in the agent's local time zone. */
export function formatCreated(at: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ` +
    `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`
  );
}

/**
 * nd_service_registry's funcs.encode(): {"pid":N,"created":"..."} updated with the
 * user's keys (which may override both, keeping their position), compact JSON.
 */
export function encodePayload(pid: number, created: Date, data: ZookeeperData): string {
  const entries: [string, PyJson][] = [
    ['pid', { kind: 'int', digits: String(pid) }],
    ['created', { kind: 'str', value: formatCreated(created) }],
  ];
  const user: readonly (readonly [string, PyJson])[] =
    data.kind === 'string' ? [['string_value', { kind: 'str', value: data.value }]] : data.value.entries;
  return dumpPyJson({ kind: 'object', entries: mergeOnTop(entries, user) });
}

/** The parent that nd_service_registry created with the session's ACL; ancestors above it were made open. */
export function splitParents(nodePath: string): { parent: string; ancestors: string[] } {
  const parts = nodePath.split('/').filter((p) => p !== '');
  parts.pop();
  const ancestors: string[] = [];
  for (let i = 1; i < parts.length; i++) ancestors.push('/' + parts.slice(0, i).join('/'));
  return { parent: '/' + parts.join('/'), ancestors };
}
