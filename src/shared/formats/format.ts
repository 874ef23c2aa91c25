// Which registry a service's node is written for: the shape its consumers read.
// zk_watcher (nd_service_registry), Apache Curator's ServiceDiscovery, Airbnb
// Nerve/Synapse, Twitter/Finagle ServerSets. Pure.

export const REGISTRY_FORMATS = ['zk_watcher', 'curator', 'nerve', 'serverset'] as const;
export type RegistryFormat = (typeof REGISTRY_FORMATS)[number];

/** A service's format, with the settings only that format has. */
export type FormatSpec =
  | { readonly kind: 'zk_watcher' }
  | {
      readonly kind: 'curator';
      /** ServiceInstance.sslPort; null writes null. */
      readonly sslPort: number | null;
      /** A Curator UriSpec template such as `{scheme}://{address}:{port}/`, as written in the file; null writes null. */
      readonly uriSpec: string | null;
    }
  | { readonly kind: 'nerve' }
  | { readonly kind: 'serverset' };

export const ZK_WATCHER_FORMAT: FormatSpec = { kind: 'zk_watcher' };

/** A spec's format; specs built without one (in code, in tests) are zk_watcher's. */
export function formatOf(spec: { readonly format?: FormatSpec | undefined }): FormatSpec {
  return spec.format ?? ZK_WATCHER_FORMAT;
}

/** Equal formats write equal bytes for equal facts (a reload keeps the node's bytes only then). */
export function sameFormat(a: FormatSpec, b: FormatSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
