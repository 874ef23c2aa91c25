import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dumpPyJson, parsePyJson, pyFloatRepr } from '../../src/shared/pyjson.js';
import { runPythonReference } from '../support/python.js';
import { pick, seededRandom } from '../support/random.js';

test('floats print as Python repr prints them', () => {
  const cases: [number, string][] = [
    [1.5, '1.5'], [1e16, '1e+16'], [1e15, '1000000000000000.0'], [0.0001, '0.0001'], [0.00001, '1e-05'],
    [100, '100.0'], [-2.5e-10, '-2.5e-10'], [5e-324, '5e-324'], [1.7976931348623157e308, '1.7976931348623157e+308'], [-0, '-0.0'],
  ];
  for (const [x, repr] of cases) assert.equal(pyFloatRepr(x), repr, String(x));
});

function randomJson(random: () => number, depth: number): string {
  const ws = () => pick(random, ['', ' ', '\n', '\t', '  ']);
  const r = random();
  if (depth > 2 || r < 0.5) {
    return pick(random, [
      '0', '-0', '7', '-12', '1.0', '2.50', '1e5', '1E-3', '-0.0', '3.14159', '1e400', '123456789012345678901234567890', '0.1', '1e16', '1e15',
      'true', 'false', 'null', 'NaN', 'Infinity', '-Infinity',
      '"a"', '""', '"é"', '"\\u00e9"', '"\\ud83d\\ude00"', '"😀"', '"tab\\tnl\\n"', '"q\\"b\\\\s\\/"', '"\\u0000"', '"\u007f"',
      '01', '.5', '1.', '"unterminated', "'single'", 'tru', '"ctl\u0001"', '+1',
    ]);
  }
  if (r < 0.75) {
    const n = Math.floor(random() * 4);
    return `[${ws()}${Array.from({ length: n }, () => randomJson(random, depth + 1)).join(`${ws()},${ws()}`)}${ws()}]`;
  }
  const n = Math.floor(random() * 4);
  const keys = ['"a"', '"b"', '"1"', '"10"', '"a"', '"é"', '""'];
  return `{${ws()}${Array.from({ length: n }, () => `${pick(random, keys)}${ws()}:${ws()}${randomJson(random, depth + 1)}`).join(`${ws()},${ws()}`)}${ws()}}`;
}

test('parse then dump equals Python json.loads then json.dumps, on 3000 generated documents', () => {
  const seed = 7;
  const random = seededRandom(seed);
  const inputs = Array.from({ length: 3000 }, () => randomJson(random, 0) + pick(random, ['', '', ' ', ' x', ',']));
  const expected = runPythonReference<{ ok: boolean; out?: string }[]>('pyjson_roundtrip.py', inputs);
  let accepted = 0;
  inputs.forEach((text, i) => {
    const want = expected[i]!;
    let got: string | null;
    try {
      got = dumpPyJson(parsePyJson(text));
    } catch {
      got = null;
    }
    if (!want.ok) assert.equal(got, null, `seed ${seed}: python refused ${JSON.stringify(text)}, we gave ${got}`);
    else {
      assert.equal(got, want.out, `seed ${seed}: ${JSON.stringify(text)}`);
      accepted++;
    }
  });
  assert.ok(accepted > 500 && accepted < inputs.length, `${accepted} of ${inputs.length} accepted: the generator must make both kinds`);
});
