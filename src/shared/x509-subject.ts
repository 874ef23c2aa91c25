// A certificate's subject as ZooKeeper's X509AuthenticationProvider names the client: Java's
// X500Principal.getName(), the RFC 2253 form (most specific name first, "CN=a,O=b", keywords
// only for CN C L ST O OU STREET DC UID, any other attribute as OID=#hex of its DER value).
// That string is the id of an `x509` ACL, so it must match Java's byte for byte. Pure: DER in.

/** The keywords Java's RFC 2253 form uses; every other attribute is written by its OID. */
const KEYWORDS: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

/** What Java escapes with a backslash anywhere in a value (AVA.toRFC2253String). */
const ESCAPED = ',=+<>#;"\\';

interface Tlv {
  readonly tag: number;
  /** Where the value starts and ends in the buffer. */
  readonly start: number;
  readonly end: number;
  /** Where the whole TLV starts (for values written as #hex). */
  readonly from: number;
}

function readTlv(der: Uint8Array, at: number): Tlv {
  if (at + 2 > der.length) throw new Error('truncated DER');
  const tag = der[at]!;
  let length = der[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4 || start + n > der.length) throw new Error('bad DER length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + der[start + i]!;
    start += n;
  }
  if (start + length > der.length) throw new Error('truncated DER');
  return { tag, start, end: start + length, from: at };
}

function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.start; at < parent.end; ) {
    const t = readTlv(der, at);
    out.push(t);
    at = t.end;
  }
  return out;
}

function oidOf(der: Uint8Array, t: Tlv): string {
  const bytes = der.subarray(t.start, t.end);
  const parts: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

/** A directory string's text, or null for a type Java would write as #hex. */
function textOf(der: Uint8Array, t: Tlv): string | null {
  switch (t.tag) {
    case 0x0c: // UTF8String
    case 0x13: // PrintableString
    case 0x14: // T61String
    case 0x16: // IA5String
    case 0x1b: // GeneralString
    case 0x1e: // BMPString
      // Java's AVA.toRFC2253String reads the value's bytes as UTF-8 whatever the string type
      // (a BMPString's zero bytes become NULs, a Latin-1 byte U+FFFD): ZooKeeper's id is that.
      return Buffer.from(der.subarray(t.start, t.end)).toString('utf8');
    default:
      return null;
  }
}

function escapeValue(text: string): string {
  let out = '';
  for (const c of text) out += c === '\u0000' ? '\\00' : ESCAPED.includes(c) ? `\\${c}` : c;
  // Leading and trailing spaces are escaped too (a leading # already is).
  out = out.replace(/^ /, '\\ ');
  if (out.endsWith(' ') && !out.endsWith('\\ ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

function attribute(der: Uint8Array, ava: Tlv): string {
  const [type, value] = children(der, ava);
  if (type === undefined || value === undefined || type.tag !== 0x06) throw new Error('bad AttributeTypeAndValue');
  const oid = oidOf(der, type);
  const keyword = KEYWORDS[oid];
  const text = keyword === undefined ? null : textOf(der, value);
  if (keyword === undefined || text === null) return `${keyword ?? oid}=#${Buffer.from(der.subarray(value.from, value.end)).toString('hex')}`;
  return `${keyword}=${escapeValue(text)}`;
}

/** The subject of a DER certificate, as Java's X500Principal.getName() writes it. Throws on DER it cannot read. */
export function x509SubjectRfc2253(der: Uint8Array): string {
  const cert = readTlv(der, 0);
  const [tbs] = children(der, cert);
  if (tbs === undefined) throw new Error('no tbsCertificate');
  const fields = children(der, tbs);
  // [0] version is optional: serial, signature, issuer, validity, subject follow it.
  const first = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[first + 4];
  if (subject === undefined || subject.tag !== 0x30) throw new Error('no subject');
  return children(der, subject)
    .map((rdn) => children(der, rdn).map((ava) => attribute(der, ava)).join('+'))
    .reverse()
    .join(',');
}
