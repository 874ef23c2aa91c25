// What every format's encoder is given about one service's node. Plain data.

import type { PyJson } from '../pyjson.js';
import type { ZookeeperData } from '../types.js';

export interface NodeFacts {
  /** Where consumers connect: service_hostname, or this host's FQDN. */
  readonly host: string;
  readonly port: number;
  /** This host's FQDN, whatever service_hostname says (Nerve's instance_id). */
  readonly agentHost: string;
  /** The service's zookeeper_path (Curator's <basePath>/<serviceName>). */
  readonly zookeeperPath: string;
  readonly pid: number;
  /** When the agent first built this service's node data: zk_watcher's created, Curator's registrationTimeUTC. */
  readonly created: Date;
  readonly data: ZookeeperData;
}

/** zookeeper_data as object entries; a bare JSON string is {"string_value": ...}, as nd_service_registry stored it. */
export function userEntries(data: ZookeeperData): readonly (readonly [string, PyJson])[] {
  return data.kind === 'string' ? [['string_value', { kind: 'str', value: data.value }]] : data.value.entries;
}

/** `<host>:<port>`: the node name zk_watcher, Nerve (for Synapse) and Curator (as its instance id) use here. */
export function hostPortName(host: string, port: number): string {
  return `${host}:${port}`;
}
