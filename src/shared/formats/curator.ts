// Apache Curator's ServiceDiscovery: zookeeper_path is <basePath>/<serviceName>, the node
// <zookeeper_path>/<id> holds a ServiceInstance as Curator 5's JsonInstanceSerializer writes
// it (fields in its order; payload a Map tagged with @class, or null). Pure.

import { hostPortName, userEntries, type NodeFacts } from './facts.js';
import type { FormatSpec } from './format.js';
import { strictJson } from './json.js';

export type CuratorFormat = Extract<FormatSpec, { kind: 'curator' }>;

/** One token of a UriSpec: literal text, or a {variable} Curator fills in (scheme, address, port, ...). */
export interface UriPart {
  readonly value: string;
  readonly variable: boolean;
}

/**
 * The instance id, which Curator also uses as the node name: <host>:<port>, so a restarted
 * agent writes the same node (and can take it over), and an operator reads whose it is.
 */
export const curatorNodeName = hostPortName;

/** The service name Curator queries by: the last segment of zookeeper_path. */
export function curatorServiceName(zookeeperPath: string): string {
  return zookeeperPath.slice(zookeeperPath.lastIndexOf('/') + 1);
}

/**
 * new UriSpec(template) as Curator parses it: literal text and {variables} (trimmed), no
 * nesting, every { closed. The parts, or what is wrong with the template.
 */
export function parseUriSpec(template: string): UriPart[] | string {
  const parts: UriPart[] = [];
  let inside = false;
  for (const token of template.split(/([{}])/)) {
    if (token === '') continue;
    if (token === '{') {
      if (inside) return "has a '{' inside a {variable}";
      inside = true;
    } else if (token === '}') {
      if (!inside) return "has a '}' without a '{' before it";
      inside = false;
    } else {
      parts.push({ value: inside ? javaTrim(token) : token, variable: inside });
    }
  }
  return inside ? "ends inside a {variable}: a '}' is missing" : parts;
}

export function curatorNodeData(format: CuratorFormat, facts: NodeFacts): string {
  const entries = userEntries(facts.data);
  // Curator reads a Map payload only with its class named first; no data is a null payload,
  // which consumers built for any payload class (Void included) accept.
  const payload = entries.length === 0 ? 'null' : strictJson({ kind: 'object', entries: [['@class', { kind: 'str', value: 'java.util.LinkedHashMap' }], ...entries] });
  const fields: [string, string][] = [
    ['name', JSON.stringify(curatorServiceName(facts.zookeeperPath))],
    ['id', JSON.stringify(curatorNodeName(facts.host, facts.port))],
    ['address', JSON.stringify(facts.host)],
    ['port', String(facts.port)],
    ['sslPort', format.sslPort === null ? 'null' : String(format.sslPort)],
    ['payload', payload],
    ['registrationTimeUTC', String(facts.created.getTime())],
    // DYNAMIC: an ephemeral registration, as ServiceDiscovery.registerService makes it.
    ['serviceType', '"DYNAMIC"'],
    ['uriSpec', uriSpecJson(format.uriSpec)],
  ];
  return `{${fields.map(([k, v]) => `"${k}":${v}`).join(',')}}`;
}

function uriSpecJson(template: string | null): string {
  if (template === null) return 'null';
  const parts = parseUriSpec(template);
  // Config refused a template that does not parse; kept total, such a template writes none.
  if (typeof parts === 'string') return 'null';
  return `{"parts":[${parts.map((p) => `{"value":${JSON.stringify(p.value)},"variable":${p.variable}}`).join(',')}]}`;
}

/** String.trim() in Java: every character up to U+0020 goes from both ends, and nothing else. */
function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 0x20) start++;
  while (end > start && s.charCodeAt(end - 1) <= 0x20) end--;
  return s.slice(start, end);
}
