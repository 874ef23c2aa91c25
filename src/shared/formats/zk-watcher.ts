// zk_watcher's own format: nd_service_registry's bytes, unchanged (znode.ts).

import { encodePayload } from '../znode.js';
import { hostPortName, type NodeFacts } from './facts.js';

export const zkWatcherNodeName = hostPortName;

export function zkWatcherNodeData(facts: NodeFacts): string {
  return encodePayload(facts.pid, facts.created, facts.data);
}
