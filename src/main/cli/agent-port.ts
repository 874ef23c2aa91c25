// The status port `status` and `registry` ask when not told: read from this process's
// environment and the packaged unit's defaults file (see defaultAgentPort).

import { readFileSync } from 'node:fs';
import { defaultAgentPort, UNIT_DEFAULTS_FILE } from '../../shared/status-args.js';

export function agentPortDefault(env: NodeJS.ProcessEnv = process.env): number {
  let text: string | null = null;
  try {
    text = readFileSync(UNIT_DEFAULTS_FILE, 'utf8');
  } catch {
    // Not installed from the package, or not readable: the other defaults hold.
  }
  return defaultAgentPort(env.ZK_STATUS_PORT, text);
}
