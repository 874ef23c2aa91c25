import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeConfigBytes } from '../../src/shared/decode.js';

const bytes = (...parts: (string | number[])[]): Uint8Array => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

test('a Latin-1 byte is named with its own value and line, not the byte after it', () => {
  // "café" in Latin-1 on line 3, followed by a newline: the bad byte is 0xe9 at byte 26.
  const r = decodeConfigBytes(bytes('[web]\nrefresh: 1\ncmd: caf', [0xe9], '\nservice_port: 80\n'));
  assert.deepEqual(r, { ok: false, line: 3, message: 'is not UTF-8 text: byte 0xe9 (byte 26 of the file, on line 3) does not begin a valid UTF-8 character; save the file as UTF-8' });
});

test('each kind of bad sequence is found where it begins', () => {
  const cases: [number[], number][] = [
    [[0xff], 0xff], // never valid
    [[0xc0, 0xaf], 0xc0], // overlong
    [[0xed, 0xa0, 0x80], 0xed], // a surrogate
    [[0xf4, 0x90, 0x80, 0x80], 0xf4], // above U+10FFFF
    [[0xe2, 0x82], 0xe2], // cut short at the end of the file
    [[0x80], 0x80], // a continuation byte on its own
  ];
  for (const [seq, lead] of cases) {
    const r = decodeConfigBytes(bytes('a\nb', seq));
    assert.equal(r.ok, false, seq.join(','));
    if (!r.ok) {
      assert.equal(r.line, 2, seq.join(','));
      assert.match(r.message, new RegExp(`byte 0x${lead.toString(16)} \\(byte 4 of the file, on line 2\\)`), seq.join(','));
    }
  }
});

test('valid UTF-8 (multi-byte characters, a BOM kept for the INI reader) decodes; a NUL is refused with its line', () => {
  assert.deepEqual(decodeConfigBytes(bytes([0xef, 0xbb, 0xbf], 'cmd: echo café €𝄞\n')), { ok: true, text: '\uFEFFcmd: echo café €𝄞\n' });
  assert.deepEqual(decodeConfigBytes(bytes('a\r\nb\n', [0], '\n')), { ok: false, line: 3, message: 'contains a NUL byte' });
});
