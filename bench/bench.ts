// `npm run bench`: sizes zk-watcher on this machine against a real ZooKeeper.
// Prints a table and writes bench/results/latest.json. Flags:
//   --services N      services in the startup/steady/stop scenario (default 1000)
//   --steady S        seconds of steady state measured for CPU and memory (default 10)
//   --flips N         failing-check flips measured for latency (default 40)
//   --out FILE        where the JSON goes (default bench/results/latest.json)

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { connectClient } from '../test/support/zk-client.js';
import { startZooKeeper, stopAll } from '../test/support/zookeeper.js';
import { flipLatency, startupSteadyStop, type Row } from './scenarios.js';

const DEFAULT_OUT = fileURLToPath(new URL('../../bench/results/latest.json', import.meta.url));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      services: { type: 'string', default: '1000' },
      steady: { type: 'string', default: '10' },
      flips: { type: 'string', default: '40' },
      out: { type: 'string', default: DEFAULT_OUT },
    },
  });
  const n = Number(values.services);
  const zk = await startZooKeeper({ maxSessionTimeout: 60_000 });
  const observer = await connectClient(zk.connectString);
  const rows: Row[] = [];
  try {
    rows.push(...(await startupSteadyStop(zk.connectString, observer, n, Number(values.steady))));
    rows.push(...(await flipLatency(zk.connectString, observer, 20, Number(values.flips))));
  } finally {
    await observer.close();
    await stopAll();
  }
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
  printTable(rows, machine);
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, JSON.stringify({ date: new Date().toISOString(), machine, rows }, null, 2) + '\n');
  process.stdout.write(`\nwrote ${values.out}\n`);
}

function printTable(rows: readonly Row[], machine: Record<string, unknown>): void {
  const cells = rows.map((r) => [r.scenario, r.metric, format(r.value), r.unit, r.target ?? '']);
  const head = ['scenario', 'metric', 'value', 'unit', 'target'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => (i === 2 ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join('  ');
  process.stdout.write(`zk-watcher bench on ${JSON.stringify(machine)}\n\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const c of cells) process.stdout.write(line(c) + '\n');
}

function format(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
    void stopAll().finally(() => process.exit(1));
  },
);
