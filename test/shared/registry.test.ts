import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostInNodeData, hostInNodeName } from '../../src/shared/formats/node-host.js';
import { compareRegistry, parseRegistryCommandLine, registryJson, registryTable, strayPaths, strayReads, type AgentAnswer, type AgentService, type ServiceInZk } from '../../src/shared/registry.js';

const AGENT_SESSION = '0100000a1b2c0000';
const OTHER_SESSION = '0100000a1b2c0001';
const svc = (healthy: boolean | null, maintenance = false, registration: AgentService['registration'] = 'absent'): AgentService => ({ healthy, maintenance, registration, path: '/svc/web/h:80' });
const agentWith = (s: AgentService | undefined, sessionId: string | null = AGENT_SESSION): AgentAnswer => ({
  answered: true,
  pid: 42,
  sessionId,
  sessionState: sessionId === null ? 'disconnected' : 'connected',
  services: new Map(s === undefined ? [] : [['web', s]]),
});
const inZk = (owner: string | null | 'absent'): ServiceInZk => ({ name: 'web', path: '/svc/web/h:80', node: owner === 'absent' ? null : { owner, data: '{"pid":42}' }, nodesInPath: owner === 'absent' ? 0 : 1 });
const noAgent: AgentAnswer = { answered: false, why: 'ECONNREFUSED' };

test('each flag from what the agent wants against what ZooKeeper holds', () => {
  const table: [string, AgentAnswer, ServiceInZk, string[]][] = [
    ['healthy, ours', agentWith(svc(true, false, 'registered')), inZk(AGENT_SESSION), []],
    ['unhealthy, absent', agentWith(svc(false)), inZk('absent'), []],
    ['in maintenance, absent', agentWith(svc(true, true)), inZk('absent'), []],
    ['healthy, absent', agentWith(svc(true, false, 'registered')), inZk('absent'), ['MISSING']],
    ['unhealthy, present', agentWith(svc(false)), inZk(AGENT_SESSION), ['STALE']],
    ['in maintenance, present', agentWith(svc(true, true)), inZk(AGENT_SESSION), ['STALE']],
    ['unhealthy, someone else\'s', agentWith(svc(false)), inZk(OTHER_SESSION), ['STALE', 'FOREIGN OWNER']],
    ['healthy, someone else\'s', agentWith(svc(true)), inZk(OTHER_SESSION), ['FOREIGN OWNER']],
    ['healthy, persistent', agentWith(svc(true)), inZk(null), ['FOREIGN OWNER']],
    ['no verdict yet, absent', agentWith(svc(null)), inZk('absent'), []],
    ['no verdict yet, present', agentWith(svc(null)), inZk(AGENT_SESSION), []],
    ['agent without a session: owner not judged', agentWith(svc(true), null), inZk(OTHER_SESSION), []],
    ['not the agent\'s service, present', agentWith(undefined), inZk(AGENT_SESSION), ['STALE']],
    ['no agent, present', noAgent, inZk(OTHER_SESSION), ['STALE']],
    ['no agent, absent', noAgent, inZk('absent'), []],
  ];
  for (const [what, agent, zk, flags] of table) {
    const report = compareRegistry(agent, [zk]);
    assert.deepEqual(report.rows[0]!.flags, flags, what);
    assert.equal(report.agree, flags.length === 0, what);
  }
});

test('the table names the agent, each node and its owner, and the verdict', () => {
  const agree = registryTable(compareRegistry(agentWith(svc(true, false, 'registered')), [inZk(AGENT_SESSION)]), { servers: 'zk:2181', status: '127.0.0.1:9647' });
  assert.match(agree, /^agent at 127\.0\.0\.1:9647: pid 42, session 0x0100000a1b2c0000 \(connected\)$/m);
  assert.match(agree, /^web +\/svc\/web\/h:80 +present \(1 in path\) +0x0100000a1b2c0000 +healthy; registered +- +\{"pid":42\}$/m);
  assert.match(agree, /^agree: ZooKeeper \(zk:2181\) holds what the agent wants$/m);
  const missing = registryTable(compareRegistry(noAgent, [inZk(OTHER_SESSION)]), { servers: 'zk:2181', status: '127.0.0.1:9647' });
  assert.match(missing, /^agent at 127\.0\.0\.1:9647: no answer \(ECONNREFUSED\); nothing should be registered$/m);
  assert.match(missing, /STALE/);
  assert.match(missing, /^DISAGREE: 1 of 1 service flagged$/m);
  const json = JSON.parse(registryJson(compareRegistry(noAgent, [inZk('absent')]))) as { agree: boolean; agent: { answered: boolean }; services: { flags: string[] }[] };
  assert.equal(json.agree, true);
  assert.equal(json.agent.answered, false);
  assert.deepEqual(json.services[0]!.flags, []);
});

test('registry: defaults and refusals', () => {
  const p = parseRegistryCommandLine([]);
  assert.deepEqual(p.kind === 'run' ? p.options : null, { configPaths: ['/etc/zk/config.cfg'], servers: 'localhost:2181', statusPort: 9647, statusAddress: '127.0.0.1', json: false });
  const q = parseRegistryCommandLine(['-c', 'x.cfg', '-s', 'zk1:2181/chroot', '--status-port', '8000', '--json']);
  assert.deepEqual(q.kind === 'run' ? q.options : null, { configPaths: ['x.cfg'], servers: 'zk1:2181/chroot', statusPort: 8000, statusAddress: '127.0.0.1', json: true });
  assert.equal(parseRegistryCommandLine(['--status-port', '0']).kind, 'error');
  assert.equal(parseRegistryCommandLine(['extra']).kind, 'error');
  assert.equal(parseRegistryCommandLine(['-h']).kind, 'help');
});

test("a stray is a node named for one of our hosts in one of our paths that no service wants", () => {
  const wanted = [['/svc/web/h.example:80', 'h.example'], ['/svc/web/h.example:81', 'h.example'], ['/svc/db/other.example:5432', 'other.example'], ['/top:1', 'top']].map(([path, host]) => ({ path: path!, host: host! }));
  const children = new Map<string, string[] | null>([
    ['/svc/web', ['h.example:80', 'h.example:81', 'h.example:8080', 'g.example:80', 'h.example:x', 'h.example', 'readme']],
    ['/svc/db', ['other.example:5432', 'other.example:5433', 'h.example:5432']],
    ['/', ['top:1', 'top:2', 'zookeeper']],
    ['/unrelated', ['h.example:1']],
  ]);
  assert.deepEqual(strayPaths(wanted, children), ['/svc/db/other.example:5433', '/svc/web/h.example:8080', '/top:2']);
  assert.deepEqual(strayPaths(wanted, new Map([['/svc/web', null]])), [], 'a path that does not exist holds nothing');
});

test('a node not named host:port (a ServerSet member_, a Curator UUID) is a stray when its data names one of our hosts; a member_ name adds no host of its own', () => {
  const ours = [
    { path: '/ss/web/member_1234567890123456789', host: 'h.example' },
    { path: '/cur/web/h.example:8080', host: 'h.example' },
  ];
  const children = new Map<string, string[] | null>([
    ['/ss/web', ['member_1234567890123456789', 'member_1000000000000000001', 'member_1000000000000000002', 'member_0000000042', 'h.example:8081', 'member_123456789012345678:1']],
    ['/cur/web', ['h.example:8080', '5bd2e0a4-4c67-4f1c-a1a3-6f3f0c0a9e11', '0f7b5f10-0000-4000-8000-000000000000', 'nerve_0000000001']],
  ]);
  assert.deepEqual(strayReads(ours, children), [
    '/cur/web/0f7b5f10-0000-4000-8000-000000000000', '/cur/web/5bd2e0a4-4c67-4f1c-a1a3-6f3f0c0a9e11', '/cur/web/nerve_0000000001',
    '/ss/web/member_0000000042', '/ss/web/member_1000000000000000001', '/ss/web/member_1000000000000000002',
  ], 'our own member_ node is not read: it is wanted');
  const read = new Map([
    ['/ss/web/member_1000000000000000001', '{"serviceEndpoint":{"host":"h.example","port":8081},"additionalEndpoints":{},"status":"ALIVE"}'],
    ['/ss/web/member_1000000000000000002', '{"serviceEndpoint":{"host":"g.example","port":8080},"additionalEndpoints":{},"status":"ALIVE"}'],
    ['/ss/web/member_0000000042', 'not json'],
    ['/cur/web/5bd2e0a4-4c67-4f1c-a1a3-6f3f0c0a9e11', '{"name":"web","id":"5bd2e0a4-4c67-4f1c-a1a3-6f3f0c0a9e11","address":"h.example","port":9090,"sslPort":null}'],
    ['/cur/web/0f7b5f10-0000-4000-8000-000000000000', '{"name":"web","id":"0f7b5f10","address":"g.example","port":8080}'],
    ['/cur/web/nerve_0000000001', '{"host":"h.example","port":7000,"name":"h.example"}'],
  ]);
  assert.deepEqual(strayPaths(ours, children, read), [
    '/cur/web/5bd2e0a4-4c67-4f1c-a1a3-6f3f0c0a9e11', '/cur/web/nerve_0000000001',
    '/ss/web/h.example:8081', '/ss/web/member_1000000000000000001',
  ]);
  // Before: the member_ name gave a junk host ('member_12345678901234567'), and a node named that plus a port was called ours.
  assert.deepEqual(strayPaths(ours, new Map([['/ss/web', ['member_123456789012345678:1', 'member_1234567890123456789']]])), []);
  assert.deepEqual(strayPaths(ours, children), ['/ss/web/h.example:8081'], 'unread data proves nothing');
});

test('the host a node is for: its host:port name, else the host its data names, whatever format wrote it', () => {
  const names: [string, string | null][] = [
    ['h.example:8080', 'h.example'], ['10.0.0.5:1', '10.0.0.5'], ['member_1234567890123456789', null], ['member_0000000001', null],
    ['h.example:', null], [':80', null], ['h.example:x', null], ['5bd2e0a4-4c67-4f1c-a1a3-6f3f0c0a9e11', null], ['[::1]:80', '[::1]'],
  ];
  for (const [name, host] of names) assert.equal(hostInNodeName(name), host, name);
  const data: [string, string, string | null][] = [
    ['serverset', '{"serviceEndpoint":{"host":"h","port":1},"additionalEndpoints":{},"status":"ALIVE"}', 'h'],
    ['serverset with a host key merged on top still reads serviceEndpoint', '{"serviceEndpoint":{"host":"h","port":1},"host":"x"}', 'h'],
    ['serverset with no host', '{"serviceEndpoint":{"port":1}}', null],
    ['curator', '{"name":"web","id":"i","address":"10.0.0.5","port":8080}', '10.0.0.5'],
    ['nerve', '{"host":"h","port":80,"name":"h"}', 'h'],
    ['zk_watcher names no host', '{"pid":1,"created":"2020-01-01 00:00:00"}', null],
    ['an empty host', '{"host":""}', null],
    ['a host that is not a string', '{"host":1}', null],
    ['not JSON', 'x', null],
    ['a list', '["h"]', null],
  ];
  for (const [what, text, host] of data) assert.equal(hostInNodeData(text), host, what);
});

test("a stray disagrees unless the agent's own session holds it (a moved service's old node)", () => {
  const agent = agentWith(svc(true, false, 'registered'));
  const stray = (owner: string | null) => ({ path: '/svc/web/h:8080', owner, data: '{"pid":7}' });
  const foreign = compareRegistry(agent, [inZk(AGENT_SESSION)], [stray(OTHER_SESSION)]);
  assert.equal(foreign.agree, false);
  const text = registryTable(foreign, { servers: 'zk:2181', status: '127.0.0.1:9647' });
  assert.match(text, /^STRAY \/svc\/web\/h:8080: owner 0x0100000a1b2c0001, no service wants it; data \{"pid":7\}$/m);
  assert.match(text, /^DISAGREE: 1 stray node$/m);
  const held = compareRegistry(agent, [inZk(AGENT_SESSION)], [stray(AGENT_SESSION)]);
  assert.equal(held.agree, true);
  assert.match(registryTable(held, { servers: 'zk:2181', status: '127.0.0.1:9647' }), /^\(held by the agent: \/svc\/web\/h:8080/m);
  assert.equal(compareRegistry(noAgent, [inZk('absent')], [stray(null)]).agree, false, 'with no agent, any stray disagrees');
});
