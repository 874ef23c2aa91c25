// `npm run bench`: sizes zk-watcher on this machine against real ZooKeeper servers.
// Prints a table (stdout; progress goes to stderr), writes the JSON results and an SVG
// chart. `npm run bench -- --help` lists the scenarios and flags.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectClient } from '../test/support/zk-client.js';
import { startZooKeeper, stopAll } from '../test/support/zookeeper.js';
import { warmUpZooKeeper } from './warm-up.js';
import { describeMachine, machineInfo } from './machine.js';
import { helpText, parseBenchArgs, type BenchOptions } from './options.js';
import { fleetScenario, type FleetResult } from './scenarios/fleet.js';
import { fleetSimScenario, type FleetSimResult } from './scenarios/fleet-sim.js';
import { fleetSimChart, fleetSimJson } from './fleet-sim/report.js';
import { flipScenario, type FlipResult } from './scenarios/flip.js';
import { saturationScenario, type SaturationResult } from './scenarios/saturation.js';
import { restScenario, type RestResult } from './scenarios/rest.js';
import { footprintScenario, type FootprintResult } from './scenarios/footprint.js';
import { soakScenario, type SoakResult } from './scenarios/soak.js';
import { startupScenario, type StartupResult } from './scenarios/startup.js';
import { stormScenario, type StormResult } from './scenarios/storm.js';
import { httpChecksScenario, type HttpChecksResult } from './scenarios/http-checks.js';
import { renderChart } from './svg.js';
import { tlsRuns } from './tls-runs.js';
import { formatBound, mark, renderTable } from './table.js';
import type { Row, ScenarioName } from './types.js';

const DEFAULT_OUT = fileURLToPath(new URL('../../bench/results/latest.json', import.meta.url));
const FLIP_SERVICES = 20;

interface Results {
  startup?: StartupResult;
  flip?: FlipResult;
  saturation?: SaturationResult;
  rest?: RestResult;
  footprint?: FootprintResult;
  storm?: StormResult;
  soak?: SoakResult;
  fleet?: FleetResult;
  'fleet-sim'?: FleetSimResult;
  'http-checks'?: HttpChecksResult;
}

const progress = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseBenchArgs(argv, DEFAULT_OUT, process.env);
  if (parsed.kind === 'help') {
    process.stdout.write(helpText() + '\n');
    return 0;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(`bench: ${parsed.message}\n(npm run bench -- --help lists the flags)\n`);
    return 2;
  }
  const o = parsed.options;
  const date = new Date();
  const machine = machineInfo();
  const results: Results = {};
  const errors: Array<{ scenario: ScenarioName; message: string }> = [];
  let zookeeperVersion: string | undefined;
  let tlsRows: Row[] = [];

  const run = async <K extends ScenarioName>(name: K, what: string, body: () => Promise<NonNullable<Results[K]>>): Promise<void> => {
    progress(`${name}: ${what}`);
    const t0 = performance.now();
    try {
      results[name] = await body();
      progress(`${name}: done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      errors.push({ scenario: name, message });
      progress(`${name}: FAILED: ${message}`);
    }
  };

  try {
    // fleet and storm start servers of their own (an ensemble; one they wipe).
    const standalone = o.scenarios.filter((s) => s !== 'fleet' && s !== 'storm' && s !== 'fleet-sim');
    if (standalone.length > 0) {
      progress('starting a standalone ZooKeeper');
      const zk = await startZooKeeper({ maxSessionTimeout: 60_000 });
      zookeeperVersion = (await zk.mntr()).zk_version;
      const observer = await connectClient(zk.connectString);
      progress('warming up ZooKeeper (a JVM answers slowly at first; a production server is warm)');
      await warmUpZooKeeper(observer);
      try {
        for (const name of standalone) {
          if (name === 'startup') await run('startup', `${o.services} services, ${o.steady} s steady`, () => startupScenario(zk.connectString, observer, o.services, o.steady, o.agentArgs));
          if (name === 'flip') await run('flip', `${o.flips} flips over ${FLIP_SERVICES} services`, () => flipScenario(zk.connectString, observer, FLIP_SERVICES, o.flips, o.agentArgs));
          if (name === 'rest') await run('rest', `a bare node process, then 10 services at refresh 30 s, ${o.restSeconds} s each`, () => restScenario(zk.connectString, observer, o.restSeconds, o.agentArgs, o.original));
          if (name === 'footprint') await run('footprint', `${o.footprintSizes.join(', ')} services, ${o.footprintSeconds} s each`, () => footprintScenario(zk.connectString, observer, o.footprintSizes, o.footprintSeconds, o.agentArgs, o.original));
          if (name === 'http-checks') {
            const what = `${o.httpChecksServices} services at refresh 1 s as http: checks, then as cmd: curl, ${o.httpChecksSeconds} s each`;
            await run('http-checks', what, () => httpChecksScenario(zk.connectString, observer, { services: o.httpChecksServices, seconds: o.httpChecksSeconds, warmupSeconds: o.quick ? 3 : 5, agentArgs: o.agentArgs }));
          }
          if (name === 'soak') await run('soak', `${o.soakServices} services for ${o.soakSeconds} s`, () => soakScenario(zk.connectString, observer, o.soakServices, o.soakSeconds, o.agentArgs));
          if (name === 'saturation') {
            const what = `C loop for ${o.saturationSeconds} s, then ${o.saturationServices} services at refresh 1 s (${o.saturationWarmup} s warm-up + ${o.saturationSeconds} s)`;
            await run('saturation', what, () =>
              saturationScenario(zk.connectString, observer, {
                services: o.saturationServices,
                seconds: o.saturationSeconds,
                warmupSeconds: o.saturationWarmup,
                cmd: o.saturationCmd,
                agentArgs: o.agentArgs,
              }),
            );
          }
        }
      } finally {
        await observer.close();
        await zk.stop();
      }
    }
    // --tls: startup and flip again over TLS, their rows beside the plain ones.
    tlsRows = await tlsRuns(o, FLIP_SERVICES, progress, (scenario, message) => errors.push({ scenario, message }));
    if (o.scenarios.includes('storm')) {
      await run('storm', `${o.services} services: the first start, then ZooKeeper back without its data, twice (default write limit, then 100/s)`, () => stormScenario(o.services, o.agentArgs));
    }
    if (o.scenarios.includes('fleet')) {
      const what = `3-server ensemble, ${o.fleetAgents} agents x ${o.fleetServices} services, refresh ${o.fleetRefresh} s, ${o.fleetSeconds} s measured`;
      await run('fleet', what, () => fleetScenario({ agents: o.fleetAgents, services: o.fleetServices, refresh: o.fleetRefresh, seconds: o.fleetSeconds, agentArgs: o.agentArgs }));
      zookeeperVersion ??= results.fleet?.zookeeperVersion;
    }
    if (o.scenarios.includes('fleet-sim')) {
      const where = o.servers === null ? 'a 3-server ensemble of its own' : o.servers;
      const what = `${o.fleetSimHosts} simulated hosts x ${o.fleetSimServices} services against ${where}, refresh ${o.fleetSimRefresh} s, session timeout ${o.fleetSimSessionTimeout} s`;
      const f = results.fleet;
      await run('fleet-sim', what, () =>
        fleetSimScenario({
          hosts: o.fleetSimHosts,
          services: o.fleetSimServices,
          refresh: o.fleetSimRefresh,
          sessionTimeout: o.fleetSimSessionTimeout,
          seconds: o.fleetSimSeconds,
          servers: o.servers,
          restarts: o.fleetSimRestarts,
          writesPerSecond: 500,
          realAgents: f === undefined ? null : { agents: o.fleetAgents, services: o.fleetServices, perHost: f.perHost },
          logFile: o.out.replace(/(\.json)?$/, '-fleet-sim.log'),
          progress,
        }),
      );
      zookeeperVersion ??= results['fleet-sim']?.zookeeperVersion;
    }
  } finally {
    await stopAll();
  }

  const rows = o.scenarios.flatMap((name) => [...(results[name]?.rows ?? []), ...tlsRows.filter((r) => r.scenario.startsWith(`${name},`) || r.scenario.startsWith(`${name} `))]);
  const machineLine = describeMachine(machine, zookeeperVersion, date);
  process.stdout.write(`zk-watcher bench: ${machineLine}\n\n${renderTable(rows)}`);
  for (const e of errors) process.stdout.write(`\n${e.scenario}: FAILED: ${e.message}\n`);

  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, JSON.stringify(resultsJson(o, date, machine, zookeeperVersion, rows, errors, results), null, 2) + '\n');
  mkdirSync(dirname(o.svg), { recursive: true });
  writeFileSync(o.svg, chart(machineLine, results));
  process.stdout.write(`\nwrote ${o.out}\nwrote ${o.svg}\n`);
  if (results['fleet-sim'] !== undefined) {
    const svg = o.svg.replace(/(\.svg)?$/, '-fleet-sim.svg');
    writeFileSync(svg, fleetSimChart(machineLine, results['fleet-sim'], o.fleetSimServices));
    process.stdout.write(`wrote ${svg}\n`);
  }
  return errors.length > 0 ? 1 : 0;
}

function resultsJson(
  o: BenchOptions,
  date: Date,
  machine: ReturnType<typeof machineInfo>,
  zookeeperVersion: string | undefined,
  rows: readonly Row[],
  errors: ReadonlyArray<{ scenario: string; message: string }>,
  r: Results,
): unknown {
  return {
    date: date.toISOString(),
    machine: { ...machine, zookeeper: zookeeperVersion ?? null },
    options: o,
    rows: rows.map((row) => ({ ...row, targetText: formatBound(row.target), goalText: formatBound(row.goal), mark: mark(row) })),
    errors,
    scenarios: {
      startup: r.startup && { services: r.startup.services, curve: r.startup.curve },
      flip: r.flip && { latenciesMs: r.flip.latenciesMs },
      saturation: r.saturation && { cLoop: r.saturation.cLoop, agent: r.saturation.agent, ratio: r.saturation.ratio },
      rest: r.rest && { bare: r.rest.bare, agent: r.rest.agent, original: r.rest.original },
      footprint: r.footprint && { bare: r.footprint.bare, sizes: r.footprint.sizes, original: r.footprint.original },
      storm: r.storm && { runs: r.storm.runs },
      soak: r.soak && { samples: r.soak.samples },
      fleet: r.fleet && { allRegisteredMs: r.fleet.allRegisteredMs, load: r.fleet.load, perHost: r.fleet.perHost },
      'fleet-sim': r['fleet-sim'] && fleetSimJson(r['fleet-sim']),
      'http-checks': r['http-checks'] && { services: r['http-checks'].services, runs: r['http-checks'].runs },
    },
  };
}

function chart(machineLine: string, r: Results): string {
  const s = r.saturation;
  return renderChart({
    machine: machineLine,
    ...(s && {
      saturation: { cmd: s.options.cmd, services: s.services, workers: s.cLoop.workers, cLoopPerSecond: s.cLoop.perSecond, agentPerSecond: s.agent.checksPerSecond, targetRatio: 0.6, goalRatio: 0.9 },
    }),
    ...(r.startup && { startup: { services: r.startup.services, curve: r.startup.curve, ...(r.startup.services === 1000 && { targetMs: 3000 }) } }),
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
    void stopAll().finally(() => process.exit(1));
  },
);
