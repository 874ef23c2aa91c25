// Strict JSON (RFC 8259) of a parsed zookeeper_data value, for the formats whose readers are
// Jackson, Ruby's JSON or Finagle: compact, key order kept, ints exact, UTF-8 as is. Pure.

import { dumpJsonWith, pyFloatRepr, type PyJson } from '../pyjson.js';

export function strictJson(v: PyJson): string {
  // Config refuses NaN and Infinity for these formats (nonFiniteIn); Python's float repr is valid JSON for the rest.
  return dumpJsonWith(v, (s) => JSON.stringify(s));
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
