// The root logger: pino, one JSON line per event, to stdout or (with -l) to syslog
// through logger(1), which both journald and a syslog daemon read.

import { spawn } from 'node:child_process';
import type { Logger } from 'pino';
import { pino } from '../cjs-packages.js';
import { Writable } from 'node:stream';
import { facilityCode, syslogLine } from '../../shared/syslog.js';

export interface LoggerOptions {
  readonly verbose: boolean;
  readonly syslog: boolean;
  readonly syslogSocket?: string | null;
  readonly syslogTag?: string;
  readonly syslogFacility?: string;
  readonly destination?: Writable;
}

/** Keys whose values never reach a log line. */
const REDACT = ['password', '*.password', 'auth.password', 'config.auth.password'];

export function createLogger(options: LoggerOptions): Logger {
  const level = options.verbose ? 'debug' : 'info';
  const base = { name: 'zk-watcher', pid: process.pid };
  if (options.destination !== undefined) return pino({ level, base, redact: { paths: REDACT, censor: '[redacted]' } }, options.destination);
  if (options.syslog) return pino({ level, base, redact: { paths: REDACT, censor: '[redacted]' } }, syslogStream(options.syslogSocket ?? null, options.syslogTag ?? 'zk-watcher', options.syslogFacility ?? 'daemon'));
  return pino({ level, base, redact: { paths: REDACT, censor: '[redacted]' } }, pino.destination({ dest: 1, sync: true }));
}

function syslogStream(socket: string | null, tag: string, facilityName: string): Writable {
  const facility = facilityCode(facilityName) ?? facilityCode('daemon')!;
  // logger(1) reads one message per line, each with its <PRI> (--prio-prefix); it exits when
  // we close its stdin (or exit). --size: a check's output tail is up to 4 KiB, plus JSON.
  const args = ['--id=' + process.pid, '-t', tag, '-p', `${facilityName}.info`, '--prio-prefix', '--size', '16384'];
  if (socket !== null) args.push('--socket', socket);
  const child = spawn('logger', args, { stdio: ['pipe', 'ignore', 'inherit'] });
  child.on('error', (e) => process.stderr.write(`zk-watcher: cannot log to syslog through logger(1): ${e.message}\n`));
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  child.stdin!.on('error', () => {}); // reported through 'error' above
  // pino writes each event as one whole line.
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      child.stdin!.write(syslogLine(chunk.toString('utf8'), facility), done);
    },
  });
}
