import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommandLine } from '../../src/shared/args.js';
import { zkTlsFromEnv, zkTlsFromFlags, tlsSettingName } from '../../src/shared/zk-tls-args.js';

test('the TLS flags: off by default, any --zk-tls-* turns TLS on, certificate and key together, --zk-acl auto or open', () => {
  const ok: [string[], unknown][] = [
    [[], { tls: null, acl: 'auto' }],
    [['--zk-tls'], { tls: { caFile: null, certFile: null, keyFile: null, verifyHostname: true, namedBy: 'flags' }, acl: 'auto' }],
    [['--zk-tls-ca', '/ca.pem'], { tls: { caFile: '/ca.pem', certFile: null, keyFile: null, verifyHostname: true, namedBy: 'flags' }, acl: 'auto' }],
    [['--zk-tls-cert', '/c.pem', '--zk-tls-key', '/k.pem', '--zk-acl', 'open'], { tls: { caFile: null, certFile: '/c.pem', keyFile: '/k.pem', verifyHostname: true, namedBy: 'flags' }, acl: 'open' }],
    [['--zk-tls-no-verify-hostname'], { tls: { caFile: null, certFile: null, keyFile: null, verifyHostname: false, namedBy: 'flags' }, acl: 'auto' }],
  ];
  for (const [argv, want] of ok) {
    const parsed = parseCommandLine(argv);
    assert.equal(parsed.kind, 'run', argv.join(' '));
    if (parsed.kind !== 'run') continue;
    assert.deepEqual({ tls: parsed.options.zkTls, acl: parsed.options.zkAcl }, want, argv.join(' '));
  }
  const bad: [string[], RegExp][] = [
    [['--zk-tls-cert', '/c.pem'], /--zk-tls-cert and --zk-tls-key go together/],
    [['--zk-tls-key', '/k.pem'], /--zk-tls-cert and --zk-tls-key go together/],
    [['--zk-tls-ca='], /--zk-tls-ca is empty/],
    [['--zk-acl', 'x509'], /--zk-acl must be auto or open, got 'x509'/],
  ];
  for (const [argv, message] of bad) {
    const parsed = parseCommandLine(argv);
    assert.equal(parsed.kind, 'error', argv.join(' '));
    if (parsed.kind === 'error') assert.match(parsed.message, message);
  }
  assert.deepEqual(zkTlsFromFlags({}), { tls: null, acl: 'auto' });
});

test('the same settings from ZK_TLS_* and ZK_ACL (--from-env), each problem named by its variable', () => {
  const run = (env: Record<string, string>) => {
    const problems: string[] = [];
    const r = zkTlsFromEnv(env, (variable, message) => problems.push(`${variable}: ${message}`));
    return { ...r, problems };
  };
  assert.deepEqual(run({}), { tls: undefined, acl: undefined, problems: [] }, "unset: the command line's stands");
  assert.deepEqual(run({ ZK_TLS: '', ZK_TLS_CA: '' }), { tls: undefined, acl: undefined, problems: [] }, 'empty is unset');
  assert.deepEqual(run({ ZK_TLS: 'false' }), { tls: null, acl: undefined, problems: [] }, 'an explicit false: off, whatever the flags say');
  assert.deepEqual(run({ ZK_TLS: 'true' }).tls, { caFile: null, certFile: null, keyFile: null, verifyHostname: true, namedBy: 'env' });
  assert.deepEqual(run({ ZK_TLS_CA: '/ca', ZK_TLS_CERT: '/c', ZK_TLS_KEY: '/k', ZK_TLS_VERIFY_HOSTNAME: 'false', ZK_ACL: 'open' }), {
    tls: { caFile: '/ca', certFile: '/c', keyFile: '/k', verifyHostname: false, namedBy: 'env' },
    acl: 'open',
    problems: [],
  });
  assert.deepEqual(run({ ZK_TLS: 'maybe' }).problems, ["ZK_TLS: must be true or false, got 'maybe'"]);
  assert.deepEqual(run({ ZK_TLS_CERT: '/c' }).problems, ['ZK_TLS_KEY: ZK_TLS_CERT and ZK_TLS_KEY go together (the client certificate and its key)']);
  assert.deepEqual(run({ ZK_TLS: 'false', ZK_TLS_CA: '/ca' }).problems, ['ZK_TLS: is false, but ZK_TLS_CA, ZK_TLS_CERT, ZK_TLS_KEY or ZK_TLS_VERIFY_HOSTNAME are set']);
  assert.deepEqual(run({ ZK_ACL: 'digest' }).problems, ["ZK_ACL: must be auto or open, got 'digest'"]);
  const settings = run({ ZK_TLS_CA: '/ca' }).tls!;
  assert.equal(tlsSettingName(settings, 'ca'), 'ZK_TLS_CA');
  assert.equal(tlsSettingName({ ...settings, namedBy: 'flags' }, 'key'), '--zk-tls-key');
});
