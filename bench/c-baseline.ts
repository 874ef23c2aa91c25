// The C baseline for the saturation scenario: bench/spawn-loop.c, compiled with `cc -O2`
// at run time, one worker process per core, each posix_spawn + waitpid of `sh -c CMD`.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** bench/spawn-loop.c, from build/bench/ (compiled) or bench/ (sources). */
const SOURCE = fileURLToPath(new URL('../../bench/spawn-loop.c', import.meta.url));

export interface SpawnLoopResult {
  readonly workers: number;
  readonly seconds: number;
  /** runs of CMD that finished (passed or not) */
  readonly completed: number;
  readonly nonzero: number;
  readonly spawnErrors: number;
  readonly perSecond: number;
  /** CPU of the workers and every shell they ran */
  readonly cpuSeconds: number;
}

export async function runSpawnLoop(cmd: string, seconds: number, workers = availableParallelism()): Promise<SpawnLoopResult> {
  const dir = mkdtempSync(join(tmpdir(), 'zkw-bench-spawn-loop-'));
  try {
    const binary = join(dir, 'spawn-loop');
    try {
      execFileSync('cc', ['-O2', '-Wall', '-o', binary, SOURCE], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    } catch (e) {
      const err = e as Error & { stderr?: string };
      throw new Error(`C baseline: cannot compile ${SOURCE} with cc -O2 (a C compiler is needed: apt-get install gcc): ${err.stderr || err.message}`);
    }
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(binary, [String(workers), String(seconds), cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let errText = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (errText += c));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`C baseline: spawn-loop exited with ${code}: ${errText}`))));
    });
    const result = JSON.parse(output) as SpawnLoopResult;
    if (result.completed === 0) throw new Error(`C baseline: no run of sh -c ${JSON.stringify(cmd)} completed (${result.spawnErrors} spawn errors)`);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
