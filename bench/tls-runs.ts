// --tls: the startup and flip scenarios again over TLS, against a TLS-only ZooKeeper (Netty
// secureClientPort, certificates openssl makes), with the agent on --zk-tls and a client
// certificate; their rows are marked (TLS) and sit beside the plain ones.

import { makeTlsFiles } from '../test/support/tls-certs.js';
import { connectClient } from '../test/support/zk-client.js';
import { startZooKeeper } from '../test/support/zookeeper.js';
import { readFileSync } from 'node:fs';
import type { BenchOptions } from './options.js';
import { flipScenario } from './scenarios/flip.js';
import { startupScenario } from './scenarios/startup.js';
import type { Row, ScenarioName } from './types.js';
import { warmUpZooKeeper } from './warm-up.js';

export async function tlsRuns(
  o: BenchOptions,
  flipServices: number,
  progress: (msg: string) => void,
  failed: (scenario: ScenarioName, message: string) => void,
): Promise<Row[]> {
  const wanted = o.scenarios.filter((s): s is 'startup' | 'flip' => s === 'startup' || s === 'flip');
  if (!o.tls || wanted.length === 0) return [];
  progress('starting a TLS-only ZooKeeper (--tls)');
  const certs = makeTlsFiles();
  const agentCert = certs.client('bench-agent', '/CN=bench-agent');
  const observerCert = certs.client('bench-observer', '/CN=bench-observer');
  const zk = await startZooKeeper({ maxSessionTimeout: 60_000, tls: { keyStore: certs.serverKeyStore, trustStore: certs.ca } });
  const observer = await connectClient(zk.connectString, { tls: { ca: readFileSync(certs.ca), cert: readFileSync(observerCert.cert), key: readFileSync(observerCert.key), verifyHostname: true } });
  const args = [...o.agentArgs, '--zk-tls-ca', certs.ca, '--zk-tls-cert', agentCert.cert, '--zk-tls-key', agentCert.key];
  const rows: Row[] = [];
  const tlsRow = (r: Row): Row => ({ ...r, scenario: `${r.scenario} (TLS)` });
  try {
    await warmUpZooKeeper(observer);
    for (const name of wanted) {
      progress(`${name} over TLS`);
      try {
        const r = name === 'startup' ? await startupScenario(zk.connectString, observer, o.services, o.steady, args) : await flipScenario(zk.connectString, observer, flipServices, o.flips, args);
        rows.push(...r.rows.map(tlsRow));
      } catch (e) {
        failed(name, `over TLS: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  } finally {
    await observer.close();
    await zk.stop();
  }
  return rows;
}
