import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeLabelValue, familyHeader, sampleLine } from '../../src/shared/prom-text.js';

test('label values: backslash, double quote and line feed are escaped, nothing else', () => {
  const cases: [string, string][] = [
    ['web', 'web'],
    ['a"b', 'a\\"b'],
    ['a\\b', 'a\\\\b'],
    ['line\nbreak', 'line\\nbreak'],
    ['\\"', '\\\\\\"'],
    ['ünïcode {x} = 1', 'ünïcode {x} = 1'],
  ];
  for (const [raw, escaped] of cases) assert.equal(escapeLabelValue(raw), escaped, raw);
});

test('sample lines: labels in the given order, numbers as Prometheus writes them', () => {
  const cases: [string, (readonly [string, string])[], number, string][] = [
    ['up', [], 1, 'up 1\n'],
    ['zkwatcher_checks_total', [['service', 'web'], ['result', 'pass']], 12, 'zkwatcher_checks_total{service="web",result="pass"} 12\n'],
    ['g', [['service', 'say "hi"']], -1, 'g{service="say \\"hi\\""} -1\n'],
    ['g', [], 0.25, 'g 0.25\n'],
    ['g', [], NaN, 'g NaN\n'],
    ['g', [], Infinity, 'g +Inf\n'],
    ['g', [], -Infinity, 'g -Inf\n'],
  ];
  for (const [name, labels, value, line] of cases) assert.equal(sampleLine(name, labels, value), line);
});

test('a family opens with HELP (backslash and line feed escaped) and TYPE', () => {
  assert.equal(familyHeader('zkwatcher_service_healthy', 'gauge', 'Health: 1 or 0.\nSecond \\ line'), '# HELP zkwatcher_service_healthy Health: 1 or 0.\\nSecond \\\\ line\n# TYPE zkwatcher_service_healthy gauge\n');
});
