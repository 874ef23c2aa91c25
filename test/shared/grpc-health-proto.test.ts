import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeHealthCheckResponse, encodeHealthCheckRequest } from '../../src/shared/grpc-health-proto.js';

// Expected bytes as protoc would write them (field 1, wire type 2 = 0x0a; field 1, varint = 0x08).
test('HealthCheckRequest: service as field 1, left out when empty', () => {
  const cases: [string, number[]][] = [
    ['', []],
    ['web', [0x0a, 3, 0x77, 0x65, 0x62]],
    ['é', [0x0a, 2, 0xc3, 0xa9]],
    ['x'.repeat(200), [0x0a, 0xc8, 0x01, ...Array<number>(200).fill(0x78)]],
  ];
  for (const [service, bytes] of cases) assert.deepEqual([...encodeHealthCheckRequest(service)], bytes, service.slice(0, 10));
});

test('HealthCheckResponse: the status by name, unknown fields skipped, bad bytes named', () => {
  const cases: [number[], ReturnType<typeof decodeHealthCheckResponse>][] = [
    [[], { status: 'UNKNOWN' }],
    [[0x08, 1], { status: 'SERVING' }],
    [[0x08, 2], { status: 'NOT_SERVING' }],
    [[0x08, 3], { status: 'SERVICE_UNKNOWN' }],
    [[0x08, 9], { status: 'status 9' }],
    // A field from a newer version (2: string, 3: fixed32) before and after the status; the last status wins.
    [[0x12, 2, 0x61, 0x62, 0x08, 2, 0x1d, 0, 0, 0, 0, 0x08, 1], { status: 'SERVING' }],
    [[0x08], { problem: 'truncated varint' }],
    [[0x12, 5, 0x61], { problem: 'truncated length-delimited field' }],
    [[0x0b], { problem: 'unsupported wire type 3' }],
  ];
  for (const [bytes, want] of cases) assert.deepEqual(decodeHealthCheckResponse(Uint8Array.from(bytes)), want, JSON.stringify(bytes));
});
