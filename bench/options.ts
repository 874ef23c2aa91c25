// The bench's command line: flags, their defaults (normal and --quick), and --help. Pure.

import { parseArgs } from 'node:util';
import { SCENARIOS, type ScenarioName } from './types.js';

export interface BenchOptions {
  readonly scenarios: readonly ScenarioName[];
  readonly quick: boolean;
  readonly services: number;
  readonly steady: number;
  readonly flips: number;
  /** 'auto': 3000, or more if the C loop runs more than 2000 a second (see saturation.ts) */
  readonly saturationServices: number | 'auto';
  readonly saturationSeconds: number;
  readonly saturationWarmup: number;
  readonly saturationCmd: string;
  /** rest: seconds measured, for the bare Node process and for the agent each */
  readonly restSeconds: number;
  /** footprint: seconds measured at each size */
  readonly footprintSeconds: number;
  /** soak: how long the agent runs, and how many services */
  readonly soakSeconds: number;
  readonly soakServices: number;
  /** footprint: the service counts measured, in order */
  readonly footprintSizes: readonly number[];
  readonly fleetAgents: number;
  readonly fleetServices: number;
  readonly fleetRefresh: number;
  readonly fleetSeconds: number;
  readonly fleetSimHosts: number;
  readonly fleetSimServices: number;
  readonly fleetSimRefresh: number;
  readonly fleetSimSessionTimeout: number;
  readonly fleetSimSeconds: number;
  /** http-checks: services at refresh 1 s, and seconds measured for each of http: and curl */
  readonly httpChecksServices: number;
  readonly httpChecksSeconds: number;
  /** fleet-sim: an operator's ensemble (never restarted); null: one the bench starts */
  readonly servers: string | null;
  /** fleet-sim: the restarts of its own ensemble, in order (each with the jitter and cap on, then off) */
  readonly fleetSimRestarts: readonly FleetSimRestart[];
  readonly agentArgs: readonly string[];
  /** The Python original's command (rest and footprint run it beside the agent); null: not run. */
  readonly original: string | null;
  readonly out: string;
  readonly svg: string;
  /** startup and flip: run again over TLS (a TLS-only ZooKeeper, a client certificate), beside the plain runs */
  readonly tls: boolean;
}

export type ParsedBenchArgs = { kind: 'run'; options: BenchOptions } | { kind: 'help' } | { kind: 'error'; message: string };

type NumberKey = { [K in keyof BenchOptions]: BenchOptions[K] extends number ? K : never }[keyof BenchOptions];

interface NumberFlag {
  readonly key: NumberKey;
  readonly normal: number;
  readonly quick: number;
  readonly integer: boolean;
  readonly arg: string;
  readonly help: string;
}

const NUMBER_FLAGS: Record<string, NumberFlag> = {
  services: { key: 'services', normal: 1000, quick: 200, integer: true, arg: 'N', help: 'startup (refresh 1 s and 5 s mixed) and storm: services' },
  steady: { key: 'steady', normal: 10, quick: 4, integer: false, arg: 'SECONDS', help: 'startup: steady state measured for CPU and RSS' },
  flips: { key: 'flips', normal: 40, quick: 10, integer: true, arg: 'N', help: 'flip: failing-check flips timed, for p50/p99' },
  'saturation-seconds': { key: 'saturationSeconds', normal: 10, quick: 5, integer: false, arg: 'SECONDS', help: 'saturation: measured, for the C loop and the agent' },
  'saturation-warmup': { key: 'saturationWarmup', normal: 5, quick: 3, integer: false, arg: 'SECONDS', help: 'saturation: not measured after the agent starts' },
  'rest-seconds': { key: 'restSeconds', normal: 60, quick: 20, integer: false, arg: 'SECONDS', help: 'rest: measured for a bare node process, then the agent' },
  'footprint-seconds': { key: 'footprintSeconds', normal: 30, quick: 10, integer: false, arg: 'SECONDS', help: 'footprint: measured at each size, /metrics scraped every 5 s' },
  'soak-seconds': { key: 'soakSeconds', normal: 120, quick: 60, integer: false, arg: 'SECONDS', help: 'soak: how long it runs (slopes after 60 s, or half of a shorter run); an hour: 3600' },
  'soak-services': { key: 'soakServices', normal: 500, quick: 100, integer: true, arg: 'N', help: 'soak: services, a tenth of them flapping' },
  'fleet-agents': { key: 'fleetAgents', normal: 24, quick: 8, integer: true, arg: 'K', help: 'fleet: agents, one per simulated host (host-<k>)' },
  'fleet-services': { key: 'fleetServices', normal: 20, quick: 10, integer: true, arg: 'M', help: 'fleet: services per agent' },
  'fleet-refresh': { key: 'fleetRefresh', normal: 5, quick: 5, integer: false, arg: 'SECONDS', help: 'fleet: refresh of every fleet service' },
  'fleet-seconds': { key: 'fleetSeconds', normal: 20, quick: 10, integer: false, arg: 'SECONDS', help: "fleet: measured, from the servers' mntr and /proc" },
  'fleet-sim-hosts': { key: 'fleetSimHosts', normal: 1000, quick: 200, integer: true, arg: 'N', help: 'fleet-sim: simulated hosts (one session each)' },
  'fleet-sim-services': { key: 'fleetSimServices', normal: 20, quick: 10, integer: true, arg: 'M', help: 'fleet-sim: services per host' },
  'fleet-sim-refresh': { key: 'fleetSimRefresh', normal: 5, quick: 5, integer: false, arg: 'SECONDS', help: 'fleet-sim: refresh of every (synthetic, passing) check' },
  'fleet-sim-session-timeout': { key: 'fleetSimSessionTimeout', normal: 10, quick: 10, integer: false, arg: 'SECONDS', help: "fleet-sim: every host's --session-timeout" },
  'http-checks-services': { key: 'httpChecksServices', normal: 500, quick: 200, integer: true, arg: 'N', help: 'http-checks: services at refresh 1 s, one local URL' },
  'http-checks-seconds': { key: 'httpChecksSeconds', normal: 20, quick: 10, integer: false, arg: 'SECONDS', help: 'http-checks: measured for http: checks, then cmd: curl' },
  'fleet-sim-seconds': { key: 'fleetSimSeconds', normal: 20, quick: 10, integer: false, arg: 'SECONDS', help: 'fleet-sim: each steady window' },
};

const DEFAULT_CMD = 'true';
/** rolling: members one after another; all: at once; wiped: at once, started again without their data */
export const FLEET_SIM_RESTARTS = ['rolling', 'all', 'wiped'] as const;
export type FleetSimRestart = (typeof FLEET_SIM_RESTARTS)[number];
const FOOTPRINT_SIZES = { normal: [10, 1000, 10_000], quick: [10, 1000] };

export function helpText(): string {
  const row = (flag: string, normal: string, quick: string, meaning: string) => `  ${flag.padEnd(30)} ${normal.padEnd(8)} ${quick.padEnd(8)} ${meaning}`.trimEnd();
  return [
    'Usage: npm run bench -- [flags]        (or: node build/bench/bench.js [flags])',
    '',
    'Sizes zk-watcher on this machine: starts real ZooKeeper servers, runs the agent',
    '(dist/main/cli.js) on generated INI files, measures it from outside (a second',
    "ZooKeeper client, /proc, the servers' mntr), prints a table and writes JSON and",
    'an SVG chart. Every ratio and target is judged on figures from this one run.',
    '',
    'Scenarios (--scenarios, comma-separated; default: all, in this order):',
    '  startup     N services: time until all are registered (and the curve), steady',
    '              CPU and RSS, SIGTERM until exit with every node deleted',
    '  flip        a check that starts failing: time until its node is gone (p50/p99)',
    '  saturation  C loop of posix_spawn+waitpid (one per core) vs. the agent running',
    '              N services at refresh 1 s: completed checks/s and their ratio',
    '  rest        10 services at refresh 30 s beside a bare node process: CPU',
    '              seconds per hour, wakeups/s, RSS (judged against zk_watcher)',
    '  footprint   10, 1000 and 10,000 services (--footprint-sizes) beside a bare',
    '              node process: RSS, anon, PSS, heap, CPU, /metrics cost, how',
    '              evenly checks run (rate, schedule lag, event-loop delay)',
    '  storm       N services (--services): the first start, then ZooKeeper back',
    '              without its data: time until every node is back, peak creates/s',
    '              (default write limit, then --max-writes-per-second 100)',
    '  soak        N services, a tenth flapping, SIGHUP every 30 s: slopes of RSS,',
    '              heap, fds, threads; zombies, sessions, missing and stale nodes',
    '  fleet       K agents (one per simulated host) against a 3-server ensemble:',
    '              what the fleet costs ZooKeeper, per host, extrapolated linearly',
    '  fleet-sim   N simulated hosts in one process (the agent\'s session, registration',
    '              table and write limiter each; synthetic checks) against a 3-server',
    '              ensemble: steady state, a partition of a tenth of the hosts, rolling',
    '              and all-at-once restarts (and one without the data) with the jitter',
    '              and write cap on and off, seen by the hosts and by an independent',
    '              observer (kazoo); measured beside the linear extrapolation from 24',
    '              hosts',
    '  http-checks N services at refresh 1 s checking a local URL, as http: checks',
    '              and as cmd: curl -sf: checks/s, CPU per 1000 checks, RSS, lag',
    '',
    row('Flags', 'default', '--quick', 'meaning'),
    row('--scenarios LIST', 'all', 'all', SCENARIOS.join(',')),
    row('--quick', '', '', 'smaller, shorter runs (startup at 200 services'),
    row('', '', '', 'is not judged against the 1000-service targets)'),
    ...Object.entries(NUMBER_FLAGS).map(([name, f]) => row(`--${name} ${f.arg}`, String(f.normal), String(f.quick), f.help)),
    row('--saturation-services N', 'auto', 'auto', 'saturation: services, all at refresh 1 s; auto:'),
    row('', '', '', "3000, or 1.5 x the C loop's runs/s if more"),
    row('--saturation-cmd CMD', DEFAULT_CMD, DEFAULT_CMD, 'saturation: the command (sh -c CMD) of every'),
    row('', '', '', 'check and of the C loop'),
    row('--footprint-sizes LIST', FOOTPRINT_SIZES.normal.join(','), FOOTPRINT_SIZES.quick.join(','), 'footprint: service counts, comma-separated'),
    row('--agent-arg ARG', '', '', 'pass ARG to every agent; repeatable, e.g.'),
    row('', '', '', '--agent-arg=--max-concurrent-checks=64'),
    row('--original CMD', '', '', "rest and footprint: run Nextdoor's zk_watcher"),
    row('', '', '', 'too, as CMD -c FILE -s SERVERS (default:'),
    row('', '', '', '$ZK_WATCHER_ORIGINAL; see README, "Measured")'),
    row('--fleet-sim-restarts LIST', 'all 3', 'all 3', `fleet-sim: restarts of its own ensemble, some of`),
    row('', '', '', `${FLEET_SIM_RESTARTS.join(',')}, or none`),
    row('--servers LIST', '', '', 'fleet-sim: an existing ensemble instead of its own'),
    row('', '', '', '(host:port,...). It makes the load of the whole fleet'),
    row('', '', '', 'there; restarts are skipped, nothing is wiped'),
    row('--tls', '', '', 'startup and flip: also over TLS (a TLS-only'),
    row('', '', '', 'ZooKeeper, --zk-tls with a client certificate),'),
    row('', '', '', 'rows marked (TLS) beside the plain ones'),
    row('--out FILE', '', '', 'the JSON results (bench/results/latest.json)'),
    row('--svg FILE', '', '', 'the chart (default: the JSON path, .svg)'),
    row('-h, --help', '', '', 'print this and exit'),
    '',
    'Progress goes to stderr, the table to stdout. Exit code: 0 if every selected',
    'scenario ran (a missed target is marked MISS in the table, not an error); 1 if',
    'a scenario failed to run (the others still run and are reported); 2 for a bad',
    'command line.',
  ].join('\n');
}

export function parseBenchArgs(argv: readonly string[], defaultOut: string, env: Readonly<Record<string, string | undefined>> = {}): ParsedBenchArgs {
  let values;
  try {
    const numberOptions = Object.fromEntries(Object.keys(NUMBER_FLAGS).map((k) => [k, { type: 'string' as const }]));
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        ...numberOptions,
        scenarios: { type: 'string' },
        quick: { type: 'boolean' },
        'saturation-cmd': { type: 'string' },
        'saturation-services': { type: 'string' },
        'footprint-sizes': { type: 'string' },
        'agent-arg': { type: 'string', multiple: true },
        original: { type: 'string' },
        servers: { type: 'string' },
        'fleet-sim-restarts': { type: 'string' },
        out: { type: 'string' },
        svg: { type: 'string' },
        tls: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    return { kind: 'error', message: (e as Error).message };
  }
  if (values.help === true) return { kind: 'help' };
  const quick = values.quick === true;
  const scenarios = parseScenarios(typeof values.scenarios === 'string' ? values.scenarios : undefined);
  if (typeof scenarios === 'string') return { kind: 'error', message: scenarios };
  const cmd = typeof values['saturation-cmd'] === 'string' ? values['saturation-cmd'] : DEFAULT_CMD;
  if (cmd.trim() === '' || /[\n\r]/.test(cmd)) return { kind: 'error', message: '--saturation-cmd: expected a one-line, non-empty command' };
  const out = typeof values.out === 'string' ? values.out : defaultOut;
  const svg = typeof values.svg === 'string' ? values.svg : out.replace(/(\.json)?$/, '.svg');
  const agentArgs = (values['agent-arg'] ?? []).filter((a): a is string => typeof a === 'string');
  const rawServices = values['saturation-services'] ?? 'auto';
  const saturationServices = rawServices === 'auto' ? 'auto' : Number(rawServices);
  if (saturationServices !== 'auto' && !(Number.isInteger(saturationServices) && saturationServices > 0)) {
    return { kind: 'error', message: `--saturation-services ${rawServices}: expected a positive whole number or auto` };
  }
  const rawSizes = values['footprint-sizes'];
  const footprintSizes = typeof rawSizes === 'string' ? rawSizes.split(',').map((x) => Number(x.trim())) : quick ? FOOTPRINT_SIZES.quick : FOOTPRINT_SIZES.normal;
  if (footprintSizes.length === 0 || !footprintSizes.every((n) => Number.isInteger(n) && n > 0 && n <= 100_000)) {
    return { kind: 'error', message: `--footprint-sizes ${String(rawSizes)}: expected whole numbers from 1 to 100000, comma-separated` };
  }
  const numbers = {} as Record<NumberKey, number>;
  for (const [name, f] of Object.entries(NUMBER_FLAGS)) {
    const raw = (values as Record<string, unknown>)[name];
    const n = typeof raw === 'string' ? Number(raw) : quick ? f.quick : f.normal;
    if ((typeof raw === 'string' && raw.trim() === '') || !Number.isFinite(n) || n <= 0 || (f.integer && !Number.isInteger(n))) {
      return { kind: 'error', message: `--${name} ${String(raw)}: expected a positive ${f.integer ? 'whole number' : 'number'}` };
    }
    numbers[f.key] = n;
  }
  const rawOriginal = typeof values.original === 'string' ? values.original : (env.ZK_WATCHER_ORIGINAL ?? '');
  const original = rawOriginal.trim() === '' ? null : rawOriginal;
  const servers = typeof values.servers === 'string' ? values.servers.trim() : null;
  if (servers !== null && !/^[^\s,/]+:\d+(,[^\s,/]+:\d+)*(\/\S*)?$/.test(servers)) return { kind: 'error', message: `--servers ${servers}: expected host:port[,host:port...][/chroot]` };
  const rawRestarts = typeof values['fleet-sim-restarts'] === 'string' ? values['fleet-sim-restarts'].trim() : FLEET_SIM_RESTARTS.join(',');
  const fleetSimRestarts = rawRestarts === 'none' ? [] : rawRestarts.split(',').map((x) => x.trim());
  const unknownRestart = fleetSimRestarts.find((x) => !(FLEET_SIM_RESTARTS as readonly string[]).includes(x));
  if (unknownRestart !== undefined) return { kind: 'error', message: `--fleet-sim-restarts ${rawRestarts}: expected none, or some of ${FLEET_SIM_RESTARTS.join(',')}` };
  return { kind: 'run', options: { ...numbers, scenarios, quick, saturationServices, saturationCmd: cmd, footprintSizes, agentArgs, original, servers, fleetSimRestarts: fleetSimRestarts as FleetSimRestart[], out, svg, tls: values.tls === true } };
}

/** 'startup,fleet' -> the names in canonical order; a message for an unknown name. */
function parseScenarios(raw: string | undefined): ScenarioName[] | string {
  if (raw === undefined) return [...SCENARIOS];
  const wanted = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = wanted.filter((w) => !(SCENARIOS as readonly string[]).includes(w));
  if (unknown.length > 0) return `--scenarios: unknown ${unknown.join(', ')} (known: ${SCENARIOS.join(', ')})`;
  if (wanted.length === 0) return `--scenarios: name at least one of ${SCENARIOS.join(', ')}`;
  return SCENARIOS.filter((s) => wanted.includes(s));
}
