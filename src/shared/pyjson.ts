// JSON read and written the way Python's json module does, so that the bytes we
// store are the bytes nd_service_registry stored: key order kept as written
// (JS objects would move integer-like keys first), ints kept exact, floats in
// Python's repr, non-ASCII escaped as \uXXXX (ensure_ascii).

export type PyJson =
  | { readonly kind: 'null' }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'int'; readonly digits: string }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'array'; readonly items: readonly PyJson[] }
  | PyJsonObject;

export interface PyJsonObject {
  readonly kind: 'object';
  readonly entries: readonly (readonly [string, PyJson])[];
}

export class PyJsonError extends Error {}

const WS = new Set([' ', '\t', '\n', '\r']);
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const NUMBER = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/;

/** json.loads: throws PyJsonError where Python raises JSONDecodeError. */
export function parsePyJson(text: string): PyJson {
  let i = 0;
  const fail = (what: string): never => {
    throw new PyJsonError(`${what} at character ${i}`);
  };
  const skip = (): void => {
    while (i < text.length && WS.has(text[i]!)) i++;
  };
  const literal = (word: string, value: PyJson): PyJson => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return value;
    }
    return fail('unexpected value');
  };
  const str = (): string => {
    i++; // opening quote
    let out = '';
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text[i]!;
      if (c === '"') {
        i++;
        return out;
      }
      if (c < ' ') fail('invalid control character in string');
      if (c !== '\\') {
        out += c;
        i++;
        continue;
      }
      const e = text[i + 1];
      if (e === 'u') {
        const hex = text.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        i += 6;
      } else if (e !== undefined && ESCAPES[e] !== undefined) {
        out += ESCAPES[e];
        i += 2;
      } else {
        fail('invalid escape');
      }
    }
  };
  const value = (depth: number): PyJson => {
    if (depth > 500) fail('nested too deeply');
    skip();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: [string, PyJson][] = [];
      const index = new Map<string, number>();
      skip();
      if (text[i] === '}') {
        i++;
        return { kind: 'object', entries };
      }
      for (;;) {
        skip();
        if (text[i] !== '"') fail('expecting property name enclosed in double quotes');
        const key = str();
        skip();
        if (text[i] !== ':') fail("expecting ':' delimiter");
        i++;
        const v = value(depth + 1);
        // A repeated key keeps its first position and takes the last value, as a Python dict does.
        const at = index.get(key);
        if (at === undefined) {
          index.set(key, entries.length);
          entries.push([key, v]);
        } else entries[at] = [key, v];
        skip();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return { kind: 'object', entries };
        }
        fail("expecting ',' delimiter");
      }
    }
    if (c === '[') {
      i++;
      const items: PyJson[] = [];
      skip();
      if (text[i] === ']') {
        i++;
        return { kind: 'array', items };
      }
      for (;;) {
        items.push(value(depth + 1));
        skip();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return { kind: 'array', items };
        }
        fail("expecting ',' delimiter");
      }
    }
    if (c === '"') return { kind: 'str', value: str() };
    if (c === 'n') return literal('null', { kind: 'null' });
    if (c === 't') return literal('true', { kind: 'bool', value: true });
    if (c === 'f') return literal('false', { kind: 'bool', value: false });
    // Python accepts these three non-standard literals.
    if (c === 'N') return literal('NaN', { kind: 'float', value: NaN });
    if (c === 'I') return literal('Infinity', { kind: 'float', value: Infinity });
    if (text.startsWith('-Infinity', i)) return literal('-Infinity', { kind: 'float', value: -Infinity });
    const m = NUMBER.exec(text.slice(i));
    if (!m) return fail('expecting value');
    i += m[0].length;
    if (m[1] === undefined && m[2] === undefined) return { kind: 'int', digits: BigInt(m[0]).toString() };
    return { kind: 'float', value: Number(m[0]) };
  };
  const result = value(0);
  skip();
  if (i !== text.length) fail('extra data');
  return result;
}

/** json.dumps(v, separators=(',', ':')) with Python's defaults (ensure_ascii, allow_nan). */
export function dumpPyJson(v: PyJson): string {
  return dumpJsonWith(v, pyString);
}

/** Compact JSON of a value, key order kept, ints exact, every string (keys too) written by `quote`. */
export function dumpJsonWith(v: PyJson, quote: (s: string) => string): string {
  const dump = (x: PyJson): string => {
    switch (x.kind) {
      case 'null':
        return 'null';
      case 'bool':
        return x.value ? 'true' : 'false';
      case 'int':
        return x.digits;
      case 'float':
        return pyFloatRepr(x.value);
      case 'str':
        return quote(x.value);
      case 'array':
        return `[${x.items.map(dump).join(',')}]`;
      case 'object':
        return `{${x.entries.map(([k, y]) => `${quote(k)}:${dump(y)}`).join(',')}}`;
    }
  };
  return dump(v);
}

export function pyString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += s[i];
  }
  return out + '"';
}

/** Python's repr(float): shortest round-trip digits, exponent form outside 1e-4 <= |x| < 1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${whole}.${frac === '' ? '0' : frac}`;
}
