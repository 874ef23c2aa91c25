// pino's JSON lines for syslog: each gets the <PRI> prefix of its level, so that
// journald and a syslog daemon file it under the right severity (logger(1)
// --prio-prefix reads it). Pure: a line in, a line out.

/** RFC 5424's facilities by the names logger(1) and syslog.conf use. */
const FACILITIES: Readonly<Record<string, number>> = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};

export function facilityCode(name: string): number | null {
  return Object.hasOwn(FACILITIES, name) ? FACILITIES[name]! : null;
}

/**
 * The tag and facility lines go out with by default. zk_watcher's SysLogHandler used the
 * `syslog` facility and the tag zk_watcher, and rsyslog rules match on them: run under its
 * old name (the `zk_watcher` executable), the agent keeps them; as zk-watcher, a daemon's.
 */
export function syslogIdentity(program: string): { tag: string; facility: string } {
  return program === 'zk_watcher' ? { tag: 'zk_watcher', facility: 'syslog' } : { tag: 'zk-watcher', facility: 'daemon' };
}

/** pino level -> syslog severity (RFC 5424): fatal crit, error err, warn warning, info info, debug/trace debug. */
export function syslogSeverity(pinoLevel: number): number {
  if (pinoLevel >= 60) return 2;
  if (pinoLevel >= 50) return 3;
  if (pinoLevel >= 40) return 4;
  if (pinoLevel >= 30) return 6;
  return 7;
}

/** Prefixes a pino JSON line with its <PRI> (facility * 8 + severity); a line without a readable level goes as info. */
export function syslogLine(jsonLine: string, facility = FACILITIES.daemon!): string {
  return syslogPri(jsonLine, facility) + jsonLine;
}

/** The <PRI> of a pino JSON line, for whatever form of it is sent (JSON or text). */
export function syslogPri(jsonLine: string, facility = FACILITIES.daemon!): string {
  // pino writes "level" first: read it without parsing the whole line.
  const m = /^\{"level":(\d+)/.exec(jsonLine);
  const severity = m === null ? 6 : syslogSeverity(Number(m[1]));
  return `<${facility * 8 + severity}>`;
}
