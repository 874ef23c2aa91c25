// Guards around node-zookeeper-client 1.1.3 that must hold before any client exists.
// Its Exception.create() throws on error codes it does not know (ZooKeeper 3.5+
// answers -118, -120, -122, ...), and it does so inside the socket's data handler,
// which would crash the agent. Unknown codes become ordinary exceptions instead.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface ExceptionModule {
  (code: number, name: string, path: string | undefined, ctor: unknown): void;
  create(code: number, path?: string): Error;
  prototype: object;
}

/** Names ZooKeeper 3.5-3.9 give the codes the library lacks. */
const NEWER_CODES: Record<number, string> = {
  [-13]: 'NEW_CONFIG_NO_QUORUM',
  [-14]: 'RECONFIG_IN_PROGRESS',
  [-15]: 'RECONFIG_DISABLED_LEGACY',
  [-118]: 'EPHEMERAL_ON_LOCAL_SESSION',
  [-119]: 'NO_WATCHER',
  [-120]: 'REQUEST_TIMEOUT',
  [-121]: 'RECONFIG_DISABLED',
  [-122]: 'SESSION_CLOSED_REQUIRE_SASL_AUTH',
  [-123]: 'SESSION_MOVED',
  [-124]: 'NOT_READ_ONLY',
  [-125]: 'QUOTA_EXCEEDED',
  [-127]: 'THROTTLED_OP',
};

let installed = false;

export function installClientGuards(): void {
  if (installed) return;
  installed = true;
  const Exception = require('node-zookeeper-client/lib/Exception.js') as ExceptionModule;
  const original = Exception.create;
  Exception.create = function create(code: number, path?: string): Error {
    try {
      return original(code, path);
    } catch {
      return unknownException(Exception, code, path);
    }
  };
}

/** An Exception the library's code and ours both handle (getCode, getName), built without its validating constructor. */
export function unknownException(Exception: ExceptionModule, code: number, path?: string): Error {
  const e = Object.create(Exception.prototype) as Error & { code: number; name: string; path?: string };
  const name = NEWER_CODES[code] ?? `UNKNOWN_ERROR_${code}`;
  e.code = code;
  e.name = name;
  if (path !== undefined) e.path = path;
  e.message = `Exception: ${name}[${code}]${path ? `@${path}` : ''}`;
  Error.captureStackTrace(e, unknownException);
  return e;
}
