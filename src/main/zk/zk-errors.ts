// ZooKeeper error codes as zk-watcher reasons about them.

import { zookeeper } from '../cjs-packages.js';

const { Exception } = zookeeper;

export const NO_NODE = Exception.NO_NODE;
export const NODE_EXISTS = Exception.NODE_EXISTS;
export const NO_AUTH = Exception.NO_AUTH;
export const BAD_VERSION = Exception.BAD_VERSION;
export const NOT_EMPTY = Exception.NOT_EMPTY;
export const CONNECTION_LOSS = Exception.CONNECTION_LOSS;
/**
 * ZooKeeper 3.7+'s SESSIONCLOSEDREQUIRESASLAUTH: the ensemble enforces authentication
 * (zookeeper.enforce.auth.enabled) and we have not authenticated with a scheme it accepts.
 * node-zookeeper-client 1.1.3 names this code NOT_READ_ONLY, its meaning in older servers.
 */
export const AUTH_REQUIRED = -124;

/** Raised by our own deadline or when a write is refused because we are not connected. */
export class ZkUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZkUnavailableError';
  }
}

/** Refused before anything was sent: we hold no connection now (the outcome is known: nothing happened). */
export class NotConnectedError extends ZkUnavailableError {
  constructor(message: string) {
    super(message);
    this.name = 'NotConnectedError';
  }
}

/** A write given up after its turn under the rate limit came: the wish it was for had changed meanwhile. */
export class WriteCancelledError extends Error {
  constructor(what: string) {
    super(`${what}: not sent, the wish changed while it waited for the write limit`);
    this.name = 'WriteCancelledError';
  }
}

export function zkCode(error: unknown): number | null {
  if (error instanceof Exception || (error !== null && typeof error === 'object' && typeof (error as { getCode?: unknown }).getCode === 'function')) {
    return (error as InstanceType<typeof Exception>).getCode();
  }
  return null;
}

export function describeZkError(error: unknown): string {
  if (zkCode(error) === AUTH_REQUIRED) return 'ZooKeeper requires clients to authenticate (enforce.auth) and closed our connection: set [auth] to a digest user it accepts';
  if (error instanceof Error) return error.message;
  return String(error);
}
