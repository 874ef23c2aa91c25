// The in-process check kinds that need no library: `http:` and `tcp:` (grpc-check.ts is the
// third, kept apart because it loads grpc-js). They run inside a check worker thread, so
// nothing here blocks or forks.

export { checkHttp } from './http-check.js';
export { checkTcp } from './tcp-check.js';
export type { NetOutcome } from './net-outcome.js';
