// Free loopback TCP ports for test servers (ZooKeeper client/quorum/election ports, proxies).
//
// Two deliberate refinements over "bind 127.0.0.1:0, read, close":
//  * Ports are picked OUTSIDE the kernel's ephemeral range (ip_local_port_range) when
//    possible. A port from bind(0) lies inside that range, so while a test server is
//    down (killed, about to be restarted on the same port) a client that keeps
//    reconnecting to it can be handed that very port as its source port and end up
//    in a TCP self-connect, or any outgoing connection on the machine can take it;
//    the restart then fails with "Address already in use". Outside the range only an
//    explicit bind can take the port.
//  * Each handed-out port is reserved machine-wide with a lock file
//    (<tmpdir>/zk-test-ports/<port>, holding our pid; stale ones, whose pid is dead,
//    are reclaimed), so concurrently running test processes never get the same port
//    and a process never gets the same port twice. Reservations are released when
//    this process exits.
// Every candidate is still verified by actually binding 127.0.0.1:port and closing it.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LOCK_DIR = join(tmpdir(), 'zk-test-ports');
const mine = new Set<number>();
let exitHookInstalled = false;

/** The port range we draw from: the largest stretch of 10000..65535 outside the ephemeral range. */
function candidateRange(): [number, number] | null {
  let lo = 32768;
  let hi = 60999;
  try {
    const parts = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (parts.length === 2 && parts.every((n) => Number.isInteger(n))) [lo, hi] = parts as [number, number];
  } catch {
    /* not Linux: assume the default range */
  }
  const below: [number, number] = [10000, lo - 1];
  const above: [number, number] = [hi + 1, 65535];
  const size = (r: [number, number]) => r[1] - r[0];
  const best = size(below) >= size(above) ? below : above;
  return size(best) >= 1000 ? best : null;
}

/** Resolves true when 127.0.0.1:port can be bound right now (then released). */
export function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    // A client retrying against this port may connect during the probe: reset it at once
    // (close() alone leaves accepted sockets open, and node-zookeeper-client would wait
    // forever on such a silent connection).
    const srv = createServer((sock) => sock.resetAndDestroy());
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ host: '127.0.0.1', port, exclusive: true, backlog: 1 }, () => srv.close(() => resolve(true)));
  });
}

/** bind(127.0.0.1:0): the kernel's choice (used only if the non-ephemeral range is unusable). */
function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error('freePort: could not read the bound port'))));
    });
  });
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Machine-wide reservation of a port via an O_EXCL lock file; false if someone alive holds it. */
function reserve(port: number): boolean {
  if (mine.has(port)) return false;
  const file = join(LOCK_DIR, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      mine.add(port);
      installExitHook();
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return false;
      let owner = NaN;
      try {
        owner = Number(readFileSync(file, 'utf8').trim());
      } catch {
        /* vanished meanwhile: retry */
      }
      if (pidAlive(owner)) return false;
      try {
        unlinkSync(file); // stale: its process is gone
      } catch {
        /* someone else reclaimed it first */
      }
    }
  }
  return false;
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const port of mine) rmSync(join(LOCK_DIR, String(port)), { force: true });
  });
}

/** A free TCP port on 127.0.0.1, reserved for this process (never returned twice). */
export async function freePort(): Promise<number> {
  mkdirSync(LOCK_DIR, { recursive: true });
  const range = candidateRange();
  if (range) {
    const [lo, hi] = range;
    for (let i = 0; i < 200; i++) {
      const port = lo + Math.floor(Math.random() * (hi - lo + 1));
      if (!reserve(port)) continue;
      if (await canBind(port)) return port;
      // In use by something that does not know our lock files: keep the reservation
      // (so we do not try it again) and move on.
    }
  }
  for (let i = 0; i < 50; i++) {
    const port = await kernelPort();
    if (reserve(port)) return port;
  }
  throw new Error('freePort: no free loopback port found');
}

/** A server on 127.0.0.1:port (exclusive), serving each connection with `onConnection`; errors after it listens are ignored. */
export function listenOnLoopback(port: number, onConnection: (socket: Socket) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(onConnection);
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      server.removeListener('error', reject);
      server.on('error', () => undefined);
      resolve(server);
    });
  });
}

/** n distinct free ports on 127.0.0.1. */
export async function freePorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < n; i++) ports.push(await freePort());
  return ports;
}
