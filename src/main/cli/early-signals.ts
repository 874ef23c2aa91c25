// Signals that arrive before the daemon has its own handlers: while modules load, the
// config is read and the host's name is looked up (a few hundred ms, more on a slow host).
// Without a handler SIGHUP would kill the process, and as PID 1 (a container) the kernel
// would drop SIGTERM altogether, so `docker stop` right after `docker run` waited for its
// kill timeout. These handlers hold what arrived until the daemon takes over. No imports:
// this module must be loaded before everything else.

export type StopSignal = 'SIGTERM' | 'SIGINT';

export interface EarlySignals {
  /** The stop signal that arrived, if any (a second one exits at once). */
  readonly stop: StopSignal | null;
  /** A SIGHUP arrived: re-read the config once started (the files may have changed since they were read). */
  readonly reload: boolean;
  /** Not a daemon (--once, --check-config, ...): a stop signal ends the process now, with 128 + its number. */
  exitOnStop(): void;
  /** The daemon's handlers are in place: remove these. */
  release(): void;
}

const NUMBERS: Record<StopSignal, number> = { SIGINT: 2, SIGTERM: 15 };

export function holdEarlySignals(): EarlySignals {
  let stop: StopSignal | null = null;
  let reload = false;
  let exitNow = false;
  const onStop = (signal: StopSignal): void => {
    // Not a daemon, or a second stop signal while a slow start (DNS, a hung file system) holds the first: end now.
    if (exitNow || stop !== null) process.exit(128 + NUMBERS[signal]);
    stop = signal;
  };
  const onTerm = (): void => onStop('SIGTERM');
  const onInt = (): void => onStop('SIGINT');
  const onHup = (): void => {
    reload = true;
  };
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  process.on('SIGHUP', onHup);
  return {
    get stop() {
      return stop;
    },
    get reload() {
      return reload;
    },
    exitOnStop() {
      exitNow = true;
      if (stop !== null) process.exit(128 + NUMBERS[stop]);
      // No daemon to reload: SIGHUP ends the process as it always did (a dropped ssh session).
      process.off('SIGHUP', onHup);
    },
    release() {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      process.off('SIGHUP', onHup);
    },
  };
}
