// A short-lived, read-only ZooKeeper session for the commands (registry): connect with a
// deadline, read with a deadline on every call (node-zookeeper-client waits for ever on a
// silent server), close. Never writes. The daemon's own session is session.ts.

import type { Client, Stat } from 'node-zookeeper-client';
import { zookeeper } from '../cjs-packages.js';
import { installClientGuards } from '../zk/nzc-guards.js';
import { useTlsSockets, type ZkTlsSocketOptions } from '../zk/nzc-tls.js';
import { attemptFailureOf, describeAttemptFailure, type AttemptFailure } from '../../shared/zk-unreachable.js';
import { describeZkError, NO_NODE, zkCode } from '../zk/zk-errors.js';

installClientGuards();

export interface ZkReaderOptions {
  readonly connectString: string;
  readonly auth: { readonly user: string; readonly password: string } | null;
  /** How long to wait for a server to grant the session. */
  readonly connectTimeoutMs: number;
  /** Deadline of each read. */
  readonly opTimeoutMs: number;
  /** TLS to every server (absent or null: plain TCP). */
  readonly tls?: ZkTlsSocketOptions | null;
}

export class ZkReader {
  private constructor(
    private readonly client: Client,
    private readonly opTimeoutMs: number,
  ) {}

  /** Rejects when no server grants a session within connectTimeoutMs (or authentication fails). */
  static connect(options: ZkReaderOptions): Promise<ZkReader> {
    const client = zookeeper.createClient(options.connectString, { sessionTimeout: 10_000, spinDelay: 200, retries: 0 });
    const tls = options.tls;
    // Why each server failed, for the message when none grants a session (a certificate, a plain port).
    const failures = new Map<string, AttemptFailure>();
    if (tls) useTlsSockets(client, () => tls, (server, error) => failures.set(server, attemptFailureOf(server, error)));
    if (options.auth !== null) client.addAuthInfo('digest', Buffer.from(`${options.auth.user}:${options.auth.password}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        client.close();
        const why = [...failures.values()].map(describeAttemptFailure).join('; ');
        reject(new Error(`no ZooKeeper server of ${options.connectString} granted a session within ${options.connectTimeoutMs / 1000} s${why === '' ? '' : ` (${why})`}`));
      }, options.connectTimeoutMs);
      client.once('connected', () => {
        clearTimeout(timer);
        resolve(new ZkReader(client, options.opTimeoutMs));
      });
      client.once('authenticationFailed', () => {
        clearTimeout(timer);
        client.close();
        reject(new Error(`ZooKeeper refused the [auth] credentials (${options.connectString})`));
      });
      client.connect();
    });
  }

  /** The session id this reader holds, hex (never the agent's). */
  get sessionId(): string {
    return this.client.getSessionId().toString('hex');
  }

  /** Child names, or null when the path does not exist. */
  children(path: string): Promise<string[] | null> {
    return this.read(`list ${path}`, (done) => this.client.getChildren(path, undefined, (e, names) => done(e, names)));
  }

  /** Data and stat, or null when there is no node. */
  node(path: string): Promise<{ data: Buffer; stat: Stat } | null> {
    return this.read(`read ${path}`, (done) => this.client.getData(path, undefined, (e, data, stat) => done(e, e ? undefined : { data: data ?? Buffer.alloc(0), stat: stat! })));
  }

  /** Ends the session (the process exits right after; a server that does not answer the close is not waited for long). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, 1000);
      timer.unref();
      this.client.once('disconnected', () => {
        clearTimeout(timer);
        resolve();
      });
      this.client.close();
    });
  }

  private read<T>(what: string, run: (done: (error: unknown, value?: T) => void) => void): Promise<T | null> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${what}: no answer from ZooKeeper within ${this.opTimeoutMs / 1000} s`)), this.opTimeoutMs);
      run((error, value) => {
        clearTimeout(timer);
        if (error && zkCode(error) === NO_NODE) resolve(null);
        else if (error) reject(new Error(`${what}: ${describeZkError(error)}`));
        else resolve(value as T);
      });
    });
  }
}
