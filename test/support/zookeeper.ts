// Real Apache ZooKeeper servers for the tests (Debian's `zookeeper` package, 3.8, run
// straight from /usr/share/java with a small JVM). Every server lives in its own temp
// dir (<tmp>/zk-harness-<pid>-XXXX/zk-N/: zoo.cfg, log4j.properties, zookeeper.log, data/).
//
// Defaults chosen for tests (override per call):
//   tickTime 500 ms, minSessionTimeout 1000 ms, maxSessionTimeout 60000 ms. So a client
//   may ask for a session timeout as short as 1 s (ZooKeeper clamps requests into
//   [min, max]), and sessions of a killed/partitioned client expire within about a
//   second or two of their timeout (expiry is checked every tick).
//   forceSync=no (no fsync; data still survives a SIGKILL of the JVM, not a host crash),
//   maxClientCnxns=0 (unlimited connections from 127.0.0.1), admin server off, all
//   four-letter words enabled.
//
// Lifetime: every JVM is started in its own process group and tracked. They are all
// SIGKILLed when this process exits (process.on('exit')), on SIGINT/SIGTERM/SIGHUP, and,
// should this process die without running any handler (SIGKILL, OOM), by a tiny watchdog
// shell that notices its stdin pipe from us closing. Use stopAll() in after() hooks to
// also remove the temp dirs (they are removed at exit too, unless ZK_TEST_KEEP_DIRS=1).
//
// TLS only ({ tls }): the port is a secureClientPort on Netty with PEM key and trust stores,
// x509 identities, and no clientPort at all; quorum ports stay plain; the harness's own
// four-letter words go over TLS.
//
// Environment: ZK_TEST_LOG_LEVEL (log4j level of the server log, default INFO),
// ZK_TEST_JAVA (java binary, default `java` from PATH), ZK_TEST_KEEP_DIRS=1,
// ZK_TEST_HEAP (the JVM's -Xmx for servers started from then on, e.g. 512m; default 128m).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canBind, freePort, freePorts } from './ports.js';

export interface ZkOptions {
  /** ms; default 500 */
  tickTime?: number;
  /** ms; default 1000 */
  minSessionTimeout?: number;
  /** ms; default 60000 */
  maxSessionTimeout?: number;
  /** More zoo.cfg lines (key -> value), e.g. to make the server refuse unauthenticated sessions. */
  extra?: Readonly<Record<string, string>>;
  /** TLS only: the port is a secureClientPort (Netty), and there is no plain clientPort at all. */
  tls?: ZkTlsServerOptions | null;
}

/** PEM files of a TLS-only server (test/support/tls-certs.ts makes them). */
export interface ZkTlsServerOptions {
  /** The server's unencrypted PKCS#8 key followed by its certificate. */
  readonly keyStore: string;
  /** The CA the clients' certificates must chain to. */
  readonly trustStore: string;
  /** ssl.clientAuth (default want: a client certificate is checked when given, x509 names its subject). */
  readonly clientAuth?: 'none' | 'want' | 'need';
  /** A client certificate and key for the harness's own four-letter words (needed with clientAuth need). */
  readonly client?: { readonly cert: string; readonly key: string };
}

export interface ZkServer {
  readonly port: number;
  /** '127.0.0.1:PORT' */
  readonly connectString: string;
  /** ZooKeeper's dataDir (snapshots, txn logs, myid) */
  readonly dataDir: string;
  /** this server's temp dir (zoo.cfg, zookeeper.log, dataDir) */
  readonly dir: string;
  /** stdout/stderr of the JVM and its log4j output */
  readonly logFile: string;
  /** 1-based id inside an ensemble (1 for a standalone server) */
  readonly myid: number;
  /** true from spawn until the JVM has exited */
  readonly running: boolean;
  /** pid of the JVM while running */
  readonly pid: number | undefined;
  /**
   * (Re)start on the same port and dataDir. Resolves once the server serves: `ruok`
   * answers `imok` and `srvr` says Mode: standalone, or, for an ensemble member, `srvr`
   * says Mode: leader/follower (so it needs a quorum: restart several stopped members
   * with Promise.all). Rejects with the log tail if the JVM exits or 30 s pass (the JVM
   * is then killed). A no-op wait if it is already running.
   */
  start(): Promise<void>;
  /** SIGTERM to the process group, wait for exit; SIGKILL after 10 s. No-op if not running. */
  stop(): Promise<void>;
  /** SIGKILL to the process group, wait for exit. No-op if not running. */
  kill(): Promise<void>;
  /** Raw four-letter word over TCP (timeout default 5 s); resolves with the whole answer. */
  fourLetter(cmd: string, timeoutMs?: number): Promise<string>;
  /** Parsed `mntr` (key -> value). Rejects if the server is not serving. */
  mntr(): Promise<Record<string, string>>;
  /** Last `lines` (default 60) lines of the server log. */
  logTail(lines?: number): string;
}

export interface ZkEnsemble {
  readonly servers: readonly ZkServer[];
  /** '127.0.0.1:P1,127.0.0.1:P2,...' */
  readonly connectString: string;
  /** Stop every member (SIGTERM, in parallel). */
  stop(): Promise<void>;
  /** Start every member that is not running, in parallel; resolves when all serve. */
  start(): Promise<void>;
  /** The member whose `srvr` says Mode: leader, if any answers so. */
  leader(): Promise<ZkServer | undefined>;
}

const ZK_JAR = '/usr/share/java/zookeeper.jar';
/** The Debian build logs through slf4j -> log4j 1.2; zookeeper.jar's manifest Class-Path brings the rest. */
const LOG_JARS = ['/usr/share/java/slf4j-log4j12.jar', '/usr/share/java/log4j-1.2.jar'];
/** Explicit classpath (NOT /usr/share/java/*: that holds several competing slf4j bindings). */
export const ZK_CLASSPATH = [ZK_JAR, ...LOG_JARS].join(':');
/** Netty's codec and resolver, which the Debian jar's Class-Path lacks and its NettyServerCnxnFactory (TLS) needs. */
const NETTY_JARS = ['/usr/share/java/netty-codec.jar', '/usr/share/java/netty-resolver.jar'];
const JAVA = process.env.ZK_TEST_JAVA || 'java';
/** Small, quick-starting JVMs: the machine is shared and has 2 cores. */
export const JVM_FLAGS = [
  '-Xmx128m',
  '-Xms16m',
  '-Xss512k',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-XX:-UsePerfData',
  '-Xshare:auto',
  '-Djava.awt.headless=true',
];
const START_DEADLINE_MS = 30_000;
const STOP_GRACE_MS = 10_000;
const DEFAULTS = { tickTime: 500, minSessionTimeout: 1000, maxSessionTimeout: 60_000 } as const;

// ---------------------------------------------------------------------------------------
// Installation check

let installChecked = false;

function projectRoot(): string {
  // Works from test/support (ts sources) and build/test/support (compiled).
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'test', 'support'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('zookeeper harness: cannot find the project root above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

function javaWorks(): boolean {
  const r = spawnSync(JAVA, ['-version'], { stdio: 'ignore', timeout: 30_000 });
  return r.status === 0;
}

function missingJars(): string[] {
  return [ZK_JAR, ...LOG_JARS].filter((j) => !existsSync(j));
}

/**
 * Throws a clear error unless java and the ZooKeeper jars are present. If they are
 * missing it first runs test/support/ensure-zookeeper.sh (apt-get install) once.
 */
export function ensureZooKeeperInstalled(): void {
  if (installChecked) return;
  if (missingJars().length === 0 && javaWorks()) {
    installChecked = true;
    return;
  }
  const script = join(projectRoot(), 'test', 'support', 'ensure-zookeeper.sh');
  const r = spawnSync('bash', [script], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 15 * 60_000 });
  const missing = missingJars();
  if (missing.length > 0 || !javaWorks()) {
    throw new Error(
      `ZooKeeper test harness: cannot run ZooKeeper: ${missing.length ? 'missing ' + missing.join(', ') : ''}` +
        `${javaWorks() ? '' : `${missing.length ? '; ' : ''}'${JAVA}' does not run`}. ` +
        `${script} exited with ${r.status ?? r.signal ?? r.error?.message}:\n${(r.stdout ?? '') + (r.stderr ?? '')}`,
    );
  }
  installChecked = true;
}

// ---------------------------------------------------------------------------------------
// Process tracking: nothing we start may outlive us.

const live = new Map<number, ChildProcess>(); // pid (== pgid) -> JVM
const allServers = new Set<ZkServerImpl>();
let rootDir: string | undefined;
let hooksInstalled = false;
let watchdog: ChildProcess | undefined;

function killGroupSync(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

function killAllSync(): void {
  for (const pid of live.keys()) killGroupSync(pid, 'SIGKILL');
}

function removeDirsSync(): void {
  if (process.env.ZK_TEST_KEEP_DIRS === '1') return;
  if (rootDir) rmSync(rootDir, { recursive: true, force: true });
  rootDir = undefined;
}

const SIGNALS: Array<[NodeJS.Signals, number]> = [
  ['SIGINT', 2],
  ['SIGTERM', 15],
  ['SIGHUP', 1],
];

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    killAllSync();
    removeDirsSync();
  });
  for (const [sig, num] of SIGNALS) {
    const handler = () => {
      killAllSync();
      // If nobody else handles this signal, behave like the default: die.
      if (process.listenerCount(sig) <= 1) process.exit(128 + num);
    };
    process.on(sig, handler);
  }
  startWatchdog();
}

// A shell reading "+PGID"/"-PGID"/"DPATH" lines on stdin; when the pipe closes (we died,
// however), it SIGKILLs every group still registered and removes our temp dir.
const WATCHDOG_SCRIPT = `
pids=""; dir=""
while IFS= read -r line; do
  case "$line" in
    +*) pids="$pids \${line#+}" ;;
    -*) p=\${line#-}; n=""; for q in $pids; do [ "$q" = "$p" ] || n="$n $q"; done; pids=$n ;;
    D*) dir=\${line#D} ;;
  esac
done
for p in $pids; do kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null; done
if [ -n "$dir" ] && [ "$ZK_TEST_KEEP_DIRS" != 1 ]; then sleep 0.2; rm -rf -- "$dir"; fi
`;

function startWatchdog(): void {
  try {
    const wd = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    wd.on('error', () => {
      watchdog = undefined;
    });
    wd.stdin?.on('error', () => {
      /* watchdog gone: the exit/signal hooks still apply */
    });
    wd.unref();
    (wd.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    watchdog = wd;
  } catch {
    watchdog = undefined;
  }
}

function tellWatchdog(line: string): void {
  try {
    watchdog?.stdin?.write(line + '\n');
  } catch {
    /* ignore */
  }
}

/**
 * Registers a JVM (or any child spawned with `detached: true`) so that it is killed with
 * the rest when this process exits; it is forgotten again when it exits.
 */
export function trackProcess(child: ChildProcess): void {
  installHooks();
  const pid = child.pid;
  if (pid === undefined) return;
  live.set(pid, child);
  tellWatchdog(`+${pid}`);
  const forget = () => {
    live.delete(pid);
    tellWatchdog(`-${pid}`);
  };
  child.once('exit', forget);
  child.once('error', forget);
}

/** log4j config for ZooKeeper's Java CLI: warnings and errors to stderr, nothing else. */
export function cliLog4jConfig(): string {
  const file = join(harnessRoot(), 'cli-log4j.properties');
  if (!existsSync(file)) {
    writeFileSync(
      file,
      [
        'log4j.rootLogger=WARN, ERR',
        'log4j.logger.org.apache.zookeeper.util.ServiceUtils=OFF',
        'log4j.appender.ERR=org.apache.log4j.ConsoleAppender',
        'log4j.appender.ERR.Target=System.err',
        'log4j.appender.ERR.layout=org.apache.log4j.PatternLayout',
        'log4j.appender.ERR.layout.ConversionPattern=%d{ISO8601} %-5p %c{1} - %m%n',
        '',
      ].join('\n'),
    );
  }
  return file;
}

function harnessRoot(): string {
  if (!rootDir || !existsSync(rootDir)) {
    rootDir = mkdtempSync(join(tmpdir(), `zk-harness-${process.pid}-`));
    installHooks();
    tellWatchdog(`D${rootDir}`);
  }
  return rootDir;
}

let serverSeq = 0;

// ---------------------------------------------------------------------------------------
// Four-letter words

export function fourLetterWord(port: number, cmd: string, timeoutMs = 5000, tls?: ZkTlsServerOptions | null): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let done = false;
    // Over TLS to a TLS-only server (any certificate of it will do: this only asks how it is).
    const sock = tls
      ? tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...(tls.client ? { cert: readFileSync(tls.client.cert), key: readFileSync(tls.client.key) } : {}) })
      : connect({ host: '127.0.0.1', port });
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const timer = setTimeout(() => finish(new Error(`4lw '${cmd}' to 127.0.0.1:${port}: no answer within ${timeoutMs} ms`)), timeoutMs);
    sock.on(tls ? 'secureConnect' : 'connect', () => sock.write(cmd));
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.on('end', () => finish());
    sock.on('close', () => finish());
    sock.on('error', (e: NodeJS.ErrnoException) => finish(new Error(`4lw '${cmd}' to 127.0.0.1:${port}: ${e.code ?? e.message}`)));
  });
}

function parseMntr(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) out[line.slice(0, tab).trim()] = line.slice(tab + 1).trim();
  }
  return out;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

class ZkStartError extends Error {
  constructor(
    message: string,
    readonly portConflict: boolean,
  ) {
    super(message);
    this.name = 'ZkStartError';
  }
}

// ---------------------------------------------------------------------------------------
// One server

interface Peer {
  myid: number;
  quorumPort: number;
  electionPort: number;
}

class ZkServerImpl implements ZkServer {
  readonly dir: string;
  readonly dataDir: string;
  readonly logFile: string;
  private readonly cfgFile: string;
  private readonly log4jFile: string;
  port: number;
  peers: Peer[] = [];
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private exitInfo: string | undefined;
  private starting: Promise<void> | undefined;

  constructor(
    port: number,
    readonly myid: number,
    private readonly opts: Required<ZkOptions>,
    private readonly ensemble: boolean,
  ) {
    this.port = port;
    this.dir = join(harnessRoot(), `zk-${++serverSeq}`);
    this.dataDir = join(this.dir, 'data');
    this.logFile = join(this.dir, 'zookeeper.log');
    this.cfgFile = join(this.dir, 'zoo.cfg');
    this.log4jFile = join(this.dir, 'log4j.properties');
    mkdirSync(this.dataDir, { recursive: true });
    allServers.add(this);
  }

  get connectString(): string {
    return `127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private label(): string {
    return `ZooKeeper ${this.ensemble ? `ensemble member ${this.myid} ` : ''}on 127.0.0.1:${this.port}`;
  }

  /** (Re)writes zoo.cfg, myid and log4j.properties from the current ports. */
  writeConfig(): void {
    const o = this.opts;
    const lines = [
      `tickTime=${o.tickTime}`,
      `initLimit=20`,
      `syncLimit=10`,
      `dataDir=${this.dataDir}`,
      ...(o.tls ? tlsConfigLines(this.port, o.tls) : [`clientPort=${this.port}`, `clientPortAddress=127.0.0.1`]),
      `minSessionTimeout=${o.minSessionTimeout}`,
      `maxSessionTimeout=${o.maxSessionTimeout}`,
      `maxClientCnxns=0`,
      `admin.enableServer=false`,
      `4lw.commands.whitelist=*`,
      // Unknown keys become zookeeper.* system properties:
      `forceSync=no`,
      `preAllocSize=1024`,
      `snapCount=10000`,
      ...Object.entries(o.extra ?? {}).map(([k, v]) => `${k}=${v}`),
    ];
    if (this.ensemble) {
      for (const p of this.peers) lines.push(`server.${p.myid}=127.0.0.1:${p.quorumPort}:${p.electionPort}`);
      writeFileSync(join(this.dataDir, 'myid'), `${this.myid}\n`);
    }
    writeFileSync(this.cfgFile, lines.join('\n') + '\n');
    const level = process.env.ZK_TEST_LOG_LEVEL || 'INFO';
    writeFileSync(
      this.log4jFile,
      [
        `log4j.rootLogger=${level}, CONSOLE`,
        'log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender',
        'log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout',
        `log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} [myid:${this.myid}] %-5p [%t] %c{1} - %m%n`,
        '',
      ].join('\n'),
    );
  }

  private ownPorts(): number[] {
    const me = this.peers.find((p) => p.myid === this.myid);
    return me ? [this.port, me.quorumPort, me.electionPort] : [this.port];
  }

  start(): Promise<void> {
    if (!this.starting) {
      this.starting = this.doStart().finally(() => {
        this.starting = undefined;
      });
    }
    return this.starting;
  }

  private async doStart(): Promise<void> {
    if (!this.child) {
      ensureZooKeeperInstalled();
      for (const p of this.ownPorts()) {
        if (!(await canBind(p))) {
          throw new ZkStartError(`${this.label()}: cannot start, port ${p} on 127.0.0.1 is already in use`, true);
        }
      }
      this.spawnJvm();
    }
    await this.waitServing();
  }

  private spawnJvm(): void {
    installHooks();
    allServers.add(this);
    if (!existsSync(this.cfgFile)) {
      // stopAll() removed our dir; a later start() gets a fresh, empty one.
      mkdirSync(this.dataDir, { recursive: true });
      this.writeConfig();
    }
    writeFileSync(this.logFile, `---- ${new Date().toISOString()} starting ${this.label()}\n`, { flag: 'a' });
    const fd = openSync(this.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(
        JAVA,
        [
          ...JVM_FLAGS,
          // Read at each start: the fleet bench's ensemble holds far more than a test's.
          ...(process.env.ZK_TEST_HEAP ? [`-Xmx${process.env.ZK_TEST_HEAP}`] : []),
          `-Dlog4j.configuration=file:${this.log4jFile}`,
          '-Dzookeeper.jmx.log4j.disable=true',
          '-Dzookeeper.fastleader.maxNotificationInterval=2000',
          '-cp',
          this.opts.tls ? [ZK_CLASSPATH, ...NETTY_JARS].join(':') : ZK_CLASSPATH,
          'org.apache.zookeeper.server.quorum.QuorumPeerMain',
          this.cfgFile,
        ],
        { cwd: this.dir, detached: true, stdio: ['ignore', fd, fd] },
      );
    } finally {
      closeSync(fd);
    }
    this.exitInfo = undefined;
    this.child = child;
    this.exited = new Promise<void>((resolve) => {
      const done = (info: string) => {
        if (this.child === child) this.child = undefined;
        this.exitInfo = info;
        try {
          appendFileSync(this.logFile, `---- ${new Date().toISOString()} JVM ${child.pid ?? '?'} ${info}\n`);
        } catch {
          /* dir already removed */
        }
        resolve();
      };
      child.once('exit', (code, signal) => done(signal ? `killed by ${signal}` : `exited with code ${code}`));
      child.once('error', (err) => done(`could not be spawned (${JAVA}): ${err.message}`));
    });
    trackProcess(child);
    child.unref(); // a forgotten server must not keep the test process alive; the exit hook kills it
  }

  private async waitServing(): Promise<void> {
    const deadline = Date.now() + START_DEADLINE_MS;
    const child = this.child;
    let last = 'no answer yet';
    let exited = false;
    void this.exited.then(() => {
      exited = true;
    });
    while (!exited && this.child === child) {
      try {
        if (!this.ensemble) {
          const ok = await this.fourLetter('ruok', 2000);
          if (ok.trim() !== 'imok') throw new Error(`ruok answered ${JSON.stringify(ok)}`);
        }
        const srvr = await this.fourLetter('srvr', 2000);
        const mode = /^Mode: (\S+)/m.exec(srvr)?.[1];
        last = mode ? `Mode: ${mode}` : srvr.trim().split('\n')[0] ?? '';
        if (this.ensemble ? mode === 'leader' || mode === 'follower' : mode === 'standalone') return;
      } catch (e) {
        last = (e as Error).message;
      }
      if (Date.now() > deadline) {
        const tail = this.logTail(40);
        await this.kill();
        throw new ZkStartError(
          `${this.label()} did not start serving within ${START_DEADLINE_MS / 1000} s (last probe: ${last}); log tail (${this.logFile}):\n${tail}`,
          /Address already in use|BindException/.test(tail),
        );
      }
      await Promise.race([sleep(100), this.exited]);
    }
    const tail = this.logTail(40);
    throw new ZkStartError(
      `${this.label()} ${this.exitInfo ?? 'stopped'} while starting; log tail (${this.logFile}):\n${tail}`,
      /Address already in use|BindException/.test(tail),
    );
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child?.pid) return this.exited;
    child.ref();
    killGroupSync(child.pid, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<boolean>((r) => {
      timer = setTimeout(() => r(true), STOP_GRACE_MS);
    });
    const timedOut = await Promise.race([this.exited.then(() => false), grace]);
    clearTimeout(timer);
    if (timedOut) {
      killGroupSync(child.pid, 'SIGKILL');
      await this.exited;
    }
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child?.pid) return this.exited;
    child.ref();
    killGroupSync(child.pid, 'SIGKILL');
    await this.exited;
  }

  fourLetter(cmd: string, timeoutMs = 5000): Promise<string> {
    return fourLetterWord(this.port, cmd, timeoutMs, this.opts.tls);
  }

  async mntr(): Promise<Record<string, string>> {
    const text = await this.fourLetter('mntr');
    const parsed = parseMntr(text);
    if (!('zk_version' in parsed)) throw new Error(`${this.label()}: mntr answered ${JSON.stringify(text.trim())}`);
    return parsed;
  }

  logTail(lines = 60): string {
    let text: string;
    try {
      text = readFileSync(this.logFile, 'utf8');
    } catch {
      return `(no log at ${this.logFile})`;
    }
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  }

  removeDir(): void {
    if (process.env.ZK_TEST_KEEP_DIRS !== '1') rmSync(this.dir, { recursive: true, force: true });
    allServers.delete(this);
  }
}

function withDefaults(opts?: ZkOptions): Required<ZkOptions> {
  return {
    tickTime: opts?.tickTime ?? DEFAULTS.tickTime,
    minSessionTimeout: opts?.minSessionTimeout ?? DEFAULTS.minSessionTimeout,
    maxSessionTimeout: opts?.maxSessionTimeout ?? DEFAULTS.maxSessionTimeout,
    extra: opts?.extra ?? {},
    tls: opts?.tls ?? null,
  };
}

/** zoo.cfg of a TLS-only server: a secureClientPort on Netty, PEM stores, x509 identities, and no clientPort. */
function tlsConfigLines(port: number, tls: ZkTlsServerOptions): string[] {
  return [
    `secureClientPort=${port}`,
    `secureClientPortAddress=127.0.0.1`,
    `serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory`,
    `ssl.keyStore.location=${tls.keyStore}`,
    `ssl.keyStore.type=PEM`,
    `ssl.trustStore.location=${tls.trustStore}`,
    `ssl.trustStore.type=PEM`,
    `ssl.clientAuth=${tls.clientAuth ?? 'want'}`,
    `authProvider.x509=org.apache.zookeeper.server.auth.X509AuthenticationProvider`,
  ];
}

const PORT_ATTEMPTS = 3;

/** A standalone server on a free loopback port with a fresh temp dataDir; resolves when it serves. */
export async function startZooKeeper(opts?: ZkOptions): Promise<ZkServer> {
  ensureZooKeeperInstalled();
  const server = new ZkServerImpl(await freePort(), 1, withDefaults(opts), false);
  for (let attempt = 1; ; attempt++) {
    server.writeConfig();
    try {
      await server.start();
      return server;
    } catch (e) {
      // Someone grabbed the port between choosing and binding it: choose again.
      if (!(e instanceof ZkStartError && e.portConflict) || attempt >= PORT_ATTEMPTS) {
        await server.kill();
        server.removeDir();
        throw e;
      }
      server.port = await freePort();
    }
  }
}

/** `size` (default 3) servers on loopback forming one ensemble; resolves when every member serves. */
export async function startEnsemble(size = 3, opts?: ZkOptions): Promise<ZkEnsemble> {
  ensureZooKeeperInstalled();
  if (!Number.isInteger(size) || size < 1) throw new Error(`startEnsemble: bad size ${size}`);
  const o = withDefaults(opts);
  const servers: ZkServerImpl[] = [];
  for (let i = 1; i <= size; i++) servers.push(new ZkServerImpl(0, i, o, true));
  for (let attempt = 1; ; attempt++) {
    const ports = await freePorts(3 * size);
    const peers: Peer[] = servers.map((s, i) => ({ myid: s.myid, quorumPort: ports[3 * i + 1]!, electionPort: ports[3 * i + 2]! }));
    servers.forEach((s, i) => {
      s.port = ports[3 * i]!;
      s.peers = peers;
      s.writeConfig();
    });
    const results = await Promise.allSettled(servers.map((s) => s.start()));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
    if (failures.length === 0) break;
    await Promise.all(servers.map((s) => s.kill()));
    const conflict = failures.some((f) => f instanceof ZkStartError && f.portConflict);
    if (!conflict || attempt >= PORT_ATTEMPTS) {
      for (const s of servers) s.removeDir();
      const msgs = failures.map((f) => (f instanceof Error ? f.message : String(f)));
      throw new Error(`startEnsemble(${size}) failed:\n${msgs.join('\n\n')}`);
    }
  }
  return {
    servers,
    connectString: servers.map((s) => s.connectString).join(','),
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop()));
    },
    start: async () => {
      await Promise.all(servers.map((s) => s.start()));
    },
    leader: async () => {
      for (const s of servers) {
        if (!s.running) continue;
        try {
          if (/^Mode: leader/m.test(await s.fourLetter('srvr', 2000))) return s;
        } catch {
          /* not answering */
        }
      }
      return undefined;
    },
  };
}

/** Stops every server this process started (SIGTERM, in parallel) and removes their temp dirs. */
export async function stopAll(): Promise<void> {
  const servers = [...allServers];
  await Promise.all(servers.map((s) => s.stop()));
  for (const s of servers) s.removeDir();
  if (allServers.size === 0) removeDirsSync();
}
