// The TLS files: checked at start with messages that name the setting and the file (never
// their contents), and re-read on SIGHUP, where a file that does not do keeps the old ones.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { ZkTlsFiles } from '../../../src/main/zk/zk-tls-files.js';
import type { ZkTlsSettings } from '../../../src/shared/zk-tls-args.js';
import { makeTlsFiles, type TlsFiles } from '../../support/tls-certs.js';

let certs: TlsFiles;
let agent: { cert: string; key: string };
let other: { cert: string; key: string };

before(() => {
  certs = makeTlsFiles();
  agent = certs.client('agent', '/O=Example/CN=web-01');
  other = certs.client('other', '/CN=someone else');
});

const flags = (s: Partial<ZkTlsSettings>): ZkTlsSettings => ({ caFile: certs.ca, certFile: agent.cert, keyFile: agent.key, verifyHostname: true, namedBy: 'flags', ...s });

async function loadError(s: ZkTlsSettings, now?: Date): Promise<string> {
  try {
    await ZkTlsFiles.load(s, now);
  } catch (e) {
    return (e as Error).message;
  }
  return 'loaded';
}

test('good files: the subject as ZooKeeper names us, and what each connection is made with', async () => {
  const files = await ZkTlsFiles.load(flags({}));
  assert.equal(files.current.subject, 'CN=web-01,O=Example');
  assert.deepEqual(files.socketOptions().ca, readFileSync(certs.ca));
  assert.equal(files.socketOptions().verifyHostname, true);
  const caOnly = await ZkTlsFiles.load(flags({ certFile: null, keyFile: null }));
  assert.equal(caOnly.current.subject, null);
});

test('a bad file is named by its flag (or variable) and path, and its contents never appear', async () => {
  const dir = certs.dir;
  const encrypted = join(dir, 'encrypted.key');
  execFileSync('openssl', ['pkey', '-in', agent.key, '-aes256', '-passout', 'pass:hunter2', '-out', encrypted]);
  const garbage = join(dir, 'garbage.pem');
  writeFileSync(garbage, 'not a certificate\n');
  const cases: [ZkTlsSettings, RegExp, Date?][] = [
    [flags({ caFile: join(dir, 'missing.pem') }), /^--zk-tls-ca .*missing\.pem: cannot read it \(ENOENT\)$/],
    [flags({ caFile: garbage }), /^--zk-tls-ca .*garbage\.pem: holds no PEM certificate$/],
    [flags({ certFile: garbage }), /^--zk-tls-cert .*garbage\.pem: not a PEM certificate/],
    [flags({ keyFile: garbage }), /^--zk-tls-key .*garbage\.pem: not a PEM private key/],
    [flags({ keyFile: other.key }), /^--zk-tls-key .*other\.key: is not the key of the certificate .*agent\.pem$/],
    [flags({ keyFile: encrypted }), /^--zk-tls-key .*encrypted\.key: an encrypted key/],
    [flags({ namedBy: 'env', keyFile: other.key }), /^ZK_TLS_KEY .*other\.key: is not the key/],
    // The test's certificates are valid for 2 days: three days on, ours has expired.
    [flags({}), /^--zk-tls-cert .*agent\.pem: expired on /, new Date(Date.now() + 3 * 86_400_000)],
  ];
  const secrets = [agent.key, other.key].map((k) => readFileSync(k, 'utf8').split('\n')[1]!);
  for (const [settings, message, now] of cases) {
    const got = await loadError(settings, now);
    assert.match(got, message);
    for (const s of secrets) assert.ok(!got.includes(s), 'a key is in the message');
  }
});

test('SIGHUP: new files serve the next connections; an unreadable one or another subject keeps the old ones', async () => {
  const cert = join(certs.dir, 'hup.pem');
  const key = join(certs.dir, 'hup.key');
  copyFileSync(agent.cert, cert);
  copyFileSync(agent.key, key);
  const files = await ZkTlsFiles.load(flags({ certFile: cert, keyFile: key }));
  const first = files.socketOptions();
  // The same subject, a new certificate (a renewal).
  const renewed = certs.client('renewed', '/O=Example/CN=web-01');
  copyFileSync(renewed.cert, cert);
  copyFileSync(renewed.key, key);
  await files.reload();
  assert.notDeepEqual(files.socketOptions().cert, first.cert);
  assert.deepEqual(files.socketOptions().cert, readFileSync(renewed.cert));
  const renewedOptions = files.socketOptions();
  writeFileSync(key, '');
  await assert.rejects(files.reload(), /--zk-tls-key .*hup\.key: not a PEM private key/);
  assert.equal(files.socketOptions(), renewedOptions, 'the old files stay');
  copyFileSync(other.cert, cert);
  copyFileSync(other.key, key);
  await assert.rejects(files.reload(), /the new certificate is for 'CN=someone else', not 'CN=web-01,O=Example'/);
  assert.equal(files.socketOptions(), renewedOptions, 'the old files stay');
});

test('SIGHUP: another subject is taken when our nodes do not name it ([auth] digest or --zk-acl open)', async () => {
  const cert = join(certs.dir, 'unpinned.pem');
  const key = join(certs.dir, 'unpinned.key');
  copyFileSync(agent.cert, cert);
  copyFileSync(agent.key, key);
  const files = await ZkTlsFiles.load(flags({ certFile: cert, keyFile: key }));
  files.subjectInAcl = false;
  copyFileSync(other.cert, cert);
  copyFileSync(other.key, key);
  const next = await files.reload();
  assert.equal(next.subject, 'CN=someone else');
  assert.deepEqual(files.socketOptions().cert, readFileSync(other.cert));
});
