// --from-env: reads what the original image's entrypoint looked at (the environment, the
// default route, /tmp/hostname) and hands it to the pure mapping in shared/from-env.ts.

import { readFile } from 'node:fs/promises';
import type { Options } from '../../shared/args.js';
import type { Problem } from '../../shared/problems.js';
import type { Config } from '../../shared/types.js';
import { defaultGatewayFromRouteTable, settingsFromEnv, type FromEnvResult } from '../../shared/from-env.js';
import { tlsCaProblems } from './tls-ca-files.js';

export async function loadFromEnv(env: NodeJS.ProcessEnv): Promise<FromEnvResult & { defaultGateway: string | null }> {
  const routes = await readFile('/proc/net/route', 'utf8').catch(() => '');
  const defaultGateway = defaultGatewayFromRouteTable(routes);
  const hostnameFile = await readFile('/tmp/hostname', 'utf8').catch(() => null);
  return { ...settingsFromEnv(env, { defaultGateway, hostnameFile }), defaultGateway };
}

/** Resolves after `seconds`, or at once when `abort` fires first (a signal during WAIT_TIME or DRAIN_TIME). */
export function pause(seconds: number, abort?: AbortSignal): Promise<void> {
  if (seconds <= 0 || abort?.aborted === true) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, seconds * 1000);
    function done(): void {
      clearTimeout(timer);
      abort?.removeEventListener('abort', done);
      resolve();
    }
    abort?.addEventListener('abort', done, { once: true });
  });
}

export interface LoadedSettings {
  readonly config: Config | null;
  readonly problems: readonly Problem[];
  /** The command line's options, with the server and verbosity --from-env decided. */
  readonly options: Options;
  readonly waitTimeS: number;
  readonly drainTimeS: number;
  /** What --from-env chose on its own (defaults, discoveries), for the log. */
  readonly notes: readonly string[];
}

/** The config and settings for --from-env; the original exported DOCKER_HOST_IP to CMD, so we do too. */
export async function settingsForCli(options: Options, env: NodeJS.ProcessEnv): Promise<LoadedSettings> {
  const r = await loadFromEnv(env);
  if (!r.ok) return { config: null, problems: r.problems, options, waitTimeS: 0, drainTimeS: 0, notes: [] };
  // TLS_CA is judged as a config file's tls_ca is: a file that cannot be used stops the start.
  const caProblems = (await tlsCaProblems(r.settings.config)).map((p) => ({ ...p, file: 'environment variable TLS_CA', line: 0 }));
  if (caProblems.length > 0) return { config: null, problems: caProblems, options, waitTimeS: 0, drainTimeS: 0, notes: [] };
  if (r.defaultGateway !== null && env.DOCKER_HOST_IP === undefined) env.DOCKER_HOST_IP = r.defaultGateway;
  const s = r.settings;
  return {
    config: s.config,
    problems: r.warnings,
    options: { ...options, servers: s.servers, verbose: options.verbose || s.verbose, statusPort: s.statusPort === undefined ? options.statusPort : s.statusPort, zkTls: s.zkTls === undefined ? options.zkTls : s.zkTls, zkAcl: s.zkAcl ?? options.zkAcl },
    waitTimeS: s.waitTimeS,
    drainTimeS: s.drainTimeS,
    notes: r.notes,
  };
}
