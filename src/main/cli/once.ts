// --once: every service's check, run once through the daemon's own CheckPool, and a
// report on stdout. No ZooKeeper session is ever created.

import { checkJob } from '../../shared/check-job.js';
import { onceExitCode, onceRows, renderOnceJson, renderOnceTable } from '../../shared/once-report.js';
import type { Config } from '../../shared/types.js';
import { CheckPool } from '../checks/pool.js';

export interface OnceOptions {
  readonly config: Config;
  readonly maxConcurrentChecks: number;
  readonly json: boolean;
  readonly checkEnv: Readonly<Record<string, string>>;
  readonly write: (text: string) => void;
}

/** Runs the checks, writes the report, and returns the exit code (0: all passed, 1: otherwise). */
export async function runOnce(options: OnceOptions): Promise<0 | 1> {
  const pool = new CheckPool({ concurrency: options.maxConcurrentChecks, env: options.checkEnv });
  let results;
  try {
    results = await Promise.all(
      options.config.services.map((spec) =>
        pool.run(checkJob(spec)),
      ),
    );
  } finally {
    // The workers would keep the process alive: end them before reporting.
    await pool.close();
  }
  const rows = onceRows(results);
  options.write(options.json ? renderOnceJson(rows) : renderOnceTable(rows));
  return onceExitCode(rows);
}
