// What an in-process check kind (http, tcp, grpc) reports, and the phrases they share.

import { performance } from 'node:perf_hooks';

export interface NetOutcome {
  readonly passed: boolean;
  /** Without the kind: "200", "503 (want 200-299)", "connected", "NOT_SERVING", "timed out after 2 s"… */
  readonly reason: string;
  readonly durationMs: number;
  /** The last 4 KiB of the response body or reply; empty when nothing was read. */
  readonly outputTail: string;
}

/** As much body as a command's output: enough for an error page's gist, bounded however much the server sends. */
export const OUTPUT_TAIL_BYTES = 4096;

export function timedOut(timeoutMs: number): string {
  return `timed out after ${timeoutMs / 1000} s`;
}

export function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

/** A configured string as a reason quotes it: JSON-escaped, and cut after 60 characters. */
export function quoted(text: string): string {
  return text.length > 60 ? `${JSON.stringify(text.slice(0, 60)).slice(0, -1)}…"` : JSON.stringify(text);
}
