// Twitter/Finagle/Aurora ServerSet members: readers keep the children named member_*, and
// read {"serviceEndpoint":{"host","port"},"additionalEndpoints":{},"status":"ALIVE"} with
// zookeeper_data on top (shard, additionalEndpoints, metadata). Pure.

import { createHash } from 'node:crypto';
import { userEntries, type NodeFacts } from './facts.js';
import { mergeOnTop, strictJson } from './json.js';

const SPAN = 9_000_000_000_000_000_000n;
const FLOOR = 1_000_000_000_000_000_000n;

/**
 * member_ and 19 digits derived from host and port, not a sequential name: a sequential one
 * changes on every re-create (consumers see a member leave and another join, and a restarted
 * agent could not find its own node to take over). Digits, because twitter.common's Python
 * readers int() the suffix; 19 of them, with no leading zero, so that '%010d' of that int
 * gives the same name back, and never equal to ZooKeeper's 10-digit sequence numbers.
 */
export function serversetNodeName(host: string, port: number): string {
  const hash = createHash('sha256').update(`${host}:${port}`, 'utf8').digest();
  return `member_${(hash.readBigUInt64BE(0) % SPAN) + FLOOR}`;
}

export function serversetNodeData(facts: NodeFacts): string {
  const endpoint = { kind: 'object' as const, entries: [['host', { kind: 'str' as const, value: facts.host }], ['port', { kind: 'int' as const, digits: String(facts.port) }]] as const };
  const entries = mergeOnTop(
    [
      ['serviceEndpoint', endpoint],
      ['additionalEndpoints', { kind: 'object', entries: [] }],
      ['status', { kind: 'str', value: 'ALIVE' }],
    ],
    userEntries(facts.data),
  );
  return strictJson({ kind: 'object', entries });
}
