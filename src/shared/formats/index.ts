// The one place a service's format becomes its node: the name under zookeeper_path and the
// bytes, format by format. Pure.

import type { ServiceSpec } from '../types.js';
import { curatorNodeData, curatorNodeName } from './curator.js';
import type { NodeFacts } from './facts.js';
import { formatOf, type FormatSpec, type RegistryFormat } from './format.js';
import { nerveNodeData, nerveNodeName } from './nerve.js';
import { serversetNodeData, serversetNodeName } from './serverset.js';
import { zkWatcherNodeData, zkWatcherNodeName } from './zk-watcher.js';

interface Encoder<F extends FormatSpec> {
  /** The node's name under zookeeper_path: stable for a host and port, so restarts and takeovers find it. */
  readonly nodeName: (host: string, port: number) => string;
  readonly data: (format: F, facts: NodeFacts) => string;
}

const ENCODERS: { readonly [K in RegistryFormat]: Encoder<Extract<FormatSpec, { kind: K }>> } = {
  zk_watcher: { nodeName: zkWatcherNodeName, data: (_f, facts) => zkWatcherNodeData(facts) },
  curator: { nodeName: curatorNodeName, data: curatorNodeData },
  nerve: { nodeName: nerveNodeName, data: (_f, facts) => nerveNodeData(facts) },
  serverset: { nodeName: serversetNodeName, data: (_f, facts) => serversetNodeData(facts) },
};

export function nodeName(format: FormatSpec, host: string, port: number): string {
  return ENCODERS[format.kind].nodeName(host, port);
}

export function nodeData(format: FormatSpec, facts: NodeFacts): string {
  // ENCODERS[format.kind] is the encoder of exactly this kind (the mapped type says so); TypeScript cannot correlate the two.
  return (ENCODERS[format.kind] as Encoder<FormatSpec>).data(format, facts);
}

/** The host a service registers: its service_hostname, or this host's name. */
export function serviceHost(spec: ServiceSpec, hostname: string): string {
  return spec.serviceHostname ?? hostname;
}

/** The node a service registers on this host (`hostname`: this host's FQDN). */
export function registrationPath(spec: ServiceSpec, hostname: string): string {
  return `${spec.zookeeperPath}/${nodeName(formatOf(spec), serviceHost(spec, hostname), spec.servicePort)}`;
}

/** The bytes of a service's node, built at `created` by the agent `pid` on the host `hostname`. */
export function registrationData(spec: ServiceSpec, hostname: string, pid: number, created: Date): string {
  return nodeData(formatOf(spec), {
    host: serviceHost(spec, hostname),
    port: spec.servicePort,
    agentHost: hostname,
    zookeeperPath: spec.zookeeperPath,
    pid,
    created,
    data: spec.zookeeperData,
  });
}
