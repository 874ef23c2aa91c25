// Which nodes should exist: the one function that decides it, from each service's
// health and maintenance and the old nodes kept while a moved service's new node is
// not yet confirmed (make-before-break). Also where two services that would write the
// same node are found. Pure.

import { wantRegistered } from './maintenance.js';
import type { Problem } from './problems.js';
import type { ServiceSpec, SourceRef } from './types.js';
import { registrationPath } from './formats/index.js';
import { formatMixProblems } from './formats/format-mix.js';

export interface ServiceNodeInput {
  readonly name: string;
  /** The node this service registers: <zookeeper_path>/<node name of its format> (formats/index.ts). */
  readonly path: string;
  readonly healthy: boolean | null;
  readonly maintenance: boolean;
}

/** A moved service's old node, kept until ZooKeeper confirms the new one (or a deadline passes). */
export interface PendingReplacement {
  readonly oldPath: string;
  readonly service: string;
}

/** Why a node should exist: as its service's own node, or as the old node of a moved one. */
export interface DesiredNode {
  readonly service: string;
  readonly kind: 'current' | 'replaced';
}

export function desiredNodes(services: readonly ServiceNodeInput[], replacements: readonly PendingReplacement[] = []): Map<string, DesiredNode> {
  const nodes = new Map<string, DesiredNode>();
  const byName = new Map(services.map((s) => [s.name, s]));
  // A path some service names is that service's to decide, wanted or not.
  const claimed = new Set(services.map((s) => s.path));
  for (const s of services) {
    if (wantRegistered(s.healthy, s.maintenance) && !nodes.has(s.path)) nodes.set(s.path, { service: s.name, kind: 'current' });
  }
  for (const r of replacements) {
    const s = byName.get(r.service);
    // The old node bridges the gap only while its service still wants a node elsewhere.
    if (s === undefined || claimed.has(r.oldPath) || !wantRegistered(s.healthy, s.maintenance) || nodes.has(r.oldPath)) continue;
    nodes.set(r.oldPath, { service: r.service, kind: 'replaced' });
  }
  return nodes;
}

export interface NamedNode {
  readonly name: string;
  readonly path: string;
  readonly source: SourceRef;
}

/** Paths that more than one service names, each with those services in config order. */
export function duplicateNodes<T extends NamedNode>(services: readonly T[]): { path: string; services: T[] }[] {
  const byPath = new Map<string, T[]>();
  for (const s of services) {
    const list = byPath.get(s.path);
    if (list === undefined) byPath.set(s.path, [s]);
    else list.push(s);
  }
  return [...byPath].filter(([, list]) => list.length > 1).map(([path, list]) => ({ path, services: list }));
}

/**
 * One error per later section that names a node an earlier one already names: whether
 * that node exists would depend on which of their checks ran last.
 */
export function duplicateNodeProblems(services: readonly NamedNode[]): Problem[] {
  const problems: Problem[] = [];
  for (const { path, services: list } of duplicateNodes(services)) {
    const first = list[0]!;
    for (const s of list.slice(1)) {
      problems.push({
        file: s.source.file,
        line: s.source.line,
        severity: 'error',
        message: `[${s.name}] registers the same node ${path} as [${first.name}] (${first.source.file}:${first.source.line}); give each section its own zookeeper_path, service_hostname or service_port`,
      });
    }
  }
  return problems;
}

/** The config's services as the nodes they would register on this host, checked for two that share one (and for two formats in one path). */
export function configNodeProblems(services: readonly ServiceSpec[], hostname: string): Problem[] {
  const nodes = duplicateNodeProblems(services.map((s) => ({ name: s.name, path: registrationPath(s, hostname), source: s.source })));
  return [...nodes, ...formatMixProblems(services)];
}
