// Config bytes to text, refusing what configparser could not read as UTF-8 and what
// no sane config holds, with the line it happens on.

export type Decoded = { ok: true; text: string } | { ok: false; line: number; message: string };

export function decodeConfigBytes(bytes: Uint8Array): Decoded {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    return { ok: false, line: lineOfByte(bytes, at), message: `is not UTF-8 text (invalid byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')} at byte ${at + 1})` };
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) return { ok: false, line: text.slice(0, nul).split(/\r\n|\r|\n/).length, message: 'contains a NUL byte' };
  return { ok: true, text };
}

function lineOfByte(bytes: Uint8Array, at: number): number {
  let line = 1;
  for (let i = 0; i < at && i < bytes.length; i++) {
    if (bytes[i] === 0x0a || (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a)) line++;
  }
  return line;
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  let lo = 0;
  let hi = bytes.length;
  // The longest valid prefix, found by bisection (a valid prefix may end mid-character).
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (validPrefix(bytes, mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function validPrefix(bytes: Uint8Array, end: number): boolean {
  try {
    // stream: a character cut at `end` is not an error; a fresh decoder forgets it.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end), { stream: true });
    return true;
  } catch {
    return false;
  }
}
