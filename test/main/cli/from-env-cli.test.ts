// --from-env through the real CLI: the original image's variables, present and missing.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../../support/agent.js';

/** Only what we pass: the test runner's own environment must not leak in. */
function env(vars: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, ...vars };
}

const REQUIRED = { ZK_PATH: '/ssh_services', SVC_HOST: 'web1.example.com', SVC_PORT: '22', CMD: 'echo checked on $SVC_HOST' };

test('--from-env with its required variables: --print-config shows the one service the image would have run', () => {
  const r = runCli(['--from-env', '--print-config'], env(REQUIRED));
  assert.equal(r.code, 0, r.stderr);
  const printed = JSON.parse(r.stdout) as { services: Record<string, unknown>[] };
  assert.deepEqual(
    printed.services.map((s) => [s.name, s.cmd, s.refresh, s.service_port, s.service_hostname, s.znode]),
    [['service', REQUIRED.CMD, 30, 22, 'web1.example.com', '/ssh_services/web1.example.com:22']],
  );
});

test('--from-env --once runs the CMD with the container\'s environment', () => {
  const r = runCli(['--from-env', '--once'], env({ ...REQUIRED, ZOOKEEPER_HOST: '127.0.0.1', ZOOKEEPER_PORT: '1' }));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^service\s+PASS\s+\d+ ms\s+checked on web1\.example\.com$/m);
});

test('--from-env without a required variable exits 2 naming each missing one', () => {
  for (const missing of Object.keys(REQUIRED)) {
    const vars: Record<string, string> = { ...REQUIRED };
    delete vars[missing];
    const r = runCli(['--from-env'], env(vars));
    assert.equal(r.code, 2, `${missing}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^environment variable ${missing}: is required by --from-env and is not set$`, 'm'));
    assert.equal(r.stderr.match(/is required/g)?.length, 1, r.stderr);
  }
  const none = runCli(['--from-env'], env({}));
  assert.equal(none.code, 2);
  for (const name of Object.keys(REQUIRED)) assert.match(none.stderr, new RegExp(`environment variable ${name}: is required`));
});

test('--from-env with a bad value exits 2 naming the variable', () => {
  const r = runCli(['--from-env'], env({ ...REQUIRED, SVC_PORT: 'ssh', ZOOKEEPER_PORT: '2181x' }));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^environment variable SVC_PORT: \[service\] service_port must be a whole number from 1 to 65535, got 'ssh'/m);
  assert.match(r.stderr, /^environment variable ZOOKEEPER_PORT: must be a whole number/m);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});

test('--from-env cannot be combined with -c or -s (exit 2)', () => {
  for (const extra of [['-c', '/etc/zk/config.cfg'], ['-s', 'zk:2181']]) {
    const r = runCli(['--from-env', ...extra], env(REQUIRED));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--from-env .* cannot be combined with -c\/--config or -s\/--server/);
  }
});

test('--from-env with GRPC and no CMD runs a grpc check; a TLS_CA that cannot be read exits 2 naming the variable', () => {
  const { CMD: _cmd, ...noCmd } = REQUIRED;
  const printed = runCli(['--from-env', '--print-config'], env({ ...noCmd, GRPC: '127.0.0.1:50051', GRPC_SERVICE: 'web' }));
  assert.equal(printed.code, 0, printed.stderr);
  const service = (JSON.parse(printed.stdout) as { services: Record<string, unknown>[] }).services[0]!;
  assert.deepEqual([service.cmd, service.grpc, service.grpc_service], [undefined, '127.0.0.1:50051', 'web']);
  const missing = '/nonexistent/private-ca.pem';
  const r = runCli(['--from-env'], env({ ...noCmd, HTTP: 'https://127.0.0.1/health', TLS_CA: missing }));
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`^environment variable TLS_CA: \\[service\\] tls_ca '${missing}' cannot be read: no such file \\(key: tls_ca\\)$`, 'm'));
});
