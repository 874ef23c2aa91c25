// The log for a person at a terminal: each pino JSON line becomes one readable line,
// `2026-12-04 12:00:00.123 INFO  web: check passed: exit 0  event=check service=web`.
// Pure: a line in, a line out. Our own, not pino-pretty: that runs as a worker transport
// (one more thread and its memory for the daemon's whole life); this is one synchronous
// function on the line pino already wrote.

export const LOG_FORMATS = ['auto', 'json', 'text'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export function isLogFormat(value: string): value is LogFormat {
  return (LOG_FORMATS as readonly string[]).includes(value);
}

/**
 * What `auto` means: text for a person (stdout a terminal), JSON for machines (a pipe, a
 * file, journald). Through syslog (-l) the lines stay JSON unless text was asked for.
 */
export function resolveLogFormat(asked: LogFormat, stdoutIsTty: boolean, syslog: boolean): 'json' | 'text' {
  if (asked !== 'auto') return asked;
  return stdoutIsTty && !syslog ? 'text' : 'json';
}

const LEVELS: readonly [number, string][] = [
  [60, 'FATAL'],
  [50, 'ERROR'],
  [40, 'WARN'],
  [30, 'INFO'],
  [20, 'DEBUG'],
  [10, 'TRACE'],
];

/** Every line carries these; the text line shows them in its own way or not at all. */
const OWN_KEYS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name']);

export function levelName(level: unknown): string {
  if (typeof level !== 'number') return 'INFO';
  return LEVELS.find(([at]) => level >= at)?.[1] ?? 'TRACE';
}

/** `tz`: local time for the person reading (the default), or UTC (tests, servers set to it). */
export function textLine(jsonLine: string, tz: 'local' | 'utc' = 'local'): string {
  const body = jsonLine.endsWith('\n') ? jsonLine.slice(0, -1) : jsonLine;
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return body + '\n';
    record = parsed as Record<string, unknown>;
  } catch {
    return body + '\n';
  }
  const time = typeof record.time === 'number' ? formatTime(record.time, tz) : '-';
  const msg = typeof record.msg === 'string' ? record.msg : '';
  const fields = Object.entries(record)
    .filter(([key]) => !OWN_KEYS.has(key))
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  return `${time} ${levelName(record.level).padEnd(5)} ${oneLine(msg)}${fields.length === 0 ? '' : '  ' + fields.join(' ')}\n`;
}

function formatTime(epochMs: number, tz: 'local' | 'utc'): string {
  const d = new Date(epochMs);
  const utc = tz === 'utc';
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const [y, mo, day, h, mi, s, ms] = utc
    ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()]
    : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()];
  return `${y}-${p(mo)}-${p(day)} ${p(h)}:${p(mi)}:${p(s)}.${p(ms, 3)}`;
}

/** A bare word stays bare; anything a reader could misread (spaces, quotes, =, newlines, empty) is quoted as JSON. */
function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"'=\\\u0000-\u001f\u007f-\u009f]+$/.test(value) ? value : noControls(JSON.stringify(value));
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return noControls(JSON.stringify(value) ?? String(value));
}

/** A message with a newline (a check's output quoted in it) must not break the one-line-per-event rule. */
function oneLine(msg: string): string {
  return noControls(msg.includes('\n') || msg.includes('\r') ? msg.replace(/\r?\n|\r/g, '\\n') : msg);
}

/**
 * Control characters from a check's output (ESC above all) would drive the reader's
 * terminal: they are shown as \u escapes. JSON.stringify leaves DEL and the C1 range raw.
 */
function noControls(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}
