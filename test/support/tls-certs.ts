// Certificates for TLS tests, made with openssl in a temp dir (removed at exit): a CA, a
// server certificate for localhost and 127.0.0.1 (also the server's PEM key store: key then
// certificate), client certificates by subject, and another CA nobody trusts. EC P-256: quick.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsFiles {
  readonly dir: string;
  readonly ca: string;
  /** A CA that signed nothing the server has. */
  readonly otherCa: string;
  /** Key + certificate: ZooKeeper's ssl.keyStore (PEM). */
  readonly serverKeyStore: string;
  /** A client certificate and key signed by the CA, for `subject` (openssl's /O=x/CN=y form). */
  client(name: string, subject: string): { cert: string; key: string };
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`]);
}

function makeLeaf(dir: string, name: string, subject: string, san: string): void {
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', `${name}.pem`, '-extfile', `${name}.ext`]);
}

export function makeTlsFiles(): TlsFiles {
  const dir = mkdtempSync(join(tmpdir(), 'zkw-tls-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  makeCa(dir, 'ca');
  makeCa(dir, 'other-ca');
  makeLeaf(dir, 'server', '/CN=localhost', 'DNS:localhost,IP:127.0.0.1');
  execFileSync('sh', ['-c', 'cat server.key server.pem > server-keystore.pem'], { cwd: dir });
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    otherCa: join(dir, 'other-ca.pem'),
    serverKeyStore: join(dir, 'server-keystore.pem'),
    client(name, subject) {
      makeLeaf(dir, name, subject, `DNS:${name}`);
      return { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
    },
  };
}
