// Reads zk_watcher INI text exactly as Python 3.11's configparser.ConfigParser() (default settings) does,
// but reports every problem (with its line) instead of stopping at the first one. Pure: no I/O.

export interface IniEntry { readonly value: string; readonly line: number } // raw (un-interpolated) joined value; line of the key
export interface IniSection { readonly name: string; readonly line: number; readonly entries: ReadonlyMap<string, IniEntry> } // keys lowercased, own keys only
export interface IniProblem { readonly line: number; readonly message: string; readonly key?: string }
export interface IniDocument {
  readonly defaults: ReadonlyMap<string, IniEntry>;
  readonly sections: readonly IniSection[];      // in file order, without DEFAULT
  readonly problems: readonly IniProblem[];        // empty when Python would read the file
}

const DEFAULT_SECTION = 'DEFAULT';
const MAX_INTERPOLATION_DEPTH = 10;
// Python's str.isspace() set, used by both str.strip() and re's \s. JS's \s differs: it has \ufeff, lacks \x1c-\x1f and \x85.
const SPACE = /[\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
const KEY_REF = /^%\(([^)]+)\)s/;

const isSpace = (c: string | undefined): boolean => c !== undefined && SPACE.test(c);
function lstripCount(s: string): number {
  let i = 0;
  while (isSpace(s[i])) i++;
  return i;
}
function rstrip(s: string): string {
  let end = s.length;
  while (end > 0 && isSpace(s[end - 1])) end--;
  return s.slice(0, end);
}
const strip = (s: string): string => rstrip(s.slice(lstripCount(s)));
// configparser's optionxform is str.lower(); JS agrees except for letters newer than Python's Unicode 14 tables.
const lower = (s: string): string => s.toLowerCase();

interface Pending { parts: string[]; line: number }
interface Block { name: string; line: number; pending: Map<string, Pending> }

export function parseIni(text: string): IniDocument {
  const problems: IniProblem[] = [];
  const defaults: Block = { name: DEFAULT_SECTION, line: 0, pending: new Map() };
  const sections: Block[] = [];
  const byName = new Map<string, Block>();
  // Python reads text files with universal newlines: \r\n, \r and \n all end a line; a final terminator adds no line.
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();

  let block: Block | undefined;       // where key lines go (a throwaway block after a duplicate [section])
  let value: string[] | undefined;    // parts of the value that indented lines continue
  let indent = 0;
  lines.forEach((raw, index) => {
    const line = index + 1;
    const stripped = strip(raw);
    if (stripped.startsWith('#') || stripped.startsWith(';')) return;
    if (stripped === '') {
      // empty_lines_in_values: kept inside a value; trailing ones go in the final rstrip
      value?.push('');
      return;
    }
    const lineIndent = lstripCount(raw);
    if (block && value && lineIndent > indent) {
      value.push(stripped);
      return;
    }
    indent = lineIndent;
    // SECTCRE `\[(?P<header>.+)\]` with match(): greedy, so the header ends at the last ']' and anything after it is ignored
    const close = stripped.lastIndexOf(']');
    if (stripped.startsWith('[') && close >= 2) {
      const name = stripped.slice(1, close);
      value = undefined;
      if (name === DEFAULT_SECTION) {
        // [DEFAULT] may appear repeatedly; its keys still must not repeat
        block = defaults;
      } else if (byName.has(name)) {
        problems.push({ line, message: `duplicate section [${name}] (first at line ${byName.get(name)!.line})` });
        block = { name, line, pending: new Map() };
      } else {
        block = { name, line, pending: new Map() };
        byName.set(name, block);
        sections.push(block);
      }
      return;
    }
    if (!block) {
      // one problem for the whole preamble (nothing else can go wrong before a section): more lines would only repeat it
      if (!problems.length) {
        const bom = line === 1 && raw.startsWith('\ufeff') ? ' (the file starts with a byte-order mark)' : '';
        problems.push({ line, message: `text before the first [section]${bom}` });
      }
      return;
    }
    // OPTCRE `(.*?)\s*(=|:)\s*(.*)$` on a stripped line: the first '=' or ':' splits, spaces around it go
    const delimiter = stripped.search(/[=:]/);
    if (delimiter < 0) {
      // Python keeps the previous key open here, so later indented lines still continue it
      problems.push({ line, message: 'line is neither a [section], a key: value, nor a comment' });
      return;
    }
    const key = lower(rstrip(stripped.slice(0, delimiter)));
    const parts = [strip(stripped.slice(delimiter + 1))];
    if (key === '') {
      problems.push({ line, message: `key name is missing before '${stripped[delimiter]}'` });
      value = undefined; // Python's optname is '' now, and indented lines never continue a falsy optname
      return;
    }
    const first = block.pending.get(key);
    if (first) {
      problems.push({ line, key, message: `duplicate key '${key}' in [${block.name}] (first at line ${first.line})` });
    } else {
      block.pending.set(key, { parts, line });
    }
    value = parts; // for a duplicate, a throwaway that swallows its indented lines
  });

  const join = (b: Block): Map<string, IniEntry> =>
    new Map([...b.pending].map(([key, { parts, line }]) => [key, { value: rstrip(parts.join('\n')), line }]));
  return {
    defaults: join(defaults),
    sections: sections.map((s) => ({ name: s.name, line: s.line, entries: join(s) })),
    problems,
  };
}

/** The keys a section sees (its own, then DEFAULT's), as configparser's section proxy lists them. */
export function sectionKeys(doc: IniDocument, section: IniSection): string[] {
  return [...new Set([...section.entries.keys(), ...doc.defaults.keys()])];
}

class InterpolationFailure extends Error {}

/** configparser.get(section, key): interpolated value, or undefined when the key is absent, or a problem (with the key's line). */
export function getValue(doc: IniDocument, section: IniSection, key: string):
  { ok: true; value: string; line: number } | { ok: false; problem: IniProblem } | undefined {
  const name = lower(key);
  const lookup = (k: string): IniEntry | undefined => section.entries.get(k) ?? doc.defaults.get(k);
  const entry = lookup(name);
  if (!entry) return undefined;
  const out: string[] = [];
  try {
    expand(entry.value, 1, out, (k) => lookup(k)?.value, name);
  } catch (error) {
    if (!(error instanceof InterpolationFailure)) throw error;
    return { ok: false, problem: { line: entry.line, key: name, message: error.message } };
  }
  return { ok: true, value: out.join(''), line: entry.line };
}

// BasicInterpolation._interpolate_some, step for step, so errors surface in the same order as in Python.
function expand(rest: string, depth: number, out: string[], lookup: (k: string) => string | undefined, key: string): void {
  if (depth > MAX_INTERPOLATION_DEPTH) {
    throw new InterpolationFailure(`'%(...)s' references nest more than ${MAX_INTERPOLATION_DEPTH} deep, probably a loop (key '${key}')`);
  }
  while (rest) {
    const p = rest.indexOf('%');
    if (p < 0) {
      out.push(rest);
      return;
    }
    out.push(rest.slice(0, p));
    rest = rest.slice(p);
    if (rest[1] === '%') {
      out.push('%');
      rest = rest.slice(2);
    } else if (rest[1] === '(') {
      const ref = KEY_REF.exec(rest);
      if (!ref) throw new InterpolationFailure(`'%(' must be closed as '%(name)s' (key '${key}')`);
      rest = rest.slice(ref[0].length);
      const value = lookup(lower(ref[1]!));
      if (value === undefined) throw new InterpolationFailure(`'${ref[0]}' refers to a key that does not exist (key '${key}')`);
      // Python only re-expands values that contain a '%', so depth grows only along such chains
      if (value.includes('%')) expand(value, depth + 1, out, lookup, key);
      else out.push(value);
    } else {
      throw new InterpolationFailure(`'%' must be followed by '%' or '(' (key '${key}')`);
    }
  }
}
