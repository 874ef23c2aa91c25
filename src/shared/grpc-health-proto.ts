// grpc.health.v1's two messages in protobuf wire format, by hand: a one-field request and a
// one-field reply do not need a .proto loader (protobufjs) in every check worker. Pure.
//
//   message HealthCheckRequest  { string service = 1; }
//   message HealthCheckResponse { enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2; SERVICE_UNKNOWN = 3; } ServingStatus status = 1; }

export const HEALTH_CHECK_PATH = '/grpc.health.v1.Health/Check';

const STATUS_NAMES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;

export function encodeHealthCheckRequest(service: string): Uint8Array {
  // proto3 leaves a field at its default ('') out.
  if (service === '') return new Uint8Array(0);
  const text = new TextEncoder().encode(service);
  const length = varint(text.length);
  const out = new Uint8Array(1 + length.length + text.length);
  out[0] = (1 << 3) | 2; // field 1, length-delimited
  out.set(length, 1);
  out.set(text, 1 + length.length);
  return out;
}

/** The reply's status by name ('SERVING', …, or 'status N' for a value this version does not know), or why the bytes are not a reply. */
export function decodeHealthCheckResponse(bytes: Uint8Array): { status: string } | { problem: string } {
  let status = 0;
  let at = 0;
  const readVarint = (): number | null => {
    let value = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (at >= bytes.length) return null;
      const b = bytes[at++]!;
      // Values beyond 2^53 lose precision; an enum never gets there, and the caller only names it.
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return value;
    }
    return null;
  };
  while (at < bytes.length) {
    const tag = readVarint();
    if (tag === null) return { problem: 'truncated field tag' };
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) {
      const v = readVarint();
      if (v === null) return { problem: 'truncated varint' };
      if (field === 1) status = v;
    } else if (wire === 2) {
      const length = readVarint();
      if (length === null || at + length > bytes.length) return { problem: 'truncated length-delimited field' };
      at += length;
    } else if (wire === 1 || wire === 5) {
      at += wire === 1 ? 8 : 4;
      if (at > bytes.length) return { problem: 'truncated fixed-width field' };
    } else {
      return { problem: `unsupported wire type ${wire}` };
    }
  }
  return { status: STATUS_NAMES[status] ?? `status ${status}` };
}

function varint(n: number): Uint8Array {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return Uint8Array.from(out);
}
