// Config bytes to text, refusing what configparser could not read as UTF-8 and what
// no sane config holds, with the line it happens on.

export type Decoded = { ok: true; text: string } | { ok: false; line: number; message: string };

export function decodeConfigBytes(bytes: Uint8Array): Decoded {
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    const line = lineOfByte(bytes, bad);
    const byte = `0x${bytes[bad]!.toString(16).padStart(2, '0')}`;
    return {
      ok: false,
      line,
      message: `is not UTF-8 text: byte ${byte} (byte ${bad + 1} of the file, on line ${line}) does not begin a valid UTF-8 character; save the file as UTF-8`,
    };
  }
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
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

/** Where the first byte sequence that is not UTF-8 begins (RFC 3629: no overlongs, no surrogates, at most U+10FFFF), or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const more = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0;
    if (more === 0) return i;
    // The second byte's range is narrower after these leads (overlongs, surrogates, > U+10FFFF).
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    const second = bytes[i + 1];
    if (second === undefined || second < low || second > high) return i;
    for (let k = 2; k <= more; k++) {
      const b = bytes[i + k];
      if (b === undefined || (b & 0xc0) !== 0x80) return i;
    }
    i += more + 1;
  }
  return -1;
}
