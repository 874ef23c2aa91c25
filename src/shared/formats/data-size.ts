// Whether a service's node fits in one ZooKeeper request, judged at load from the bytes its
// format's encoder writes (not from the config text: pairs grow into JSON, curator wraps the
// data in a ServiceInstance, spaces in the text vanish), so that data too big is a config
// error at its FILE:LINE rather than a zk_sync_failed on every retry. Pure.

import type { ZookeeperData } from '../types.js';
import type { FormatSpec } from './format.js';
import { nodeData, nodeName } from './index.js';

/** ZooKeeper's default jute.maxbuffer (0xfffff): the server drops a connection that sends a larger request. */
export const JUTE_MAX_BUFFER = 0xfffff;
/** The longest host name DNS allows (RFC 1035): the host the data and the node name are checked with. */
export const LONGEST_HOST = 'h'.repeat(253);
/** Linux's PID_MAX_LIMIT (2^22) and the highest port: the widest pid and port the data can carry. */
const WIDEST_PID = 4_194_304;
const WIDEST_PORT = 65_535;
/** A created time as wide as any this agent will write (zk_watcher's text is fixed width; Curator's milliseconds have 14 digits). */
const WIDEST_CREATED = new Date(Date.UTC(2999, 11, 31, 23, 59, 59, 999));
/**
 * What else a request carries: framing, the flags and the ACLs (ours: a digest user and
 * world read). Measured on ZooKeeper 3.8: a create with an open ACL takes path + data + 47
 * bytes; a takeover multi with a digest ACL, 2 × path + data + 523.
 */
const REQUEST_OVERHEAD = 1024;

/** The node's data bytes, with the widest host, pid, port and time it could be written with. */
export function widestDataBytes(format: FormatSpec, zookeeperPath: string, data: ZookeeperData): number {
  const text = nodeData(format, { host: LONGEST_HOST, port: WIDEST_PORT, agentHost: LONGEST_HOST, zookeeperPath, pid: WIDEST_PID, created: WIDEST_CREATED, data });
  return Buffer.byteLength(text, 'utf8');
}

/**
 * The most data bytes a node of this format under zookeeper_path may have: the request's
 * limit less its path twice (a takeover is one multi: delete and create the same path) and the rest.
 */
export function maxDataBytes(format: FormatSpec, zookeeperPath: string): number {
  const path = Buffer.byteLength(`${zookeeperPath}/${nodeName(format, LONGEST_HOST, WIDEST_PORT)}`, 'utf8');
  return JUTE_MAX_BUFFER - 2 * path - REQUEST_OVERHEAD;
}

/** What is wrong with zookeeper_data's size for this format, or null. */
export function dataSizeProblem(format: FormatSpec, zookeeperPath: string, data: ZookeeperData): string | null {
  const bytes = widestDataBytes(format, zookeeperPath, data);
  const max = maxDataBytes(format, zookeeperPath);
  if (bytes <= max) return null;
  return `makes the node's data up to ${bytes} bytes as format ${format.kind} writes it (with a 253-character host name), more than the ${max} bytes one ZooKeeper request can carry at this path (jute.maxbuffer 1 MiB)`;
}
