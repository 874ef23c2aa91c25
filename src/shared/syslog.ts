// pino's JSON lines for syslog: each gets the <PRI> prefix of its level, so that
// journald and a syslog daemon file it under the right severity (logger(1)
// --prio-prefix reads it). Pure: a line in, a line out.

/** The daemon facility (3), as zk_watcher's syslog handler used. */
const FACILITY_DAEMON = 3;

/** pino level -> syslog severity (RFC 5424): fatal crit, error err, warn warning, info info, debug/trace debug. */
export function syslogSeverity(pinoLevel: number): number {
  if (pinoLevel >= 60) return 2;
  if (pinoLevel >= 50) return 3;
  if (pinoLevel >= 40) return 4;
  if (pinoLevel >= 30) return 6;
  return 7;
}

/** Prefixes a pino JSON line with its <PRI>; a line without a readable level goes as info. */
export function syslogLine(jsonLine: string): string {
  // pino writes "level" first: read it without parsing the whole line.
  const m = /^\{"level":(\d+)/.exec(jsonLine);
  const severity = m === null ? 6 : syslogSeverity(Number(m[1]));
  return `<${FACILITY_DAEMON * 8 + severity}>${jsonLine}`;
}
