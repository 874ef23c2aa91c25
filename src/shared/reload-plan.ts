// What a reload does to each service, from the running services and the re-read
// config: the diff, decided in one place. Pure.

import { formatOf, sameFormat } from './formats/format.js';
import type { ServiceSpec } from './types.js';

export interface PlannedService {
  readonly spec: ServiceSpec;
  /** The node it registers (paths need the host's name, so the caller computes them). */
  readonly path: string;
}

export type ReloadStep =
  /** Unchanged: its chain, health and node stay exactly as they are. */
  | { readonly kind: 'keep'; readonly name: string }
  /** Gone from the config: its checks stop and its node goes. */
  | { readonly kind: 'remove'; readonly name: string }
  /** New: its checks start, health unknown until the first result. */
  | { readonly kind: 'add'; readonly name: string }
  /**
   * Changed, or renamed with its node unchanged: its checks restart with the health of
   * `inheritFrom` (so a healthy service stays registered), its node's bytes are kept when
   * path, data and format are the same, and a node that moved (a new path, or a format that
   * names nodes otherwise) is replaced make-before-break.
   */
  | { readonly kind: 'restart'; readonly name: string; readonly inheritFrom: string; readonly keepPayload: boolean; readonly movedFrom: string | null };

export interface ReloadPlan {
  readonly steps: readonly ReloadStep[];
  readonly counts: { readonly added: number; readonly removed: number; readonly changed: number; readonly unchanged: number };
}

export function planReload(current: readonly PlannedService[], next: readonly PlannedService[]): ReloadPlan {
  const steps: ReloadStep[] = [];
  const counts = { added: 0, removed: 0, changed: 0, unchanged: 0 };
  const wanted = new Map(next.map((s) => [s.spec.name, s]));
  /** Removed services by the node they held: a new section with the same node takes it over. */
  const removedByPath = new Map<string, PlannedService>();
  for (const before of current) {
    const after = wanted.get(before.spec.name);
    if (after === undefined) {
      counts.removed++;
      removedByPath.set(before.path, before);
      continue;
    }
    if (sameService(before.spec, after.spec) && before.path === after.path) {
      counts.unchanged++;
      steps.push({ kind: 'keep', name: before.spec.name });
      continue;
    }
    counts.changed++;
    steps.push(restart(after, before));
  }
  const known = new Set(current.map((s) => s.spec.name));
  for (const after of next) {
    if (known.has(after.spec.name)) continue;
    counts.added++;
    const renamedFrom = removedByPath.get(after.path);
    if (renamedFrom === undefined) {
      steps.push({ kind: 'add', name: after.spec.name });
      continue;
    }
    // A renamed section that keeps its node: it inherits what the old name knew, no flap.
    removedByPath.delete(after.path);
    steps.push(restart(after, renamedFrom));
  }
  for (const gone of current) if (!wanted.has(gone.spec.name)) steps.push({ kind: 'remove', name: gone.spec.name });
  return { steps, counts };
}

function restart(after: PlannedService, before: PlannedService): ReloadStep {
  const samePath = after.path === before.path;
  return {
    kind: 'restart',
    name: after.spec.name,
    inheritFrom: before.spec.name,
    // A new format (or its keys) at the same path is new bytes: the node's data is rewritten in place.
    keepPayload: samePath && JSON.stringify(after.spec.zookeeperData) === JSON.stringify(before.spec.zookeeperData) && sameFormat(formatOf(after.spec), formatOf(before.spec)),
    movedFrom: samePath ? null : before.path,
  };
}

/** Equal in everything but where in the files it was written. */
export function sameService(a: ServiceSpec, b: ServiceSpec): boolean {
  return JSON.stringify({ ...a, source: null }) === JSON.stringify({ ...b, source: null });
}
