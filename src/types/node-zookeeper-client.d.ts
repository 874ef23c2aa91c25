// The library ships no types; this declares the part of its 1.1.3 API that zk-watcher uses.
declare module 'node-zookeeper-client' {
  import { EventEmitter } from 'node:events';

  export interface ClientOptions {
    sessionTimeout?: number;
    spinDelay?: number;
    retries?: number;
  }

  export class State {
    readonly name: string;
    readonly code: number;
    getName(): string;
    getCode(): number;
    static readonly DISCONNECTED: State;
    static readonly SYNC_CONNECTED: State;
    static readonly AUTH_FAILED: State;
    static readonly CONNECTED_READ_ONLY: State;
    static readonly SASL_AUTHENTICATED: State;
    static readonly EXPIRED: State;
  }

  export class Id {
    constructor(scheme: string, id: string);
    readonly scheme: string;
    readonly id: string;
    static readonly ANYONE_ID_UNSAFE: Id;
    static readonly AUTH_IDS: Id;
  }

  export class ACL {
    constructor(permission: number, id: Id);
    readonly permission: number;
    readonly id: Id;
    static readonly OPEN_ACL_UNSAFE: ACL[];
    static readonly CREATOR_ALL_ACL: ACL[];
    static readonly READ_ACL_UNSAFE: ACL[];
  }

  export const Permission: {
    readonly READ: number;
    readonly WRITE: number;
    readonly CREATE: number;
    readonly DELETE: number;
    readonly ADMIN: number;
    readonly ALL: number;
  };

  export const CreateMode: {
    readonly PERSISTENT: number;
    readonly PERSISTENT_SEQUENTIAL: number;
    readonly EPHEMERAL: number;
    readonly EPHEMERAL_SEQUENTIAL: number;
  };

  export class Exception extends Error {
    readonly code: number;
    readonly name: string;
    readonly path?: string;
    getCode(): number;
    getName(): string;
    getPath(): string | undefined;
    static readonly OK: number;
    static readonly SYSTEM_ERROR: number;
    static readonly CONNECTION_LOSS: number;
    static readonly OPERATION_TIMEOUT: number;
    static readonly NO_NODE: number;
    static readonly NO_AUTH: number;
    static readonly BAD_VERSION: number;
    static readonly NODE_EXISTS: number;
    static readonly NOT_EMPTY: number;
    static readonly SESSION_EXPIRED: number;
    static readonly INVALID_ACL: number;
    static readonly AUTH_FAILED: number;
  }

  export class Event {
    readonly type: number;
    readonly name: string;
    readonly path: string;
    getType(): number;
    getName(): string;
    getPath(): string;
    static readonly NODE_CREATED: number;
    static readonly NODE_DELETED: number;
    static readonly NODE_DATA_CHANGED: number;
    static readonly NODE_CHILDREN_CHANGED: number;
  }

  export interface Stat {
    czxid: Buffer;
    mzxid: Buffer;
    ctime: Buffer;
    mtime: Buffer;
    version: number;
    cversion: number;
    aversion: number;
    ephemeralOwner: Buffer;
    dataLength: number;
    numChildren: number;
    pzxid: Buffer;
  }

  export type Watcher = (event: Event) => void;
  export type ErrorCallback = (error: Error | Exception | null) => void;

  export interface OpResult {
    type: number;
    path?: string;
    stat?: Stat;
    err?: number;
  }

  export class Transaction {
    create(path: string, data?: Buffer | null, acls?: ACL[], mode?: number): Transaction;
    check(path: string, version?: number): Transaction;
    setData(path: string, data: Buffer | null, version?: number): Transaction;
    remove(path: string, version?: number): Transaction;
    commit(callback: (error: Error | Exception | null, results?: OpResult[]) => void): void;
  }

  export class Client extends EventEmitter {
    connect(): void;
    close(): void;
    getState(): State;
    getSessionId(): Buffer;
    getSessionPassword(): Buffer;
    getSessionTimeout(): number;
    addAuthInfo(scheme: string, auth: Buffer): void;
    create(path: string, data: Buffer | null, acls: ACL[], mode: number, callback: (error: Error | Exception | null, path?: string) => void): void;
    remove(path: string, version: number, callback: ErrorCallback): void;
    setData(path: string, data: Buffer | null, version: number, callback: (error: Error | Exception | null, stat?: Stat) => void): void;
    getData(path: string, watcher: Watcher | undefined, callback: (error: Error | Exception | null, data?: Buffer, stat?: Stat) => void): void;
    getACL(path: string, callback: (error: Error | Exception | null, acls?: ACL[], stat?: Stat) => void): void;
    setACL(path: string, acls: ACL[], version: number, callback: (error: Error | Exception | null, stat?: Stat) => void): void;
    exists(path: string, watcher: Watcher | undefined, callback: (error: Error | Exception | null, stat?: Stat | null) => void): void;
    getChildren(path: string, watcher: Watcher | undefined, callback: (error: Error | Exception | null, children?: string[], stat?: Stat) => void): void;
    mkdirp(path: string, data: Buffer | null, acls: ACL[], mode: number, callback: (error: Error | Exception | null, path?: string) => void): void;
    transaction(): Transaction;
  }

  export function createClient(connectionString: string, options?: ClientOptions): Client;

  const zookeeper: {
    createClient: typeof createClient;
    ACL: typeof ACL;
    Id: typeof Id;
    Permission: typeof Permission;
    CreateMode: typeof CreateMode;
    State: typeof State;
    Event: typeof Event;
    Exception: typeof Exception;
  };
  export default zookeeper;
}
