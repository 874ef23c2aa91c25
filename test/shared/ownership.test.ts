import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RegistryFormat } from '../../src/shared/formats/format.js';
import { isOrphanOfThisHost, notOursReason, payloadPid, proofPid } from '../../src/shared/ownership.js';

test('the pid is a top-level integer pid wherever it stands (Python 2 nd_service_registry wrote keys in hash order), and nothing else', () => {
  const table: [string, string, number | null][] = [
    ['pid first, as today', '{"pid":4242,"created":"2024-01-02 03:04:05","foo":"bar"}', 4242],
    ['Python 2 hash order: pid in the middle', '{"foo": "bar", "pid": 4242, "created": "2024-01-02 03:04:05"}', 4242],
    ['pid last', '{"created":"x","pid":7}', 7],
    ['no pid', '{"created":"x"}', null],
    ['a pid that is a string', '{"pid":"4242"}', null],
    ['a pid that is not whole', '{"pid":42.5}', null],
    ['pid 0', '{"pid":0}', null],
    ['a negative pid', '{"pid":-3}', null],
    ['a pid only inside a nested object', '{"payload":{"pid":4242}}', null],
    ['not JSON', 'not json', null],
    ['a list', '[1]', null],
  ];
  for (const [what, data, pid] of table) assert.equal(payloadPid(data), pid, what);
});

test('our service\'s format decides what proves a node ours: a zk_watcher service its payload\'s pid, the others none at all', () => {
  const alive = new Set([100, 200]);
  const isAlive = (pid: number) => alive.has(pid);
  const table: [string, RegistryFormat, string, boolean][] = [
    ['zk_watcher: dead pid', 'zk_watcher', '{"pid":300}', true],
    ['zk_watcher: dead pid in Python 2 hash order', 'zk_watcher', '{"foo":"bar","pid":300,"created":"2020-01-01 00:00:00"}', true],
    ['zk_watcher: our own pid (a restarted container)', 'zk_watcher', '{"pid":100}', true],
    ['zk_watcher: another live process', 'zk_watcher', '{"foo":"bar","pid":200}', false],
    ['zk_watcher: no pid', 'zk_watcher', 'plain data', false],
    ['curator: a dead pid in its data proves nothing', 'curator', '{"pid":300,"name":"web"}', false],
    ['nerve: a dead pid merged from zookeeper_data', 'nerve', '{"host":"h","port":80,"name":"h","pid":300}', false],
    ['serverset: a dead pid merged from zookeeper_data', 'serverset', '{"serviceEndpoint":{"host":"h","port":80},"pid":300}', false],
    ['nerve: even our own pid', 'nerve', '{"pid":100}', false],
  ];
  for (const [what, format, data, ours] of table) {
    assert.equal(isOrphanOfThisHost(format, data, 100, isAlive), ours, what);
    assert.equal(proofPid(format, data) !== null, format === 'zk_watcher' && payloadPid(data) !== null, what);
  }
});

test('the reason a node held by another session is left alone names what would prove it ours, and that it goes when its session ends', () => {
  const table: [string, RegistryFormat, string, boolean, RegExp | ''][] = [
    ['a persistent node never goes by itself', 'zk_watcher', '{"pid":200}', false, ''],
    ['zk_watcher, another live agent', 'zk_watcher', '{"foo":1,"pid":200}', true, /^; the agent pid 200 its data names is running, so it goes when its session ends$/],
    ['zk_watcher, no pid', 'zk_watcher', 'x', true, /^; its data names no agent pid that could prove it ours, so it goes when its session ends$/],
    ['curator', 'curator', '{"pid":300}', true, /^; curator data carries no agent pid, .* when its session ends$/],
    ['nerve', 'nerve', '{}', true, /^; nerve data carries no agent pid/],
    ['serverset', 'serverset', '{}', true, /^; serverset data carries no agent pid/],
  ];
  for (const [what, format, data, ephemeral, want] of table) {
    const got = notOursReason(format, data, ephemeral);
    if (want === '') assert.equal(got, '', what);
    else assert.match(got, want, what);
    assert.doesNotMatch(got, /expires/, what);
  }
});
