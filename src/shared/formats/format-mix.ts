// Two formats in one zookeeper_path: each format's readers list every child of the path, so
// one reads the other's nodes as its own (Curator's queryForInstances fails on a node it
// cannot read; Synapse logs and skips it). A warning per later section. Pure.

import type { Problem } from '../problems.js';
import type { ServiceSpec } from '../types.js';
import { formatOf } from './format.js';

export function formatMixProblems(services: readonly ServiceSpec[]): Problem[] {
  const firstByPath = new Map<string, ServiceSpec>();
  const problems: Problem[] = [];
  for (const s of services) {
    const first = firstByPath.get(s.zookeeperPath);
    if (first === undefined) {
      firstByPath.set(s.zookeeperPath, s);
      continue;
    }
    const [a, b] = [formatOf(first).kind, formatOf(s).kind];
    if (a === b) continue;
    problems.push({
      file: s.source.file,
      line: s.source.line,
      severity: 'warning',
      key: 'format',
      message: `[${s.name}] registers ${b} nodes in ${s.zookeeperPath}, where [${first.name}] (${first.source.file}:${first.source.line}) registers ${a} nodes: readers of either format read every node of the path, the other's too`,
    });
  }
  return problems;
}
