// A stand-in for a company's npm mirror: HTTPS on the loopback with a certificate of its own
// (made here by openssl, trusted by no one), forwarding every GET to the registry this
// machine's npm uses. A build that installs through it must have been told its URL
// (NPM_REGISTRY) and trust its CA (EXTRA_CA_CERT); it counts what it served, so the test
// can tell the build really went through it.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RegistryMirror {
  /** https://127.0.0.1:PORT/ */
  readonly url: string;
  /** The PEM of the certificate it serves with, which is also its CA. */
  readonly caPem: string;
  /** Paths served with 200, in order. */
  readonly served: readonly string[];
  close(): Promise<void>;
}

/** Where the packages come from: what `npm config get registry` says here. */
export function upstreamRegistry(): string {
  return execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim().replace(/\/?$/, '/');
}

export async function startRegistryMirror(upstream: string): Promise<RegistryMirror> {
  const dir = mkdtempSync(join(tmpdir(), 'zkw-registry-mirror-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=zkw-test-registry-mirror',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-addext', 'basicConstraints=critical,CA:TRUE',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    const key = readFileSync(join(dir, 'key.pem'));
    const caPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const served: string[] = [];
    let self = '';
    const server: Server = createServer({ key, cert: caPem }, (req, res) => {
      const path = req.url ?? '/';
      if (req.method !== 'GET') {
        res.writeHead(405).end();
        return;
      }
      void (async () => {
        try {
          const answer = await fetch(new URL(path.replace(/^\//, ''), upstream), { headers: { accept: req.headers.accept ?? '*/*' } });
          let body = Buffer.from(await answer.arrayBuffer());
          const type = answer.headers.get('content-type') ?? 'application/octet-stream';
          // Packuments name their tarballs by the upstream's URL: point them here, as a mirror does.
          if (type.includes('json')) body = Buffer.from(body.toString('utf8').split(upstream).join(self));
          if (answer.status === 200) served.push(path);
          res.writeHead(answer.status, { 'content-type': type, 'content-length': body.length });
          res.end(body);
        } catch (e) {
          res.writeHead(502, { 'content-type': 'text/plain' }).end(`mirror: ${String(e)}\n`);
        }
      })();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    self = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    return {
      url: self,
      caPem,
      served,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
