import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeLabelValue, familyHeader, sampleLine, summaryLines } from '../../src/shared/prom-text.js';

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

test('a summary: a line per quantile, NaN for an empty window, then _sum and _count', () => {
  const cases: [[string, number][], number, number, string][] = [
    [[['0.5', 0.001], ['0.99', 0.02], ['1', 0.25]], 3.5, 1200, 'd{quantile="0.5"} 0.001\nd{quantile="0.99"} 0.02\nd{quantile="1"} 0.25\nd_sum 3.5\nd_count 1200\n'],
    [[['0.5', NaN]], 0, 0, 'd{quantile="0.5"} NaN\nd_sum 0\nd_count 0\n'],
  ];
  for (const [quantiles, sum, count, text] of cases) assert.equal(summaryLines('d', quantiles, sum, count), text);
  assert.equal(familyHeader('d', 'summary', 'Delay.'), '# HELP d Delay.\n# TYPE d summary\n');
});
