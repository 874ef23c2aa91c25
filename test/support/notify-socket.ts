// A real notify socket for tests, as systemd would offer one: a unix datagram socket
// (bound by notify-socket.py, since Node cannot) whose datagrams the test reads.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

export interface Datagram {
  /** When it was received, epoch ms (comparable with Date.now() and pino's `time`). */
  readonly wall: number;
  /** The sender's pid, from SCM_CREDENTIALS, as systemd attributes it. */
  readonly pid: number | null;
  /** Its KEY=value lines. */
  readonly messages: string[];
}

export interface NotifySocket {
  /** What to put in NOTIFY_SOCKET. */
  readonly address: string;
  readonly received: Datagram[];
  /** Every message received so far, in order, with its datagram. */
  messages(): { message: string; datagram: Datagram }[];
  waitForMessage(pred: (message: string) => boolean, what: string, timeoutMs?: number): Promise<{ message: string; datagram: Datagram }>;
  close(): Promise<void>;
}

const open = new Set<ChildProcess>();
// A test that dies early must not leave its socket process behind.
process.on('exit', () => {
  for (const p of open) p.kill('SIGKILL');
});

const SCRIPT = fileURLToPath(new URL('../../../test/support/notify-socket.py', import.meta.url));

/** Bind a socket at a fresh path, or in the abstract namespace ('@...') when `abstract`. */
export async function openNotifySocket(options: { abstract?: boolean } = {}): Promise<NotifySocket> {
  const dir = mkdtempSync(join(tmpdir(), 'zkw-notify-'));
  const address = options.abstract ? `@zkw-test-${process.pid}-${Math.random().toString(36).slice(2)}` : join(dir, 'notify');
  const child: ChildProcess = spawn('python3', [SCRIPT, address], { stdio: ['ignore', 'pipe', 'pipe'] });
  open.add(child);
  const received: Datagram[] = [];
  // One object per message, kept: callers find a message they waited for with indexOf().
  const flat: { message: string; datagram: Datagram }[] = [];
  let listening = false;
  let failure = '';
  let buffered = '';
  child.on('error', (e) => (failure = `python3 is needed to bind a notify socket: ${e.message}`));
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => (failure += c));
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      const record = JSON.parse(line) as Datagram & { listening?: string };
      if (record.listening !== undefined) listening = true;
      else {
        received.push(record);
        for (const message of record.messages) flat.push({ message, datagram: record });
      }
    }
  });
  const exited = new Promise<void>((resolve) =>
    child.on('close', () => {
      open.delete(child);
      resolve();
    }),
  );
  await waitFor(async () => {
    if (failure !== '') throw new Error(failure);
    return listening;
  }, (l) => l, { what: `notify-socket.py to bind ${address}`, timeoutMs: 20_000 });
  const messages = () => [...flat];
  return {
    address,
    received,
    messages,
    waitForMessage: (pred, what, timeoutMs = 60_000) =>
      waitFor(async () => messages().find((m) => pred(m.message)), (m) => m !== undefined, { what: `notify message: ${what}`, timeoutMs }) as Promise<{ message: string; datagram: Datagram }>,
    close: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
