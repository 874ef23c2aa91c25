import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OUTPUT_COLUMN, oneLine, onceExitCode, onceRows, renderOnceJson, renderOnceTable } from '../../src/shared/once-report.js';
import type { CheckResult } from '../../src/shared/types.js';

function result(service: string, passed: boolean, reason: string, outputTail: string, durationMs = 12.4): CheckResult {
  return { service, passed, reason, exitCode: passed ? 0 : 1, signal: null, timedOut: false, durationMs, outputTail };
}

test('the table has one aligned row per service, the failure reason first, and a summary', () => {
  const rows = onceRows([result('web', true, 'exit 0', 'up\nand running\n'), result('database-primary', false, 'exit 3', 'connection\trefused\n', 1500.6)]);
  assert.equal(
    renderOnceTable(rows),
    [
      'SERVICE           RESULT  TIME     OUTPUT',
      'web               PASS    12 ms    up and running',
      'database-primary  FAIL    1501 ms  exit 3: connection refused',
      '1 of 2 passed',
      '',
    ].join('\n'),
  );
});

test('output is squeezed to one line, stripped of control characters, and keeps its tail', () => {
  assert.equal(oneLine('a\r\n\x1b[31mb  \x07 c\n', 80), 'a [31mb c');
  const long = 'x'.repeat(200) + ' the end';
  const cell = oneLine(long, OUTPUT_COLUMN);
  assert.equal(cell.length, OUTPUT_COLUMN);
  assert.ok(cell.startsWith('…') && cell.endsWith(' the end'));
});

test('exit code: 0 only when every check passed', () => {
  assert.equal(onceExitCode(onceRows([result('a', true, 'exit 0', '')])), 0);
  assert.equal(onceExitCode(onceRows([result('a', true, 'exit 0', ''), result('b', false, 'timed out after 10 s', '')])), 1);
  assert.equal(onceExitCode([]), 1);
});

test('JSON is one document: an array of {service, passed, reason, durationMs, output}', () => {
  const parsed = JSON.parse(renderOnceJson(onceRows([result('a', false, 'exit 2', 'boom\n', 3.2)]))) as unknown;
  assert.deepEqual(parsed, [{ service: 'a', passed: false, reason: 'exit 2', durationMs: 3, output: 'boom\n' }]);
});
