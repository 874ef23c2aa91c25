import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLogFormat, levelName, resolveLogFormat, textLine } from '../../src/shared/log-text.js';

const T = Date.parse('2026-12-04T12:00:00.123Z');
const line = (o: object): string => JSON.stringify(o) + '\n';

test('a pino line becomes: time, level, message, then the event\'s own fields as key=value', () => {
  const json = line({ level: 30, time: T, pid: 7, name: 'zk-watcher', service: 'web', event: 'check', passed: true, durationMs: 12, msg: 'web: check passed: exit 0' });
  assert.equal(textLine(json, 'utc'), '2026-12-04 12:00:00.123 INFO  web: check passed: exit 0  service=web event=check passed=true durationMs=12\n');
});

test('each pino level has its name, padded so messages line up', () => {
  const rows: [number, string][] = [[60, 'FATAL'], [50, 'ERROR'], [40, 'WARN '], [30, 'INFO '], [20, 'DEBUG'], [10, 'TRACE']];
  for (const [level, want] of rows) assert.equal(textLine(line({ level, time: T, msg: 'm' }), 'utc'), `2026-12-04 12:00:00.123 ${want} m\n`, String(level));
  assert.equal(levelName(undefined), 'INFO');
});

test('values a reader could misread are quoted as JSON; objects are JSON; null and numbers bare', () => {
  const rows: [unknown, string][] = [
    ['plain', 'plain'],
    ['two words', '"two words"'],
    ['', '""'],
    ['a=b', '"a=b"'],
    ['line\nbreak', '"line\\nbreak"'],
    [null, 'null'],
    [1.5, '1.5'],
    [{ a: [1, 2] }, '{"a":[1,2]}'],
  ];
  for (const [value, want] of rows) assert.equal(textLine(line({ level: 30, time: T, msg: 'm', k: value }), 'utc'), `2026-12-04 12:00:00.123 INFO  m  k=${want}\n`, String(value));
});

test('a message with a newline stays on one line', () => {
  assert.equal(textLine(line({ level: 40, time: T, msg: 'a\nb\r\nc' }), 'utc'), '2026-12-04 12:00:00.123 WARN  a\\nb\\nc\n');
});

test('control characters from a check (ESC, DEL, C1) never reach the terminal raw: they show as \\u escapes', () => {
  const rows: [string, string][] = [
    ['\u001b[31mred', '"\\u001b[31mred"'],
    ['del\u007f', '"del\\u007f"'],
    ['c1\u009b2J', '"c1\\u009b2J"'],
  ];
  for (const [value, want] of rows) {
    const out = textLine(line({ level: 30, time: T, msg: `out: ${value}`, tail: value }), 'utc');
    assert.equal(out, `2026-12-04 12:00:00.123 INFO  out: ${want.slice(1, -1)}  tail=${want}\n`, JSON.stringify(value));
    assert.doesNotMatch(out.slice(0, -1), /[\u0000-\u001f\u007f-\u009f]/);
  }
});

test('a line that is not a JSON object goes through as it is', () => {
  for (const raw of ['not json', '[1,2]', '"x"', 'null']) assert.equal(textLine(raw + '\n', 'utc'), raw + '\n');
});

test('local time is the default', () => {
  const d = new Date(T);
  const hh = String(d.getHours()).padStart(2, '0');
  assert.match(textLine(line({ level: 30, time: T, msg: 'm' })), new RegExp(`^\\d{4}-\\d\\d-\\d\\d ${hh}:\\d\\d:00\\.123 INFO  m\\n$`));
});

test('auto: text at a terminal, JSON for a pipe or file and through syslog; an explicit choice wins', () => {
  const rows: [Parameters<typeof resolveLogFormat>, string][] = [
    [['auto', true, false], 'text'],
    [['auto', false, false], 'json'],
    [['auto', true, true], 'json'],
    [['json', true, false], 'json'],
    [['text', false, false], 'text'],
    [['text', false, true], 'text'],
  ];
  for (const [args, want] of rows) assert.equal(resolveLogFormat(...args), want, JSON.stringify(args));
  assert.deepEqual(['auto', 'json', 'text', 'pretty', ''].map(isLogFormat), [true, true, true, false, false]);
});

test('--log-format: auto by default, json or text when asked, anything else a usage error naming the choices', async () => {
  const { parseCommandLine } = await import('../../src/shared/args.js');
  const format = (argv: string[]): string => {
    const r = parseCommandLine(argv);
    return r.kind === 'run' ? r.options.logFormat : r.kind === 'error' ? `error: ${r.message}` : r.kind;
  };
  assert.equal(format([]), 'auto');
  assert.equal(format(['--log-format', 'json']), 'json');
  assert.equal(format(['--log-format=text']), 'text');
  assert.equal(format(['--log-format', 'pretty']), "error: --log-format must be auto, json, text, got 'pretty'");
});
