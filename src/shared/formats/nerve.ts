// Airbnb Nerve's node data, as Synapse's ZooKeeper watcher reads it: JSON with host, port
// (a number) and name (Nerve's instance_id: this host), zookeeper_data on top of them (where
// weight, haproxy_server_options and labels come from). Synapse reads every child of the
// path whatever its name, so the node keeps the stable <host>:<port> name. Pure.

import { hostPortName, userEntries, type NodeFacts } from './facts.js';
import { mergeOnTop, strictJson } from './json.js';

export const nerveNodeName = hostPortName;

export function nerveNodeData(facts: NodeFacts): string {
  const entries = mergeOnTop(
    [
      ['host', { kind: 'str', value: facts.host }],
      ['port', { kind: 'int', digits: String(facts.port) }],
      ['name', { kind: 'str', value: facts.agentHost }],
    ],
    userEntries(facts.data),
  );
  return strictJson({ kind: 'object', entries });
}
