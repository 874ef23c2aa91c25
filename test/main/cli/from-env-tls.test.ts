// --from-env and the command line's TLS flags: a ZK_TLS_* variable wins over its flag, as every
// other variable does; ZK_TLS=false turns off TLS the flags asked for; unset, the flags stand.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommandLine, type Options } from '../../../src/shared/args.js';
import { settingsForCli } from '../../../src/main/cli/from-env.js';

const REQUIRED = { ZK_PATH: '/ssh_services', SVC_HOST: 'web1.example.com', SVC_PORT: '22', CMD: 'true' };

function options(argv: string[]): Options {
  const parsed = parseCommandLine(['--from-env', ...argv]);
  assert.equal(parsed.kind, 'run', argv.join(' '));
  return (parsed as { options: Options }).options;
}

test('ZK_TLS=false turns off the TLS flags of the command line; unset, they stand; ZK_TLS_CA replaces --zk-tls-ca', async () => {
  const flags = ['--zk-tls-ca', '/flags/ca.pem', '--zk-tls-cert', '/flags/c.pem', '--zk-tls-key', '/flags/k.pem'];
  const cases: [Record<string, string>, unknown][] = [
    [{ ZK_TLS: 'false' }, null],
    [{ ZK_TLS: 'no' }, null],
    [{}, { caFile: '/flags/ca.pem', certFile: '/flags/c.pem', keyFile: '/flags/k.pem', verifyHostname: true, namedBy: 'flags' }],
    [{ ZK_TLS: '' }, { caFile: '/flags/ca.pem', certFile: '/flags/c.pem', keyFile: '/flags/k.pem', verifyHostname: true, namedBy: 'flags' }],
    [{ ZK_TLS_CA: '/env/ca.pem' }, { caFile: '/env/ca.pem', certFile: null, keyFile: null, verifyHostname: true, namedBy: 'env' }],
  ];
  for (const [vars, want] of cases) {
    const r = await settingsForCli(options(flags), { ...REQUIRED, ...vars });
    assert.deepEqual(r.problems, [], JSON.stringify(vars));
    assert.deepEqual(r.options.zkTls, want, JSON.stringify(vars));
  }
});
