// The zk-watcher command: argv and files in, a running daemon and an exit code out.
// Exit codes: 0 stopped cleanly, 1 failed at run time, 2 bad command line or config.

import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { CHECK_USAGE, parseCommandLine, USAGE, type Options } from '../../shared/args.js';
import { checkEnvironment } from '../../shared/check-env.js';
import { configNodeProblems } from '../../shared/desired.js';
import { formatProblem, hasErrors, type Problem } from '../../shared/problems.js';
import { notifyTarget } from '../../shared/sd-notify.js';
import { connectStringProblem } from '../../shared/servers.js';
import { loopbackHostNote } from '../../shared/loopback-name.js';
import { usageError } from '../../shared/usage-error.js';
import type { Config } from '../../shared/types.js';
import { Daemon } from '../lifecycle/daemon.js';
import { createLogger } from '../ops/logger.js';
import { Notifier } from '../ops/notify/notifier.js';
import { reportCheck } from './check-command.js';
import { loadConfig } from './config-files.js';
import type { EarlySignals } from './early-signals.js';
import { getFqdn } from './fqdn.js';
import { pause, settingsForCli, type LoadedSettings } from './from-env.js';
import { runOnce } from './once.js';
import { renderConfig } from './print-config.js';
import { statusCommand } from './status-command.js';
import type { ZkTlsFiles } from '../zk/zk-tls-files.js';
import { loadZkTls, logZkTls, reloadZkTls, runningAgentSubjectProblem } from './zk-tls-cli.js';
import { agentPortDefault } from './agent-port.js';

type Command = (argv: string[], early: EarlySignals, program: string) => Promise<number>;

/** The subcommands, by their first word; any other command line is the daemon's. */
const COMMANDS: Readonly<Record<string, Command>> = {
  status: (argv, early, program) => {
    early.exitOnStop();
    return statusCommand(argv, program);
  },
  // The daemon's own parser, so the flags ExecReload= passes (the daemon's) are accepted and checked too.
  check: (argv, early, program) => daemonCommand(argv, early, program, 'check'),
  // Loaded only when run: the daemon's start-up does not pay for them.
  maint: async (argv, early, program) => {
    early.exitOnStop();
    return (await import('./maint-command.js')).maintCommand(argv, program);
  },
  registry: async (argv, early, program) => {
    early.exitOnStop();
    return (await import('./registry-command.js')).registryCommand(argv, program);
  },
};

/** `program`: the name we were run as (zk-watcher or zk_watcher; see syslogIdentity). */
export async function main(argv: string[], early: EarlySignals, program = 'zk-watcher'): Promise<number> {
  const command = argv[0] !== undefined && Object.hasOwn(COMMANDS, argv[0]) ? COMMANDS[argv[0]]! : undefined;
  if (command !== undefined) return command(argv.slice(1), early, program);
  return daemonCommand(argv, early, program, null);
}

async function daemonCommand(argv: string[], early: EarlySignals, program: string, subcommand: 'check' | null): Promise<number> {
  const parsed = parseCommandLine(argv, program, subcommand);
  // Only the daemon holds a stop signal for later (it must stop, not die); anything else just ends.
  if (parsed.kind !== 'run' || parsed.options.once || parsed.options.checkConfig || parsed.options.printConfig) early.exitOnStop();
  if (parsed.kind === 'help') {
    process.stdout.write((subcommand === 'check' ? CHECK_USAGE : USAGE) + '\n');
    return 0;
  }
  if (parsed.kind === 'version') {
    process.stdout.write(`zk-watcher ${version()}\n`);
    return 0;
  }
  if (parsed.kind === 'error') {
    // The error and where help is, not 40 lines of help that scroll the error away.
    process.stderr.write(usageError(program, subcommand, parsed.message));
    return 2;
  }
  const loaded: LoadedSettings = parsed.options.fromEnv
    ? await settingsForCli(parsed.options, process.env)
    : { ...(await loadConfig(parsed.options.configPaths)), options: parsed.options, waitTimeS: 0, drainTimeS: 0, notes: [] };
  const options = loaded.options;
  const serverProblem = connectStringProblem(options.servers);
  if (serverProblem !== null) {
    process.stderr.write(`zk-watcher: --server '${options.servers}': ${serverProblem}\n`);
    return 2;
  }
  const notify = notifyTarget(process.env);
  if (notify.kind === 'invalid') {
    process.stderr.write(`zk-watcher: ${notify.problem}\n`);
    return 2;
  }
  // The TLS files are checked wherever the agent would use them (check too: ExecReload= runs it).
  const tls = options.once || options.printConfig ? { files: null } : await loadZkTls(options.zkTls);
  if ('error' in tls) {
    process.stderr.write(`zk-watcher: ${tls.error}\n`);
    return 2;
  }
  const hostname = await getFqdn();
  const { config, problems } = withNodeProblems(loaded.config, loaded.problems, hostname);
  if (options.checkConfig) {
    const code = reportCheck(config, problems, options.strict, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
    // ExecReload= with a certificate the running agent would refuse (another subject under its x509 ACL): the reload fails here.
    const subject = await runningAgentSubjectProblem(tls.files, options.statusAddress, options.statusPort ?? agentPortDefault());
    if (subject !== null) process.stderr.write(`zk-watcher: ${subject}\n`);
    return subject === null ? code : 2;
  }
  for (const p of problems) process.stderr.write(formatProblem(p) + '\n');
  if (config === null || hasErrors(problems)) {
    process.stderr.write('zk-watcher: the config has errors; nothing was started\n');
    return 2;
  }
  if (options.printConfig) {
    process.stdout.write(renderConfig(config, hostname));
    return 0;
  }
  if (options.once) {
    return runOnce({ config, maxConcurrentChecks: options.maxConcurrentChecks, json: options.json, checkEnv: checkEnvironment(process.env), write: (t) => process.stdout.write(t) });
  }
  return run(loaded, config, hostname, notify.kind === 'socket' ? notify.address : null, early, tls.files);
}

/** Problems that need the host's name: two services that would register the same node here. */
function withNodeProblems(config: Config | null, problems: readonly Problem[], hostname: string): { config: Config | null; problems: Problem[] } {
  if (config === null || hasErrors(problems)) return { config, problems: [...problems] };
  return { config, problems: [...problems, ...configNodeProblems(config.services, hostname)] };
}

async function run(loaded: LoadedSettings, config: Config, hostname: string, notifySocket: string | null, early: EarlySignals, zkTls: ZkTlsFiles | null): Promise<number> {
  const { options, waitTimeS, drainTimeS } = loaded;
  const logger = createLogger({ verbose: options.verbose, syslog: options.syslog, syslogSocket: options.syslogSocket, syslogTag: options.syslogTag, syslogFacility: options.syslogFacility, format: options.logFormat });
  for (const note of loaded.notes) logger.info({ event: 'from_env', note }, note);
  logZkTls(logger, zkTls, config.auth !== null, options.zkAcl);
  // [auth] and --zk-acl take effect at start only: whether our nodes name the subject is settled now.
  if (zkTls !== null) zkTls.subjectInAcl = config.auth === null && options.zkAcl === 'auto';
  const loopback = loopbackHostNote(hostname, config.services);
  if (loopback !== null) logger.warn({ event: 'hostname_is_loopback', hostname }, loopback);
  const daemon = new Daemon({
    config,
    servers: options.servers,
    sessionTimeoutMs: options.sessionTimeoutMs,
    maxConcurrentChecks: options.maxConcurrentChecks,
    maxWritesPerSecond: options.maxWritesPerSecond,
    hostname,
    logger,
    checkEnv: checkEnvironment(process.env),
    statsIntervalS: options.statsIntervalS,
    maintenanceDir: options.maintenanceDir,
    reloadConfig: () => reloadConfig(options, hostname, logger, zkTls),
    zkTls,
    zkAcl: options.zkAcl,
  });
  // Loaded only when asked for: prom-client costs ~70 ms of start-up and some memory.
  const status = options.statusPort === null ? null : new (await import('../ops/status-server.js')).StatusServer({ port: options.statusPort, address: options.statusAddress, daemon: daemon.view, version: version(), secret: config.auth?.password ?? null, logger, durationHistogram: options.durationHistogram });
  // Asked for and not servable (port taken): fail before registering anything (--from-env: warn, below).
  const listening = await status?.listen().then(() => null, (e: Error) => e.message);
  if (listening && options.fromEnv) {
    // A sidecar's job is its registration: with --network host, sidecars share one loopback
    // and the original image started them all; the status server is what gives way.
    logger.warn({ event: 'status_listen_failed', error: listening }, `${listening}; running without the status server (give each sidecar its own STATUS_PORT)`);
  } else if (listening) {
    logger.fatal({ event: 'status_listen_failed', error: listening }, listening);
    return 1;
  }
  const notifier = Notifier.fromEnvironment(notifySocket, process.env, daemon.view, logger);
  // The process is alive from now on, WAIT_TIME included: systemd's watchdog hears so.
  notifier?.startWatchdog();
  // Whatever happens, no check process outlives the agent.
  process.on('exit', () => daemon.killChecks());
  process.on('uncaughtException', (e) => {
    logger.fatal({ event: 'crash', error: e.stack ?? String(e) }, 'unexpected error; exiting');
    daemon.killChecks();
    process.exit(1);
  });

  return new Promise<number>((resolve) => {
    let stopping = false;
    // A signal during WAIT_TIME ends the wait (and the agent) at once.
    const waiting = new AbortController();
    const stop = (signal: string): void => {
      if (stopping) {
        logger.warn({ event: 'forced_exit', signal }, 'second signal: exiting now');
        daemon.killChecks();
        resolve(1);
        return;
      }
      stopping = true;
      waiting.abort();
      logger.info({ event: 'signal', signal }, `received ${signal}`);
      notifier?.stopping();
      // DRAIN_TIME (--from-env): deregister now, exit no sooner than DRAIN_TIME after the signal.
      Promise.all([daemon.stop(), pause(drainTimeS)]).then(
        async () => {
          await notifier?.close();
          status?.close();
          resolve(0);
        },
        (e: unknown) => {
          logger.error({ event: 'stop_failed', error: String(e) }, 'error while stopping');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    const hup = (): void => {
      if (options.fromEnv) {
        // The service comes from the environment, which a signal cannot change; the TLS files can (rotation).
        logger.info({ event: 'signal', signal: 'SIGHUP' }, zkTls === null ? 'received SIGHUP: nothing to re-read with --from-env' : 'received SIGHUP: re-reading the TLS files');
        if (zkTls !== null) void reloadZkTls(zkTls, logger);
        return;
      }
      // The lifecycle reads, validates and applies outside the handler, one reload at a time.
      const effect = daemon.requestReload();
      if (effect === 'begin') logger.info({ event: 'signal', signal: 'SIGHUP' }, 'received SIGHUP: re-reading the config');
      else if (effect === 'coalesce') logger.info({ event: 'signal', signal: 'SIGHUP', reload: 'coalesced' }, 'received SIGHUP during a reload: the config is read again once that one is done');
      else logger.info({ event: 'signal', signal: 'SIGHUP', reload: 'ignored', state: daemon.state }, `received SIGHUP while ${daemon.state}: nothing to reload`);
    };
    process.on('SIGHUP', hup);
    // What arrived while we loaded: our handlers are in place, so the held ones can go.
    early.release();
    if (early.stop !== null) stop(early.stop);
    if (waitTimeS > 0) logger.info({ event: 'waiting', seconds: waitTimeS }, `WAIT_TIME: waiting ${waitTimeS} s before starting`);
    void pause(waitTimeS, waiting.signal).then(() => {
      if (stopping || !daemon.start()) return;
      notifier?.start();
      // A SIGHUP while we loaded: the files may have changed after we read them.
      if (early.reload) hup();
    });
  });
}

/** A reload's read: the same files, the same checks as at start; null (and every problem logged) when it has errors. */
async function reloadConfig(options: Options, hostname: string, logger: Logger, zkTls: ZkTlsFiles | null): Promise<Config | null> {
  const loaded = await loadConfig(options.configPaths);
  const { config, problems } = withNodeProblems(loaded.config, loaded.problems, hostname);
  for (const p of problems) logger[p.severity === 'error' ? 'error' : 'warn']({ event: 'config_problem', problem: formatProblem(p) }, formatProblem(p));
  if (config === null || hasErrors(problems)) {
    logger.error({ event: 'reload_rejected' }, 'the new config has errors; keeping the running config');
    return null;
  }
  // New TLS files (rotation) serve the next connections; one that does not do rejects the reload.
  if (zkTls !== null && !(await reloadZkTls(zkTls, logger))) return null;
  return config;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
