// `zk-watcher check` (and --check-config): the config judged as a start or reload would,
// every problem printed, and the verdict as the exit code: 0 usable, 2 not (with
// --strict, a warning is enough: a typo in an optional key silently drops what it set).

import { formatProblem, hasErrors, type Problem } from '../../shared/problems.js';
import type { Config } from '../../shared/types.js';

export interface CheckOutput {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export function reportCheck(config: Config | null, problems: readonly Problem[], strict: boolean, out: CheckOutput): number {
  for (const p of problems) out.stderr(formatProblem(p) + '\n');
  if (config === null || hasErrors(problems)) {
    out.stderr('zk-watcher: the config has errors; it cannot be used\n');
    return 2;
  }
  const warnings = problems.length;
  if (strict && warnings > 0) {
    out.stderr(`zk-watcher: the config has ${warnings === 1 ? 'a warning' : `${warnings} warnings`}, and --strict refuses ${warnings === 1 ? 'it' : 'them'}\n`);
    return 2;
  }
  const n = config.services.length;
  out.stdout(`zk-watcher: the config can be used: ${n} ${n === 1 ? 'service' : 'services'}${warnings === 0 ? '' : ` (${warnings === 1 ? '1 warning' : `${warnings} warnings`})`}\n`);
  return 0;
}
