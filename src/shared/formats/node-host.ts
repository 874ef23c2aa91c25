// Which host a registry node is for, read from its data whatever format wrote it: a
// ServerSet member's serviceEndpoint.host, a Curator instance's address, a Nerve node's host.
// zk_watcher data names no host (its node name does). Pure.

/** The host the node's data names, or null (not JSON, not an object, or no such field). */
export function hostInNodeData(data: string): string | null {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isObject(json)) return null;
  const endpoint = json['serviceEndpoint'];
  if (isObject(endpoint)) return nonEmpty(endpoint['host']);
  return nonEmpty(json['address']) ?? nonEmpty(json['host']);
}

/** The host of a node named `host:port` (zk_watcher, Curator's id here, Nerve), or null for any other name (member_…, a Curator UUID). */
export function hostInNodeName(name: string): string | null {
  const colon = name.lastIndexOf(':');
  if (colon <= 0 || !/^[0-9]+$/.test(name.slice(colon + 1))) return null;
  return name.slice(0, colon);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonEmpty(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}
