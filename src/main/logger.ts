// The root logger: pino, one JSON line per event, to stdout or (with -l) to syslog
// through logger(1), which both journald and a syslog daemon read.

import { spawn } from 'node:child_process';
import pino, { type Logger } from 'pino';
import type { Writable } from 'node:stream';

export interface LoggerOptions {
  readonly verbose: boolean;
  readonly syslog: boolean;
  readonly destination?: Writable;
}

/** Keys whose values never reach a log line. */
const REDACT = ['password', '*.password', 'auth.password', 'config.auth.password'];

export function createLogger(options: LoggerOptions): Logger {
  const level = options.verbose ? 'debug' : 'info';
  const base = { name: 'zk-watcher', pid: process.pid };
  if (options.destination !== undefined) return pino({ level, base, redact: { paths: REDACT, censor: '[redacted]' } }, options.destination);
  if (options.syslog) return pino({ level, base, redact: { paths: REDACT, censor: '[redacted]' } }, syslogStream());
  return pino({ level, base, redact: { paths: REDACT, censor: '[redacted]' } }, pino.destination({ dest: 1, sync: true }));
}

function syslogStream(): Writable {
  // logger(1) reads one message per line; it exits when we close its stdin (or exit).
  const child = spawn('logger', ['--id=' + process.pid, '-t', 'zk-watcher', '-p', 'daemon.info'], { stdio: ['pipe', 'ignore', 'inherit'] });
  child.on('error', (e) => process.stderr.write(`zk-watcher: cannot log to syslog through logger(1): ${e.message}\n`));
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  return child.stdin!;
}
