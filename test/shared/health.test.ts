import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextHealth, UNKNOWN_HEALTH, type Health } from '../../src/shared/health.js';

function run(results: string, rise: number, fall: number): string {
  let h: Health = UNKNOWN_HEALTH;
  let out = '';
  for (const r of results) {
    h = nextHealth(h, r === 'P', { rise, fall });
    out += h.healthy === null ? '?' : h.healthy ? 'U' : 'D';
  }
  return out;
}

const TABLE: [string, number, number, string][] = [
  // results (P pass, F fail), rise, fall, health after each (U up, D down)
  ['P', 1, 1, 'U'],
  ['F', 1, 1, 'D'],
  ['PFPF', 1, 1, 'UDUD'],
  ['PFFF', 1, 3, 'UUUD'],
  ['PFFPFFF', 1, 3, 'UUUUUUD'],
  ['FPPP', 2, 1, 'DDUU'],
  ['FPFPP', 2, 1, 'DDDDU'],
  ['PPPFFPFF', 2, 2, 'UUUUDDDD'],
  ['FFFPPP', 3, 1, 'DDDDDU'],
];

for (const [results, rise, fall, expected] of TABLE) {
  test(`rise ${rise} fall ${fall}: ${results} gives ${expected}`, () => {
    assert.equal(run(results, rise, fall), expected);
  });
}

test('the first result applies at once whatever rise and fall are', () => {
  assert.equal(run('P', 5, 5), 'U');
  assert.equal(run('F', 5, 5), 'D');
});
