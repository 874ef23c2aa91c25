// Strict JSON (RFC 8259) of a parsed zookeeper_data value, for the formats whose readers are
// Jackson, Ruby's JSON or Finagle: compact, key order kept, ints exact, UTF-8 as is. Pure.

import { pyFloatRepr, type PyJson } from '../pyjson.js';

export function strictJson(v: PyJson): string {
  switch (v.kind) {
    case 'null':
      return 'null';
    case 'bool':
      return v.value ? 'true' : 'false';
    case 'int':
      return v.digits;
    case 'float':
      // Config refuses NaN and Infinity for these formats (nonFiniteIn); repr is valid JSON for the rest.
      return pyFloatRepr(v.value);
    case 'str':
      return JSON.stringify(v.value);
    case 'array':
      return `[${v.items.map(strictJson).join(',')}]`;
    case 'object':
      return `{${v.entries.map(([k, x]) => `${JSON.stringify(k)}:${strictJson(x)}`).join(',')}}`;
  }
}

/** The first NaN, Infinity or -Infinity in a value (Python's json writes them; strict readers refuse them), as written, or null. */
export function nonFiniteIn(v: PyJson): string | null {
  switch (v.kind) {
    case 'float':
      return Number.isFinite(v.value) ? null : pyFloatRepr(v.value);
    case 'array':
      for (const item of v.items) {
        const bad = nonFiniteIn(item);
        if (bad !== null) return bad;
      }
      return null;
    case 'object':
      for (const [, item] of v.entries) {
        const bad = nonFiniteIn(item);
        if (bad !== null) return bad;
      }
      return null;
    default:
      return null;
  }
}

/** Entries `base` with `over` on top: a key of `over` replaces the same key of `base` in its place, others follow (as dict.update). */
export function mergeOnTop(base: readonly (readonly [string, PyJson])[], over: readonly (readonly [string, PyJson])[]): [string, PyJson][] {
  const entries: [string, PyJson][] = base.map(([k, v]) => [k, v]);
  for (const [key, value] of over) {
    const at = entries.findIndex(([k]) => k === key);
    if (at >= 0) entries[at] = [key, value];
    else entries.push([key, value]);
  }
  return entries;
}
