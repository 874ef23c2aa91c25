// Shell syntax in a `cmd` that would turn a failing check into a passing one. zk_watcher
// split `cmd` on whitespace and ran it without a shell, so `&`, `;` and line breaks were
// plain characters of an argument (a URL's query, most often); /bin/sh (dash) reads them as
// operators, and the check's status becomes that of a background job or of a leftover
// assignment. Pure: the command in, the first such hazard (with its fix) or null out.

/** A top-level piece of the command, as /bin/sh separates them. */
interface Piece {
  /** The words of the simple command (quotes kept; only their shape matters here). */
  readonly words: string[];
  /** The operator that ended it: '&&', '||', '|', ';', '\n', '&', or '' at the end. */
  end: string;
}

export function cmdShellHazard(cmd: string): string | null {
  const scanned = scan(cmd);
  if (typeof scanned === 'string') return scanned;
  // Pieces without words are what an operator followed by a line break leaves: not commands.
  const pieces = scanned.filter((p) => p.words.length > 0);
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    const next = pieces[i + 1];
    if (p.end === '&' && !(next !== undefined && isWaitForLast(next.words))) {
      const before = p.words.join(' ');
      if (next === undefined) {
        return `ends with an unquoted '&', so /bin/sh runs '${before}' in the background and the check passes whatever it does: remove the '&'`;
      }
      const after = next.words.join(' ');
      return (
        `has an unquoted '&', so /bin/sh runs '${before}' in the background and the check's status becomes that of '${after}', ` +
        `whatever the first part does: quote the argument that holds the '&' (for example ${quoteHint(before, after)}), ` +
        `or use && to run commands one after another`
      );
    }
    if (p.end === '\n' && next !== undefined && !pieces.some((q) => COMPOUND.has(q.words[0]!))) {
      return (
        `continues on another line, and /bin/sh runs each line as its own command, so only the last line's status counts ` +
        `(zk_watcher ran the lines as one command): put it on one line, or join the commands with &&`
      );
    }
    if (p.end === ';' && next !== undefined && i + 1 === pieces.length - 1 && next.words.every(isAssignment)) {
      return (
        `ends with '${next.words.join(' ')}' after an unquoted ';': a command that only sets a variable always succeeds, so the check ` +
        `passes whatever '${p.words.join(' ')}' does: quote the argument that holds the ';', or use && between commands`
      );
    }
  }
  return null;
}

/** A multi-line if, case or loop is shell written on purpose; its status is the compound's. */
const COMPOUND = new Set(['if', 'then', 'elif', 'else', 'fi', 'case', 'esac', 'for', 'while', 'until', 'do', 'done']);

/** `cmd & wait $!`: the status is cmd's after all. */
function isWaitForLast(words: readonly string[]): boolean {
  return words.length === 2 && words[0] === 'wait' && (words[1] === '$!' || words[1] === '"$!"');
}

/** Past the closing quote of a "…" that starts at `i`: backslashes, and $(…) or `…` (with quotes of their own) inside it. */
function skipDoubleQuoted(cmd: string, i: number): number {
  let j = i + 1;
  while (j < cmd.length) {
    const c = cmd[j]!;
    if (c === '\\') j += 2;
    else if (c === '"') return j + 1;
    else if (c === '$' && cmd[j + 1] === '(') j = skipParens(cmd, j + 1);
    else if (c === '`') j = skipTo(cmd, '`', j + 1);
    else j++;
  }
  return cmd.length;
}

/** Past the ) that closes the ( at `i`, across quotes and nested parentheses. */
function skipParens(cmd: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < cmd.length) {
    const c = cmd[j]!;
    if (c === '\\') j += 2;
    else if (c === "'") j = skipTo(cmd, "'", j + 1);
    else if (c === '"') j = skipDoubleQuoted(cmd, j);
    else {
      if (c === '(') depth++;
      else if (c === ')' && --depth === 0) return j + 1;
      j++;
    }
  }
  return cmd.length;
}

function skipTo(cmd: string, quote: string, from: number): number {
  const close = cmd.indexOf(quote, from);
  return close === -1 ? cmd.length : close + 1;
}

function isAssignment(word: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*=/.test(word);
}

/** The two halves an '&' split, put back together in single quotes, as the fix to write. */
function quoteHint(before: string, after: string): string {
  const words = before.split(' ');
  const head = words.slice(0, -1).join(' ');
  return `${head}${head === '' ? '' : ' '}'${words.at(-1) ?? ''}&${after.split(' ')[0] ?? ''}'`;
}

/**
 * Splits the command into top-level pieces as sh's lexer would: quotes, backslashes,
 * comments, arithmetic `$((…))`, groups (`( )`, `{ }`, `$( )`, backticks) and redirections
 * such as `2>&1` keep their `&`, `;` and newlines. Returns a hazard found while scanning (bash's `&>`), or the pieces.
 */
function scan(cmd: string): Piece[] | string {
  const pieces: Piece[] = [{ words: [], end: '' }];
  let word = '';
  const current = (): Piece => pieces.at(-1)!;
  const endWord = (): void => {
    if (word !== '') current().words.push(word);
    word = '';
  };
  const endPiece = (op: string): void => {
    endWord();
    current().end = op;
    pieces.push({ words: [], end: '' });
  };
  let depth = 0;
  let i = 0;
  while (i < cmd.length) {
    const c = cmd[i]!;
    const next = cmd[i + 1];
    if (c === '\\') {
      // A backslash-newline joins the lines; any other escaped character is part of the word.
      if (next !== '\n') word += cmd.slice(i, i + 2);
      i += 2;
    } else if (c === "'") {
      const close = cmd.indexOf("'", i + 1);
      const end = close === -1 ? cmd.length : close + 1;
      word += cmd.slice(i, end);
      i = end;
    } else if (c === '"') {
      const end = skipDoubleQuoted(cmd, i);
      word += cmd.slice(i, end);
      i = end;
    } else if (c === '<' && next === '<' && depth === 0) {
      // A here-document: its body (the lines after this one) is data, not commands.
      const nl = cmd.indexOf('\n', i);
      word += cmd.slice(i, nl === -1 ? cmd.length : nl);
      endWord();
      return pieces;
    } else if (c === '$' && next === '(' && cmd[i + 2] === '(') {
      // Arithmetic: `&` there is a bitwise and.
      const close = cmd.indexOf('))', i + 3);
      const end = close === -1 ? cmd.length : close + 2;
      word += cmd.slice(i, end);
      i = end;
    } else if (c === '`') {
      // A command substitution is opaque, like a group.
      const close = cmd.indexOf('`', i + 1);
      const end = close === -1 ? cmd.length : close + 1;
      word += cmd.slice(i, end);
      i = end;
    } else if (depth > 0) {
      // Inside ( ), $( ) or { }: written as shell on purpose (zk_watcher could not have run
      // it), and what runs there in the background does not make the status; kept whole.
      const prev = cmd[i - 1] ?? ' ';
      if (c === '(') depth++;
      else if (c === ')') depth--;
      else if (c === '{' && /\s/.test(next ?? ' ') && /[\s;(]/.test(prev)) depth++;
      else if (c === '}' && /[\s;]/.test(prev)) depth--;
      word += c;
      i++;
    } else if (c === '(' || (c === '{' && word === '' && /\s/.test(next ?? ''))) {
      depth++;
      word += c;
      i++;
    } else if (c === '#' && word === '') {
      // A comment runs to the end of the line.
      const nl = cmd.indexOf('\n', i);
      i = nl === -1 ? cmd.length : nl;
    } else if (c === ' ' || c === '\t') {
      endWord();
      i++;
    } else if (c === '&' && next === '&') {
      endPiece('&&');
      i += 2;
    } else if (c === '|' && next === '|') {
      endPiece('||');
      i += 2;
    } else if (c === '&' && next === '>') {
      return "has '&>', which is bash's way to redirect both outputs; /bin/sh runs the command before it in the background, so the check passes whatever it does: write '>FILE 2>&1' instead";
    } else if (c === '&' && (word.endsWith('>') || word.endsWith('<'))) {
      // A redirection that duplicates a descriptor: 2>&1, >&2, <&3.
      word += c;
      i++;
    } else if (c === '&' || c === ';' || c === '\n' || c === '|') {
      // `;;` ends a case branch; it separates like `;` for what matters here.
      endPiece(c);
      i += c === ';' && next === ';' ? 2 : 1;
    } else {
      word += c;
      i++;
    }
  }
  endWord();
  return pieces;
}
