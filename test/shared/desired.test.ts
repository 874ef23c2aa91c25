import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configNodeProblems, desiredNodes, duplicateNodeProblems, type ServiceNodeInput } from '../../src/shared/desired.js';
import { formatProblem } from '../../src/shared/problems.js';
import type { ServiceSpec } from '../../src/shared/types.js';

const svc = (name: string, path: string, healthy: boolean | null, maintenance = false): ServiceNodeInput => ({ name, path, healthy, maintenance });
const table = (m: Map<string, { service: string; kind: string }>) => Object.fromEntries([...m].map(([p, n]) => [p, `${n.service}/${n.kind}`]));

test('a node exists exactly for each healthy service out of maintenance', () => {
  const rows: [ServiceNodeInput[], Record<string, string>][] = [
    [[], {}],
    [[svc('a', '/s/h:1', true)], { '/s/h:1': 'a/current' }],
    [[svc('a', '/s/h:1', false)], {}],
    [[svc('a', '/s/h:1', null)], {}],
    [[svc('a', '/s/h:1', true, true)], {}],
    [[svc('a', '/s/h:1', true), svc('b', '/s/h:2', false), svc('c', '/s/h:3', true)], { '/s/h:1': 'a/current', '/s/h:3': 'c/current' }],
  ];
  for (const [services, expected] of rows) assert.deepEqual(table(desiredNodes(services)), expected, JSON.stringify(services));
});

test("a moved service's old node stays until its replacement is dropped, but only while the service wants a node", () => {
  const moved = [{ oldPath: '/s/h:1', service: 'a' }];
  assert.deepEqual(table(desiredNodes([svc('a', '/s/h:9', true)], moved)), { '/s/h:9': 'a/current', '/s/h:1': 'a/replaced' }, 'make before break');
  assert.deepEqual(table(desiredNodes([svc('a', '/s/h:9', false)], moved)), {}, 'unhealthy now: the old node goes at once');
  assert.deepEqual(table(desiredNodes([svc('a', '/s/h:9', true, true)], moved)), {}, 'in maintenance: the old node goes at once');
  assert.deepEqual(table(desiredNodes([svc('b', '/s/h:2', true)], moved)), { '/s/h:2': 'b/current' }, 'the service is gone: its old node goes');
  assert.deepEqual(table(desiredNodes([svc('a', '/s/h:9', true), svc('b', '/s/h:1', false)], moved)), { '/s/h:9': 'a/current' }, 'another service now names the old path: it decides, here for no node');
  assert.deepEqual(table(desiredNodes([svc('a', '/s/h:9', true), svc('b', '/s/h:1', true)], moved)), { '/s/h:9': 'a/current', '/s/h:1': 'b/current' }, '... here for its own node');
  assert.deepEqual(table(desiredNodes([svc('a', '/s/h:1', true)], moved)), { '/s/h:1': 'a/current' }, 'moved back: its own node again');
});

const spec = (name: string, port: number, line: number, hostname: string | null = null, file = 'a.cfg'): ServiceSpec => ({
  name, cmd: 'true', http: null, tcp: null, refresh: 1, timeout: 10, servicePort: port, serviceHostname: hostname, zookeeperPath: '/s',
  zookeeperData: { kind: 'object', value: { kind: 'object', entries: [] } }, rise: 1, fall: 1, source: { file, line },
});

test('two sections that name the same node are an error at the later one, naming the earlier with FILE:LINE', () => {
  assert.deepEqual(configNodeProblems([spec('a', 80, 1), spec('b', 81, 7)], 'web1'), []);
  const [problem, ...rest] = configNodeProblems([spec('a', 80, 1), spec('b', 80, 7, null, 'b.cfg')], 'web1');
  assert.equal(rest.length, 0);
  assert.equal(formatProblem(problem!), 'b.cfg:7: [b] registers the same node /s/web1:80 as [a] (a.cfg:1); give each section its own zookeeper_path, service_hostname or service_port');
  assert.equal(configNodeProblems([spec('a', 80, 1, 'web1'), spec('b', 80, 7)], 'web1').length, 1, "an explicit service_hostname equal to this host's name is the same node");
  assert.equal(configNodeProblems([spec('a', 80, 1, 'other'), spec('b', 80, 7)], 'web1').length, 0);
  const three = duplicateNodeProblems([1, 4, 9].map((line, i) => ({ name: `s${i}`, path: '/s/h:1', source: { file: 'x.cfg', line } })));
  assert.deepEqual(three.map((p) => p.line), [4, 9], 'every later one is reported, each against the first');
});
