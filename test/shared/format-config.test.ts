// The `format` key and the keys only curator has, read from INI text: values and errors by table.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildConfig } from '../../src/shared/config.js';
import { configNodeProblems } from '../../src/shared/desired.js';
import { maxDataBytes, widestDataBytes } from '../../src/shared/formats/data-size.js';
import { formatOf } from '../../src/shared/formats/format.js';
import { registrationData } from '../../src/shared/formats/index.js';
import { formatProblem } from '../../src/shared/problems.js';
import { planReload } from '../../src/shared/reload-plan.js';
import type { ServiceSpec } from '../../src/shared/types.js';

const SERVICE = (extra = '', name = 'web', path = '/discovery/web') => `[${name}]\ncmd: true\nrefresh: 1\nservice_port: 80\nzookeeper_path: ${path}\n${extra}`;

function build(text: string) {
  return buildConfig([{ file: 'f.cfg', text }]);
}

function only(text: string): ServiceSpec {
  const { config, problems } = build(text);
  assert.deepEqual(problems.filter((p) => p.severity === 'error').map(formatProblem), []);
  return config!.services[0]!;
}

test('format and its keys give each service its FormatSpec; [DEFAULT] works as for any key', () => {
  const table: [string, string, ReturnType<typeof formatOf>][] = [
    ['absent', SERVICE(), { kind: 'zk_watcher' }],
    ['zk_watcher', SERVICE('format: zk_watcher\n'), { kind: 'zk_watcher' }],
    ['nerve', SERVICE('format: nerve\n'), { kind: 'nerve' }],
    ['serverset', SERVICE('format = serverset\n'), { kind: 'serverset' }],
    ['curator', SERVICE('format: curator\n'), { kind: 'curator', sslPort: null, uriSpec: null }],
    ['curator with keys', SERVICE('format: curator\nssl_port: 8443\nuri_spec: {scheme}://{address}:{port}/api\n'), { kind: 'curator', sslPort: 8443, uriSpec: '{scheme}://{address}:{port}/api' }],
    ['from [DEFAULT]', `[DEFAULT]\nformat: curator\nssl_port: 443\n${SERVICE()}`, { kind: 'curator', sslPort: 443, uriSpec: null }],
    ['[DEFAULT] curator keys are ignored by a nerve section', `[DEFAULT]\nformat: curator\nuri_spec: {scheme}://x\n${SERVICE('format: nerve\n')}`, { kind: 'nerve' }],
  ];
  for (const [what, text, expected] of table) assert.deepEqual(formatOf(only(text)), expected, what);
  assert.equal('format' in only(SERVICE()), false, 'a zk_watcher spec is what it was before formats');
});

test('a bad format key is an error naming FILE:LINE, the key and what it may be', () => {
  const table: [string, string][] = [
    [SERVICE('format: curater\n'), "f.cfg:6: [web] format 'curater' is not one of zk_watcher, curator, nerve, serverset; did you mean 'curator'? (key: format)"],
    [SERVICE('format: eureka\n'), "f.cfg:6: [web] format 'eureka' is not one of zk_watcher, curator, nerve, serverset (key: format)"],
    [SERVICE('format: curator\nssl_port: 0\n'), "f.cfg:7: [web] ssl_port must be a whole number from 1 to 65535, got '0' (key: ssl_port)"],
    [SERVICE('format: curator\nuri_spec: {scheme://x\n'), "f.cfg:7: [web] uri_spec '{scheme://x' ends inside a {variable}: a '}' is missing (a Curator UriSpec such as {scheme}://{address}:{port}/) (key: uri_spec)"],
    [SERVICE('ssl_port: 443\n'), "f.cfg:6: [web] ssl_port is only read with format = curator, and this section's format is zk_watcher (key: ssl_port)"],
    [SERVICE('format: nerve\nuri_spec: {scheme}://x\n'), "f.cfg:7: [web] uri_spec is only read with format = curator, and this section's format is nerve (key: uri_spec)"],
    [SERVICE('format: curator\nzookeeper_data: {"@class": "x.Y"}\n'), "f.cfg:7: [web] zookeeper_data cannot set '@class': Curator's payload names its own class there (key: zookeeper_data)"],
    [SERVICE('format: nerve\nzookeeper_data: {"weight": NaN}\n'), "f.cfg:7: [web] zookeeper_data has NaN in 'weight', which the nerve format's readers (strict JSON) refuse (key: zookeeper_data)"],
    [SERVICE('format: nerve\nzookeeper_data: weight=heavy\n'), "f.cfg:7: [web] zookeeper_data 'weight' must be a whole number of 0 or more, as Nerve writes it (key: zookeeper_data)"],
    [SERVICE('format: nerve\nzookeeper_data: {"labels": "az1"}\n'), "f.cfg:7: [web] zookeeper_data 'labels' must be a JSON object (key: zookeeper_data)"],
    // Synapse writes host and port into HAProxy's server line: a port HAProxy cannot read breaks every consumer's config.
    [SERVICE('format: nerve\nzookeeper_data: port=eighty\n'), "f.cfg:7: [web] zookeeper_data 'port' must be a whole number from 1 to 65535, as Nerve writes it (key: zookeeper_data)"],
    [SERVICE('format: nerve\nzookeeper_data: {"port": 0}\n'), "f.cfg:7: [web] zookeeper_data 'port' must be a whole number from 1 to 65535, as Nerve writes it (key: zookeeper_data)"],
    [SERVICE('format: nerve\nzookeeper_data: {"host": ""}\n'), "f.cfg:7: [web] zookeeper_data 'host' must be a host name or address, as Nerve writes it (key: zookeeper_data)"],
    [SERVICE('format: nerve\nzookeeper_data: {"host": ["10.0.0.5"]}\n'), "f.cfg:7: [web] zookeeper_data 'host' must be a host name or address, as Nerve writes it (key: zookeeper_data)"],
    [SERVICE('format: serverset\nzookeeper_data: shard=1\n'), "f.cfg:7: [web] zookeeper_data 'shard' must be a whole number (key: zookeeper_data)"],
    [SERVICE('format: serverset\nzookeeper_data: {"additionalEndpoints": {"http": {"host": "h", "port": "80"}}}\n'), `f.cfg:7: [web] zookeeper_data 'additionalEndpoints' entry 'http' must be {"host": "...", "port": N} (key: zookeeper_data)`],
  ];
  for (const [text, expected] of table) {
    const { config, problems } = build(text);
    assert.equal(config, null, expected);
    assert.deepEqual(problems.filter((p) => p.severity === 'error').map(formatProblem), [expected]);
  }
  // The same data is fine for zk_watcher, which stores whatever nd_service_registry stored.
  assert.equal(build(SERVICE('zookeeper_data: {"weight": NaN, "@class": 1}\n')).config?.services.length, 1);
  // A valid host or port of nerve's own may be set (it then differs from the node's name, which is the operator's choice).
  assert.equal(build(SERVICE('format: nerve\nzookeeper_data: {"host": "10.0.0.6", "port": 8443}\n')).config?.services.length, 1);
});

test('format is a known key: no "unknown key" warning for it or its keys', () => {
  const { problems } = build(SERVICE('format: curator\nssl_port: 1\nuri_spec: {scheme}://h\n'));
  assert.deepEqual(problems, []);
});

test('two services of different formats in one path: a warning; two formats writing one node cannot happen', () => {
  const text = SERVICE('format: curator\n', 'a') + '\n' + SERVICE('format: nerve\n', 'b').replace('service_port: 80', 'service_port: 81');
  const { config } = build(text);
  const problems = configNodeProblems(config!.services, 'h1').map(formatProblem);
  assert.deepEqual(problems, ["f.cfg:8: warning: [b] registers nerve nodes in /discovery/web, where [a] (f.cfg:1) registers curator nodes: readers of either format read every node of the path, the other's too (key: format)"]);
  // zk_watcher and nerve both name the node host:port: one node, two sections, an error as ever.
  const same = build(SERVICE('', 'a', '/p') + '\n' + SERVICE('format: nerve\n', 'b', '/p')).config!;
  assert.ok(configNodeProblems(same.services, 'h1').some((p) => p.severity === 'error' && p.message.includes('registers the same node /p/h1:80')));
  // A serverset member has its own name: not the same node.
  const apart = build(SERVICE('', 'a', '/p') + '\n' + SERVICE('format: serverset\n', 'b', '/p')).config!;
  assert.ok(!configNodeProblems(apart.services, 'h1').some((p) => p.severity === 'error'));
});

test('a reload that changes a format rewrites the node: moved (make-before-break) when its name changes, new bytes in place when not', () => {
  const spec = (text: string) => only(text);
  const plan = (a: ServiceSpec, b: ServiceSpec, pa: string, pb: string) => planReload([{ spec: a, path: pa }], [{ spec: b, path: pb }]).steps[0];
  const zk = spec(SERVICE());
  const nerve = spec(SERVICE('format: nerve\n'));
  assert.deepEqual(plan(zk, nerve, '/d/h:80', '/d/h:80'), { kind: 'restart', name: 'web', inheritFrom: 'web', keepPayload: false, movedFrom: null });
  assert.deepEqual(plan(zk, spec(SERVICE('format: serverset\n')), '/d/h:80', '/d/member_1'), { kind: 'restart', name: 'web', inheritFrom: 'web', keepPayload: false, movedFrom: '/d/h:80' });
  const curator = spec(SERVICE('format: curator\n'));
  assert.equal(plan(curator, spec(SERVICE('format: curator\nssl_port: 443\n')), '/d/h:80', '/d/h:80')?.kind, 'restart');
  assert.deepEqual(plan(curator, spec(SERVICE('format: curator\nrise: 2\n')), '/d/h:80', '/d/h:80'), { kind: 'restart', name: 'web', inheritFrom: 'web', keepPayload: true, movedFrom: null });
  assert.deepEqual(plan(curator, spec(SERVICE('format: curator\n')), '/d/h:80', '/d/h:80'), { kind: 'keep', name: 'web' });
});

test('zookeeper_data is judged by the bytes each format writes with a 253-character host, widest pid and port: at the limit it loads, one byte over is an error at its FILE:LINE', () => {
  // The request limit (0xfffff) less the node path twice (a takeover's multi) and 1024 for framing and ACLs.
  const table: [string, string, number][] = [
    // /discovery/web/<253 chars>:65535 is 274 bytes; a member_ name is 26.
    ['zk_watcher', '', 1_048_575 - 2 * 274 - 1024],
    ['curator', 'format: curator\nuri_spec: {scheme}://{address}:{port}/\n', 1_048_575 - 2 * 274 - 1024],
    ['nerve', 'format: nerve\n', 1_048_575 - 2 * 274 - 1024],
    ['serverset', 'format: serverset\n', 1_048_575 - 2 * 41 - 1024],
  ];
  for (const [kind, extra, max] of table) {
    const spec = only(SERVICE(extra));
    assert.equal(maxDataBytes(formatOf(spec), '/discovery/web'), max, kind);
    const empty = widestDataBytes(formatOf(spec), '/discovery/web', { kind: 'object', value: { kind: 'object', entries: [['k', { kind: 'str', value: '' }]] } });
    const fill = (n: number) => SERVICE(`${extra}zookeeper_data: k=${'x'.repeat(n)}\n`);
    const under = build(fill(max - empty));
    assert.deepEqual(under.problems.filter((p) => p.severity === 'error').map(formatProblem), [], `${kind}: exactly at the limit`);
    assert.equal(Buffer.byteLength(registrationData(under.config!.services[0]!, 'h'.repeat(253), 4_194_304, new Date(Date.UTC(2999, 11, 31, 23, 59, 59, 999)))) <= max, true, `${kind}: the real encoder agrees`);
    const over = build(fill(max - empty + 1)).problems.filter((p) => p.severity === 'error').map(formatProblem);
    const line = 6 + extra.split('\n').length - 1;
    assert.deepEqual(over, [`f.cfg:${line}: [web] zookeeper_data makes the node's data up to ${max + 1} bytes as format ${kind} writes it (with a 253-character host name), more than the ${max} bytes one ZooKeeper request can carry at this path (jute.maxbuffer 1 MiB) (key: zookeeper_data)`], `${kind}: one byte over`);
  }
  // The text's size is not the data's: spaces in JSON vanish from the node, so a text over 1 MiB can fit.
  const spaced = build(SERVICE(`zookeeper_data: {"k": "x"${' '.repeat(1_100_000)}}\n`));
  assert.deepEqual(spaced.problems.filter((p) => p.severity === 'error').map(formatProblem), []);
});

test("serverset: a status in zookeeper_data must be a name of Finagle's Endpoint Status enum; any other is an error naming the valid ones", () => {
  const VALID = 'DEAD, STARTING, ALIVE, STOPPING, STOPPED, WARNING';
  const table: [string, string | null][] = [
    ...['DEAD', 'STARTING', 'ALIVE', 'STOPPING', 'STOPPED', 'WARNING'].map((s): [string, null] => [`status=${s}`, null]),
    ['{"status": "WARNING", "shard": 3}', null],
    ['status=alive', `'status' must be one of ${VALID} (Finagle's Endpoint Status), got 'alive'`],
    ['status=UP', `'status' must be one of ${VALID} (Finagle's Endpoint Status), got 'UP'`],
    ['{"status": 2}', `'status' must be one of ${VALID} (Finagle's Endpoint Status), got a JSON int`],
    ['{"status": null}', `'status' must be one of ${VALID} (Finagle's Endpoint Status), got a JSON null`],
    ['status=', `'status' must be one of ${VALID} (Finagle's Endpoint Status), got ''`],
  ];
  for (const [data, problem] of table) {
    const errors = build(SERVICE(`format: serverset\nzookeeper_data: ${data}\n`)).problems.filter((p) => p.severity === 'error').map(formatProblem);
    assert.deepEqual(errors, problem === null ? [] : [`f.cfg:7: [web] zookeeper_data ${problem} (key: zookeeper_data)`], data);
  }
  // Only serverset data has a status of ours to judge: nerve and zk_watcher keep whatever the operator writes.
  for (const extra of ['', 'format: nerve\n']) assert.deepEqual(build(SERVICE(`${extra}zookeeper_data: status=up\n`)).problems, [], extra);
});
