// An ensemble that enforces authentication (ZooKeeper 3.7+'s enforce.auth): it closes the
// connection of a client that sends a request without a scheme it accepts. Without [auth]
// the agent must say why and back off, not re-ask at every reconnect (hundreds of times a
// second before); with [auth] it registers.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startAgent, writeConfig, type Agent } from '../support/agent.js';
import { holdsFor, waitFor } from '../support/wait.js';
import { connectClient } from '../support/zk-client.js';
import { startZooKeeper, stopAll } from '../support/zookeeper.js';

const agents: Agent[] = [];
after(async () => {
  for (const a of agents) a.signal('SIGKILL');
  await stopAll();
});

const ENFORCING = { extra: { 'enforce.auth.enabled': 'true', 'enforce.auth.schemes': 'digest' } };
const service = (path: string, auth = '') => `${auth}[svc]\ncmd: true\nrefresh: 0.5\nservice_port: 1\nservice_hostname: enforced.example\nzookeeper_path: ${path}\n`;

test('refused for not authenticating: the log says what to do, and the retries back off', async () => {
  const zk = await startZooKeeper(ENFORCING);
  const a = startAgent(['-c', writeConfig(service('/enforced/none')), '-s', zk.connectString]);
  agents.push(a);
  const first = await a.waitForLog((r) => r.event === 'zk_sync_failed', 'the first refusal', 30_000);
  assert.match(String(first.error), /requires clients to authenticate .* set \[auth\]/);
  assert.equal(first.level, 50, 'logged as an error: it will not go away by itself');
  // For ten seconds: one refusal, then the 30 s backoff (not one per reconnect); each
  // refusal, and each ping (every t/10: 1 s at the default 10 s), costs a reconnect, so
  // about 11 connections; a tight loop would make hundreds.
  const counts = async () => ({ refusals: a.logs.filter((r) => r.event === 'zk_sync_failed').length, connects: a.logs.filter((r) => r.event === 'zk_connected').length });
  await holdsFor(counts, (c) => c.refusals <= 2 && c.connects <= 20, { durationMs: 10_000, what: 'at most 2 refusals and 20 connections' });
  a.signal('SIGTERM');
  assert.equal(await a.exited, 0);
});

test('with [auth], the same ensemble takes the registration', async () => {
  const zk = await startZooKeeper(ENFORCING);
  const auth = '[auth]\nuser: agent\npassword: enforced-secret\n\n';
  const a = startAgent(['-c', writeConfig(service('/enforced/auth', auth)), '-s', zk.connectString]);
  agents.push(a);
  const observer = await connectClient(zk.connectString);
  observer.raw.addAuthInfo('digest', Buffer.from('observer:observer'));
  try {
    await waitFor(() => observer.exists('/enforced/auth/enforced.example:1'), (s) => s !== null, { what: 'the node, registered with digest auth', timeoutMs: 30_000 });
    assert.deepEqual(a.logs.filter((r) => r.event === 'zk_sync_failed'), []);
    a.signal('SIGTERM');
    assert.equal(await a.exited, 0);
    assert.equal(await observer.exists('/enforced/auth/enforced.example:1'), null);
  } finally {
    await observer.close();
  }
});
