// Under systemd, stdout is a stream to journald, which files every line at PRIORITY=6
// unless the line starts with sd-daemon's `<N>` (journalctl -p err finds nothing otherwise).
// Pure: whether JOURNAL_STREAM names our stdout, and a line's prefix from its pino level.

import { syslogSeverity } from './syslog.js';

/** JOURNAL_STREAM is `DEVICE:INODE` of the stream systemd connected; null when absent or malformed. */
export function parseJournalStream(value: string | undefined): { dev: bigint; ino: bigint } | null {
  const m = value === undefined ? null : /^(\d+):(\d+)$/.exec(value.trim());
  return m === null ? null : { dev: BigInt(m[1]!), ino: BigInt(m[2]!) };
}

/**
 * Whether stdout is the journal stream: systemd sets JOURNAL_STREAM for the service, but a
 * child that redirected its stdout (a pipe, a file) inherits the variable, so the device
 * and inode must be stdout's own.
 */
export function stdoutIsJournal(journalStream: string | undefined, stdout: { dev: bigint; ino: bigint } | null): boolean {
  const named = parseJournalStream(journalStream);
  return named !== null && stdout !== null && named.dev === stdout.dev && named.ino === stdout.ino;
}

/** `<N>`, the sd-daemon priority of a pino level (fatal 2, error 3, warn 4, info 6, debug and trace 7). */
export function journalPrefix(pinoLevel: number): string {
  return `<${syslogSeverity(pinoLevel)}>`;
}

/** The pino level of a JSON line (pino writes it first); null when it has none. */
export function lineLevel(jsonLine: string): number | null {
  const m = /^\{"level":(\d+)/.exec(jsonLine);
  return m === null ? null : Number(m[1]);
}
