// Starts test/support/unix-dgram-sink.py: a unix datagram socket that collects what
// it receives (syslog lines, sd_notify messages). python3 is a test dependency already.
// The script exits when our end of its stdin closes, so it never outlives the test.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface DgramSink {
  readonly path: string;
  /** Every datagram received so far, in order. */
  readonly received: string[];
  close(): void;
}

const SCRIPT = fileURLToPath(new URL('../../../test/support/unix-dgram-sink.py', import.meta.url));

export function startDgramSink(path: string): Promise<DgramSink> {
  const child: ChildProcess = spawn('python3', [SCRIPT, path], { stdio: ['pipe', 'pipe', 'inherit'] });
  const received: string[] = [];
  return new Promise((resolve, reject) => {
    let buffered = '';
    let ready = false;
    child.once('error', (e) => reject(new Error(`python3 is needed for a unix datagram socket: ${e.message}`)));
    child.once('exit', (code) => ready || reject(new Error(`unix-dgram-sink.py exited (${code}) before it was ready`)));
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString('utf8');
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const value = JSON.parse(buffered.slice(0, nl)) as string;
        buffered = buffered.slice(nl + 1);
        if (!ready && value === 'ready') {
          ready = true;
          resolve({ path, received, close: () => child.stdin!.end() });
        } else received.push(value);
      }
    });
  });
}
