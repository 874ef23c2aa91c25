// Runs one of the Python reference scripts in test/support with JSON on stdin.
// python3 missing is a failure, never a skip.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function runPythonReference<T>(script: string, input: unknown): T {
  const path = fileURLToPath(new URL(`../../../test/support/${script}`, import.meta.url));
  const r = spawnSync('python3', [path], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new Error(`python3 is needed as the reference for this test: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${script} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
