// `zk-watcher status`: fetch GET /status from a running agent and print it.
// Exit codes: 0 the agent answered; 1 it could not be reached; 2 bad command line.

import { request } from 'node:http';
import { parseStatusDocument, statusTable } from '../../shared/status.js';
import { parseStatusCommandLine, STATUS_USAGE } from '../../shared/status-args.js';

const TIMEOUT_MS = 5000;

export async function statusCommand(argv: readonly string[]): Promise<number> {
  const parsed = parseStatusCommandLine(argv);
  if (parsed.kind === 'help') {
    process.stdout.write(STATUS_USAGE + '\n');
    return 0;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(`zk-watcher status: ${parsed.message}\n\n${STATUS_USAGE}\n`);
    return 2;
  }
  const { port, address, json } = parsed.options;
  const where = address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
  let body: string;
  try {
    body = await fetchStatus(address, port);
  } catch (e) {
    process.stderr.write(`zk-watcher status: no agent answers at ${where}: ${(e as Error).message}\n`);
    return 1;
  }
  const doc = parseStatusDocument(body);
  if (typeof doc === 'string') {
    process.stderr.write(`zk-watcher status: ${where}: ${doc}\n`);
    return 1;
  }
  process.stdout.write(json ? JSON.stringify(doc, null, 2) + '\n' : statusTable(doc, Date.now()));
  return 0;
}

function fetchStatus(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/status', method: 'GET', timeout: TIMEOUT_MS }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', (e: NodeJS.ErrnoException) => reject(new Error(e.code ?? e.message)));
    req.end();
  });
}
