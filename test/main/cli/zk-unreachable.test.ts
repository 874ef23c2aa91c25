// Start-up words an operator acts on, from the real agent: why no ZooKeeper server answers
// (a name that does not resolve is not a server that refuses), and a host whose own name is
// localhost, whose nodes would send every other host to itself.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startAgent, writeConfig, type Agent } from '../../support/agent.js';
import { freePort } from '../../support/ports.js';

const agents: Agent[] = [];
after(() => {
  for (const a of agents) a.signal('SIGKILL');
});

const SERVICE = (host = '') => `[web]\ncmd: true\nrefresh: 1\nservice_port: 80\n${host === '' ? '' : `service_hostname: ${host}\n`}zookeeper_path: /unreachable/web\n`;

async function stop(a: Agent): Promise<void> {
  a.signal('SIGTERM');
  assert.equal(await a.exited, 0, a.stderr());
}

test('no server answers: a name that does not resolve and a refused connection are told apart, member by member', async () => {
  // .invalid never resolves (RFC 6761); the port was free a moment ago, so nothing listens there.
  const closed = await freePort();
  const servers = `zk1.invalid:2181,127.0.0.1:${closed}`;
  const a = startAgent(['-c', writeConfig(SERVICE('web.example')), '-s', servers]);
  agents.push(a);
  const waiting = await a.waitForLog(
    (r) => r.event === 'zk_waiting' && Array.isArray(r.failures) && r.failures.length === 2,
    'a zk_waiting line that names both members',
    60_000,
  );
  const failures = waiting.failures as string[];
  // ENOTFOUND where DNS answers; EAI_AGAIN where the resolver cannot be reached: a name's failure either way, never a refusal.
  const NAME_FAILURE = String.raw`zk1\.invalid: name (?:does not resolve \(ENOTFOUND\)|lookup failed for now \(is DNS reachable\?\) \(EAI_AGAIN\))`;
  assert.ok(failures.some((f) => new RegExp(`^${NAME_FAILURE}$`).test(f)), failures.join('; '));
  assert.ok(failures.includes(`127.0.0.1:${closed}: connection refused (ECONNREFUSED)`), failures.join('; '));
  assert.match(waiting.msg, new RegExp(`^no ZooKeeper server answers at ${servers.replace(/\./g, '\\.')} \\(.*${NAME_FAILURE}.*\\); still trying$`));
  assert.match(waiting.msg, new RegExp(`127\\.0\\.0\\.1:${closed}: connection refused \\(ECONNREFUSED\\)`));
  await stop(a);
});

/** The agent under a UTS namespace whose host name is `name`: the name getfqdn() starts from. */
function agentNamed(name: string, config: string, port: number): Agent {
  const asRoot = process.getuid?.() === 0;
  const wrap = ['unshare', ...(asRoot ? [] : ['--map-root-user']), '--uts', 'sh', '-c', `hostname ${name} && exec "$0" "$@"`];
  const a = startAgent(['-c', writeConfig(config), '-s', `127.0.0.1:${port}`], process.env, wrap);
  agents.push(a);
  return a;
}

test('a host named localhost (no fully qualified name) gets a warning at start for the sections that would register as localhost', async () => {
  const closed = await freePort();
  const a = agentNamed('localhost', SERVICE() + SERVICE('web.example').replace('[web]', '[own]').replace('80', '81'), closed);
  const warned = await a.waitForLog((r) => r.event === 'hostname_is_loopback', 'the loopback host name warning');
  assert.equal(warned.level, 40);
  assert.equal(warned.hostname, 'localhost');
  assert.match(warned.msg, /^this host's name is 'localhost' \(it has no fully qualified name\): 1 service without service_hostname registers as localhost:PORT, which other hosts cannot reach/);
  await stop(a);
});

test('a host with a name of its own gets no such warning', async () => {
  const closed = await freePort();
  // A name that does not resolve: getfqdn() keeps it as it is, as Python's does.
  const a = agentNamed('zkw-host.invalid', SERVICE(), closed);
  await a.waitForLog((r) => r.event === 'zk_waiting', 'the agent running (waiting for ZooKeeper)', 60_000);
  assert.equal(a.logs.some((r) => r.event === 'hostname_is_loopback'), false);
  await stop(a);
});
