// The two ways a notify message leaves the agent (the zkw-notify helper, and the
// systemd-notify fallback), each against a real unix datagram socket.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import pino from 'pino';
import { builtNotifyHelper, openNotifyChannel } from '../../../../src/main/ops/notify/notify-channel.js';
import { openNotifySocket, type NotifySocket } from '../../../support/notify-socket.js';
import { processGone } from '../../../support/processes.js';
import { waitFor } from '../../../support/wait.js';

const sockets: NotifySocket[] = [];
const dir = mkdtempSync(join(tmpdir(), 'zkw-channel-'));

after(async () => {
  for (const s of sockets) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

function capturedLogger(): { records: { event?: string; detail?: string }[]; logger: pino.Logger } {
  const records: { event?: string; detail?: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) records.push(JSON.parse(line) as { event?: string });
      cb();
    },
  });
  return { records, logger: pino({ level: 'info' }, sink) };
}

function helper(): string {
  const path = builtNotifyHelper();
  assert.ok(path !== null, 'the zkw-notify helper is built by `npm run build:test` (needs cc)');
  return path;
}

async function socket(abstract = false): Promise<NotifySocket> {
  const s = await openNotifySocket({ abstract });
  sockets.push(s);
  return s;
}

test('the helper sends each message as one datagram, in order, from one long-lived pid, and exits on close', async () => {
  const notify = await socket();
  const channel = openNotifyChannel(notify.address, capturedLogger().logger, helper());
  assert.equal(channel.via, 'zkw-notify');
  const sent = ['STATUS=starting', 'READY=1', ...Array.from({ length: 20 }, (_, i) => `STATUS=tick ${i}`), 'WATCHDOG=1'];
  for (const m of sent) channel.send(m);
  await waitFor(async () => notify.received.length, (n) => n >= sent.length, { what: `${sent.length} datagrams` });
  assert.deepEqual(notify.received.map((d) => d.messages), sent.map((m) => [m]));
  const pids = new Set(notify.received.map((d) => d.pid));
  assert.equal(pids.size, 1, 'one sender for all: systemd can attribute every message');
  const pid = [...pids][0]!;
  assert.notEqual(pid, process.pid);
  await channel.close(5000);
  await waitFor(async () => processGone(pid), (g) => g, { what: 'the helper to exit after close' });
});

test('the helper reaches an abstract-namespace socket', async () => {
  const notify = await socket(true);
  const channel = openNotifyChannel(notify.address, capturedLogger().logger, helper());
  channel.send('READY=1');
  await notify.waitForMessage((m) => m === 'READY=1', 'READY=1', 20_000);
  await channel.close(5000);
});

test('a socket that is not there is reported once, not at every message; a dead helper is started again', async () => {
  const { records, logger } = capturedLogger();
  const missing = join(dir, 'nobody-listens');
  const channel = openNotifyChannel(missing, logger, helper());
  for (let i = 0; i < 10; i++) channel.send('WATCHDOG=1');
  await waitFor(async () => records.filter((r) => r.event === 'notify_send_failed'), (r) => r.length >= 1, { what: 'notify_send_failed' });
  await channel.close(5000);
  const failures = records.filter((r) => r.event === 'notify_send_failed');
  assert.equal(failures.length, 1, JSON.stringify(failures));
  assert.match(failures[0]!.detail!, /nobody-listens failed: No such file or directory/);

  const notify = await socket();
  const { records: log2, logger: logger2 } = capturedLogger();
  const revived = openNotifyChannel(notify.address, logger2, helper());
  revived.send('STATUS=first');
  const first = await notify.waitForMessage((m) => m === 'STATUS=first', 'first message');
  process.kill(first.datagram.pid!, 'SIGKILL');
  await waitFor(async () => log2.some((r) => r.event === 'notify_helper_exited'), (x) => x, { what: 'notify_helper_exited' });
  // Messages are dropped until the respawn gap has passed, then a new helper delivers them.
  let n = 0;
  const back = await waitFor(
    async () => {
      revived.send(`STATUS=retry ${n++}`);
      return notify.messages().find((m) => m.message.startsWith('STATUS=retry'));
    },
    (m) => m !== undefined,
    { what: 'a message through a new helper', timeoutMs: 30_000, intervalMs: 200 },
  );
  assert.notEqual(back!.datagram.pid, first.datagram.pid);
  await revived.close(5000);
});

test('without the helper, systemd-notify(1) delivers the messages', async () => {
  const notify = await socket();
  const channel = openNotifyChannel(notify.address, capturedLogger().logger, null);
  assert.equal(channel.via, 'systemd-notify');
  channel.send('STATUS=through systemd-notify');
  channel.send('READY=1');
  await notify.waitForMessage((m) => m === 'READY=1', 'READY=1', 20_000);
  await notify.waitForMessage((m) => m === 'STATUS=through systemd-notify', 'STATUS=', 20_000);
  await channel.close(5000);
});
