// The root logger: pino, one line per event, to stdout or (with -l) to syslog through
// logger(1), which both journald and a syslog daemon read. On stdout the line is pino's
// JSON for machines, or text for a person at a terminal (log-text.ts), and carries its
// sd-daemon priority when stdout is the journal (log-journal.ts).

import { spawn } from 'node:child_process';
import { fstatSync, statSync } from 'node:fs';
import { isatty } from 'node:tty';
import type { Logger } from 'pino';
import { pino } from '../cjs-packages.js';
import { Writable } from 'node:stream';
import { journalPrefix, lineLevel, stdoutIsJournal } from '../../shared/log-journal.js';
import { resolveLogFormat, textLine, type LogFormat } from '../../shared/log-text.js';
import { facilityCode, syslogPri } from '../../shared/syslog.js';

export interface LoggerOptions {
  readonly verbose: boolean;
  readonly syslog: boolean;
  readonly syslogSocket?: string | null;
  readonly syslogTag?: string;
  readonly syslogFacility?: string;
  /** auto (the default): text when stdout is a terminal, JSON otherwise. */
  readonly format?: LogFormat;
  readonly destination?: Writable;
}

/** Keys whose values never reach a log line. */
const REDACT = ['password', '*.password', 'auth.password', 'config.auth.password'];

/** logger(1)'s socket when none is named. */
const DEFAULT_SYSLOG_SOCKET = '/dev/log';

export function createLogger(options: LoggerOptions): Logger {
  const level = options.verbose ? 'debug' : 'info';
  const base = { name: 'zk-watcher', pid: process.pid };
  const settings = { level, base, redact: { paths: REDACT, censor: '[redacted]' } };
  if (options.destination !== undefined) return pino(settings, options.destination);
  const text = resolveLogFormat(options.format ?? 'auto', isatty(1), options.syslog) === 'text';
  if (options.syslog) {
    const facility = options.syslogFacility ?? 'daemon';
    return pino(settings, syslogStream(options.syslogSocket ?? null, options.syslogTag ?? 'zk-watcher', facility, text));
  }
  const out = pino.destination({ dest: 1, sync: true });
  const journal = stdoutIsJournal(process.env.JOURNAL_STREAM, stdoutIdentity());
  if (!text && !journal) return pino(settings, out);
  // pino hands a plain stream one whole line per write: decorated here, written at once.
  return pino(settings, {
    write(line: string): void {
      const prefix = journal ? journalPrefix(lineLevel(line) ?? 30) : '';
      out.write(prefix + (text ? textLine(line) : line));
    },
  });
}

/** fd 1's device and inode, as JOURNAL_STREAM names them (bigint: inodes may pass 2^53). */
function stdoutIdentity(): { dev: bigint; ino: bigint } | null {
  try {
    const st = fstatSync(1, { bigint: true });
    return { dev: st.dev, ino: st.ino };
  } catch {
    return null;
  }
}

/** Whether the socket is there: looked at no more than once a second, and only when a line is written (no timer at rest). */
type SocketState = 'unknown' | 'present' | 'missing';
const SOCKET_LOOK_EVERY_MS = 1000;
/** Lines held while the socket is missing, sent when it appears; the oldest go first past this. */
const HELD_MAX = 1000;

function syslogStream(socket: string | null, tag: string, facilityName: string, text: boolean): Writable {
  const facility = facilityCode(facilityName) ?? facilityCode('daemon')!;
  // logger(1) reads one message per line, each with its <PRI> (--prio-prefix); it exits when
  // we close its stdin (or exit). --size: a check's output tail is up to 4 KiB, plus JSON.
  const args = ['--id=' + process.pid, '-t', tag, '-p', `${facilityName}.info`, '--prio-prefix', '--size', '16384'];
  if (socket !== null) args.push('--socket', socket);
  const child = spawn('logger', args, { stdio: ['pipe', 'ignore', 'inherit'] });
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  // A logging failure must not stop the agent, whose nodes stay registered: if logger(1)
  // cannot start or dies, say so once and write the lines to stderr (journald keeps it
  // under systemd) rather than let the write error end the process.
  let loggerGone = false;
  const lose = (why: string): void => {
    if (loggerGone) return;
    loggerGone = true;
    process.stderr.write(`zk-watcher: cannot log to syslog through logger(1): ${why}; log lines go to stderr from now on\n`);
  };
  child.on('error', (e) => lose(e.message));
  child.on('exit', (code, signal) => lose(`it exited (${signal ?? `code ${code}`})`));
  child.stdin!.on('error', (e) => lose(e.message));
  // logger(1) tries the socket again for every line but drops, without a word, each line it
  // cannot send: we look for the socket ourselves, say once on stderr that it is missing,
  // hold the lines meanwhile and send them when it is back.
  const path = socket ?? DEFAULT_SYSLOG_SOCKET;
  let state: SocketState = 'unknown';
  let lookedAt = -Infinity;
  let held: string[] = [];
  let dropped = 0;
  const look = (): SocketState => {
    const now = performance.now();
    if (now - lookedAt < SOCKET_LOOK_EVERY_MS) return state;
    lookedAt = now;
    const there = exists(path);
    if (!there && state !== 'missing') {
      process.stderr.write(`zk-watcher: the syslog socket ${path} does not exist; holding log lines (up to ${HELD_MAX}) until it appears\n`);
    } else if (there && state === 'missing') {
      process.stderr.write(`zk-watcher: the syslog socket ${path} is there now; sending ${held.length} held log lines${dropped > 0 ? ` (${dropped} older ones were dropped)` : ''}\n`);
    }
    state = there ? 'present' : 'missing';
    return state;
  };
  // Lines still held when the process exits (the socket never came) are not lost: stderr gets them.
  process.once('exit', () => {
    if (held.length === 0) return;
    process.stderr.write(`zk-watcher: the syslog socket ${path} never appeared; the ${held.length} held log lines follow${dropped > 0 ? ` (${dropped} older ones were dropped)` : ''}\n`);
    for (const line of held) process.stderr.write(line);
    held = [];
  });
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const json = chunk.toString('utf8');
      if (loggerGone) {
        process.stderr.write(text ? textLine(json) : json, () => done());
        return;
      }
      const line = syslogPri(json, facility) + (text ? textLine(json) : json);
      if (look() === 'missing') {
        held.push(line);
        if (held.length > HELD_MAX) {
          held.shift();
          dropped++;
        }
        done();
        return;
      }
      if (held.length > 0) {
        child.stdin!.write(held.join(''));
        held = [];
        dropped = 0;
      }
      // A failed write is reported once through lose() above, never as this stream's error.
      child.stdin!.write(line, () => done());
    },
  });
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
