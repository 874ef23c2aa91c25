// A private CA and a server certificate it signs, made with the real openssl in a temp dir:
// what an operator has when a service's https, TLS or gRPC port uses an internal CA.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCa {
  readonly dir: string;
  /** The CA certificate's file: what tls_ca names. */
  readonly caFile: string;
  readonly caPem: Buffer;
  readonly serverKey: Buffer;
  readonly serverCert: Buffer;
  /** The only name the server certificate holds (no IP entry: 127.0.0.1 does not match it). */
  readonly serverName: string;
  readonly remove: () => void;
}

export function makeTestCa(serverName = 'svc.internal'): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'zkw-ca-'));
  const at = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  };
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '2', '-subj', '/CN=zk-watcher test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', `/CN=${serverName}`);
  writeFileSync(at('ext.cnf'), `subjectAltName=DNS:${serverName}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
  openssl('x509', '-req', '-in', at('server.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('server.pem'), '-days', '2', '-extfile', at('ext.cnf'));
  return {
    dir,
    caFile: at('ca.pem'),
    caPem: readFileSync(at('ca.pem')),
    serverKey: readFileSync(at('server.key')),
    serverCert: readFileSync(at('server.pem')),
    serverName,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
