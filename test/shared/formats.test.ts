// The registry formats' encoders, by tables: node names and bytes for each format.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseZookeeperData } from '../../src/shared/config.js';
import { curatorServiceName, parseUriSpec } from '../../src/shared/formats/curator.js';
import type { NodeFacts } from '../../src/shared/formats/facts.js';
import type { FormatSpec } from '../../src/shared/formats/format.js';
import { nodeData, nodeName, registrationData, registrationPath } from '../../src/shared/formats/index.js';
import { strictJson } from '../../src/shared/formats/json.js';
import { isOrphanOfThisHost, proofPid } from '../../src/shared/ownership.js';
import { parsePyJson } from '../../src/shared/pyjson.js';
import type { ServiceSpec, ZookeeperData } from '../../src/shared/types.js';
import { encodePayload } from '../../src/shared/znode.js';

const CREATED = new Date(1796220346064);

function data(text: string): ZookeeperData {
  const parsed = parseZookeeperData(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

function facts(over: Partial<NodeFacts> = {}): NodeFacts {
  return { host: '10.0.0.5', port: 8080, agentHost: 'web1.example.com', zookeeperPath: '/discovery/web', pid: 4242, created: CREATED, data: data(''), ...over };
}

const CURATOR: FormatSpec = { kind: 'curator', sslPort: null, uriSpec: null };

test('node names: host:port for zk_watcher, curator (its instance id) and nerve; a stable member_ for serverset', () => {
  const table: [FormatSpec, string][] = [
    [{ kind: 'zk_watcher' }, '10.0.0.5:8080'],
    [CURATOR, '10.0.0.5:8080'],
    [{ kind: 'nerve' }, '10.0.0.5:8080'],
  ];
  for (const [format, name] of table) assert.equal(nodeName(format, '10.0.0.5', 8080), name, format.kind);
  const member = nodeName({ kind: 'serverset' }, '10.0.0.5', 8080);
  assert.match(member, /^member_[1-9][0-9]{18}$/);
  assert.equal(nodeName({ kind: 'serverset' }, '10.0.0.5', 8080), member, 'the same host and port: the same name, every time');
  const others = new Set([member, ...[8081, 8082, 1].map((p) => nodeName({ kind: 'serverset' }, '10.0.0.5', p)), nodeName({ kind: 'serverset' }, '10.0.0.6', 8080)]);
  assert.equal(others.size, 5, 'another port or host: another name');
  // twitter.common's Python readers: int(name[7:]), and '%010d' of it names the node again.
  const id = BigInt(member.slice('member_'.length));
  assert.equal(`member_${id.toString().padStart(10, '0')}`, member);
});

test('zk_watcher data is nd_service_registry\'s bytes, unchanged', () => {
  for (const text of ['', 'foo=bar, bah=humbug', '{"pid": 7, "x": 1}', '"just a string"']) {
    assert.equal(nodeData({ kind: 'zk_watcher' }, facts({ data: data(text) })), encodePayload(4242, CREATED, data(text)), text);
  }
});

test('curator data is a ServiceInstance as Curator 5.4\'s JsonInstanceSerializer writes it', () => {
  const table: [string, FormatSpec, string, string][] = [
    [
      'no data: a null payload, no uriSpec',
      CURATOR,
      '',
      '{"name":"web","id":"10.0.0.5:8080","address":"10.0.0.5","port":8080,"sslPort":null,"payload":null,"registrationTimeUTC":1796220346064,"serviceType":"DYNAMIC","uriSpec":null}',
    ],
    [
      'data: a LinkedHashMap payload, key order kept',
      CURATOR,
      'az=us-east-1a, rack=r7',
      '{"name":"web","id":"10.0.0.5:8080","address":"10.0.0.5","port":8080,"sslPort":null,"payload":{"@class":"java.util.LinkedHashMap","az":"us-east-1a","rack":"r7"},"registrationTimeUTC":1796220346064,"serviceType":"DYNAMIC","uriSpec":null}',
    ],
    [
      'ssl_port and uri_spec',
      { kind: 'curator', sslPort: 8443, uriSpec: '{scheme}://{address}:{port}/x' },
      '{"n": 5, "nested": {"x": [1, 2]}}',
      '{"name":"web","id":"10.0.0.5:8080","address":"10.0.0.5","port":8080,"sslPort":8443,"payload":{"@class":"java.util.LinkedHashMap","n":5,"nested":{"x":[1,2]}},"registrationTimeUTC":1796220346064,"serviceType":"DYNAMIC","uriSpec":{"parts":[{"value":"scheme","variable":true},{"value":"://","variable":false},{"value":"address","variable":true},{"value":":","variable":false},{"value":"port","variable":true},{"value":"/x","variable":false}]}}',
    ],
    [
      'a bare JSON string: {"string_value": ...} as zk_watcher stores it',
      CURATOR,
      '"hello"',
      '{"name":"web","id":"10.0.0.5:8080","address":"10.0.0.5","port":8080,"sslPort":null,"payload":{"@class":"java.util.LinkedHashMap","string_value":"hello"},"registrationTimeUTC":1796220346064,"serviceType":"DYNAMIC","uriSpec":null}',
    ],
  ];
  for (const [what, format, text, expected] of table) {
    const got = nodeData(format, facts({ data: data(text) }));
    assert.equal(got, expected, what);
    assert.doesNotThrow(() => JSON.parse(got), what);
  }
});

test('curator: the service name is zookeeper_path\'s last segment', () => {
  assert.equal(curatorServiceName('/discovery/web'), 'web');
  assert.equal(curatorServiceName('/web'), 'web');
  assert.equal(curatorServiceName('/a/b/c-d'), 'c-d');
});

test('curator: uri_spec parses as new UriSpec(String) does', () => {
  const v = (value: string) => ({ value, variable: true });
  const l = (value: string) => ({ value, variable: false });
  const table: [string, ReturnType<typeof parseUriSpec>][] = [
    ['{scheme}://{address}:{port}', [v('scheme'), l('://'), v('address'), l(':'), v('port')]],
    ['http://x/{ name }/y', [l('http://x/'), v('name'), l('/y')]],
    ['{[}literal{]}', [v('['), l('literal'), v(']')]],
    ['{}', []],
    ['plain', [l('plain')]],
    ['{a{b}}', "has a '{' inside a {variable}"],
    ['a}', "has a '}' without a '{' before it"],
    ['{a', "ends inside a {variable}: a '}' is missing"],
  ];
  for (const [template, expected] of table) assert.deepEqual(parseUriSpec(template), expected, template);
});

test('nerve data: host, port (a number) and name (this host), zookeeper_data on top', () => {
  const table: [string, string][] = [
    ['', '{"host":"10.0.0.5","port":8080,"name":"web1.example.com"}'],
    [
      '{"weight": 10, "haproxy_server_options": "backup", "labels": {"az": "us-east-1a"}}',
      '{"host":"10.0.0.5","port":8080,"name":"web1.example.com","weight":10,"haproxy_server_options":"backup","labels":{"az":"us-east-1a"}}',
    ],
    ['{"name": "i-0abc", "x": "\u00e9"}', '{"host":"10.0.0.5","port":8080,"name":"i-0abc","x":"\u00e9"}'],
  ];
  for (const [text, expected] of table) assert.equal(nodeData({ kind: 'nerve' }, facts({ data: data(text) })), expected, text);
});

test('serverset data: serviceEndpoint, additionalEndpoints, status ALIVE, zookeeper_data on top', () => {
  const table: [string, string][] = [
    ['', '{"serviceEndpoint":{"host":"10.0.0.5","port":8080},"additionalEndpoints":{},"status":"ALIVE"}'],
    [
      '{"shard": 3, "additionalEndpoints": {"http": {"host": "10.0.0.5", "port": 8081}}, "metadata": {"env": "prod"}}',
      '{"serviceEndpoint":{"host":"10.0.0.5","port":8080},"additionalEndpoints":{"http":{"host":"10.0.0.5","port":8081}},"status":"ALIVE","shard":3,"metadata":{"env":"prod"}}',
    ],
  ];
  for (const [text, expected] of table) assert.equal(nodeData({ kind: 'serverset' }, facts({ data: data(text) })), expected, text);
});

test('strict JSON keeps key order and exact ints, and writes UTF-8 as is', () => {
  const table: [string, string][] = [
    ['{"2": "two", "1": "one"}', '{"2":"two","1":"one"}'],
    ['{"big": 123456789012345678901234567890, "f": 1.5, "g": 1e16, "t": true, "n": null}', '{"big":123456789012345678901234567890,"f":1.5,"g":1e+16,"t":true,"n":null}'],
    ['{"u": "h\\u00e9 \\u2603", "esc": "a\\"b\\n"}', '{"u":"h\u00e9 \u2603","esc":"a\\"b\\n"}'],
  ];
  for (const [text, expected] of table) {
    assert.equal(strictJson(parsePyJson(text)), expected, text);
    assert.deepEqual(JSON.parse(strictJson(parsePyJson(text))), JSON.parse(expected));
  }
});

test('a service\'s path and data follow its format; service_hostname is the address, this host the nerve name', () => {
  const base: ServiceSpec = {
    name: 'web', cmd: 'true', http: null, tcp: null, refresh: 1, timeout: 10, servicePort: 8080, serviceHostname: null,
    zookeeperPath: '/discovery/web', zookeeperData: data(''), rise: 1, fall: 1, source: { file: 'f', line: 1 },
  };
  assert.equal(registrationPath(base, 'web1'), '/discovery/web/web1:8080', 'no format: zk_watcher');
  assert.equal(registrationPath({ ...base, format: CURATOR }, 'web1'), '/discovery/web/web1:8080');
  assert.match(registrationPath({ ...base, format: { kind: 'serverset' } }, 'web1'), /^\/discovery\/web\/member_\d{19}$/);
  const nerve = { ...base, serviceHostname: '10.1.1.1', format: { kind: 'nerve' } as const };
  assert.equal(registrationPath(nerve, 'web1'), '/discovery/web/10.1.1.1:8080');
  assert.equal(registrationData(nerve, 'web1', 1, CREATED), '{"host":"10.1.1.1","port":8080,"name":"web1"}');
  assert.match(registrationData(base, 'web1', 77, CREATED), /^\{"pid":77,"created":"/);
});

test('only zk_watcher data proves a node ours by its pid: the other formats carry none, and a pid key in their data is the operator\'s', () => {
  const dead = () => false;
  const table: [string, FormatSpec, string, boolean][] = [
    ['zk_watcher', { kind: 'zk_watcher' }, encodePayload(300, CREATED, data('')), true],
    ['nerve with a pid in zookeeper_data', { kind: 'nerve' }, nodeData({ kind: 'nerve' }, facts({ data: data('{"pid": 300}') })), false],
    ['serverset with a pid in zookeeper_data', { kind: 'serverset' }, nodeData({ kind: 'serverset' }, facts({ data: data('{"pid": 300, "created": "x"}') })), false],
    ['curator with a pid in the payload', CURATOR, nodeData(CURATOR, facts({ data: data('{"pid": 300}') })), false],
  ];
  for (const [what, format, bytes, proven] of table) {
    assert.equal(isOrphanOfThisHost(format.kind, bytes, 100, dead), proven, what);
    assert.equal(proofPid(format.kind, bytes) !== null, proven, what);
  }
});
