// `zk-watcher status`: fetch GET /status from a running agent, print it, and say by the
// exit code whether the agent does its job (see STATUS_USAGE): 0 all well; 1 no agent
// answers; 2 bad command line; 3 its session is not connected; 4 a healthy service
// outside maintenance is not registered.

import { parseStatusDocument, statusTable, statusVerdict } from '../../shared/status.js';
import { hostPort, parseStatusCommandLine, STATUS_USAGE } from '../../shared/status-args.js';
import { commandName, usageError } from '../../shared/usage-error.js';
import { agentPortDefault } from './agent-port.js';
import { fetchStatus } from './fetch-status.js';

const TIMEOUT_MS = 5000;

export async function statusCommand(argv: readonly string[], invokedAs = 'zk-watcher'): Promise<number> {
  const program = commandName(invokedAs);
  const parsed = parseStatusCommandLine(argv, agentPortDefault());
  if (parsed.kind === 'help') {
    process.stdout.write(STATUS_USAGE + '\n');
    return 0;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(usageError(invokedAs, 'status', parsed.message));
    return 2;
  }
  const { port, address, json } = parsed.options;
  const where = hostPort(address, port);
  let body: string;
  try {
    body = await fetchStatus(address, port, TIMEOUT_MS);
  } catch (e) {
    process.stderr.write(`${program} status: no agent answers at ${where}: ${(e as Error).message}\n`);
    return 1;
  }
  const doc = parseStatusDocument(body);
  if (typeof doc === 'string') {
    process.stderr.write(`${program} status: ${where}: ${doc}\n`);
    return 1;
  }
  process.stdout.write(json ? JSON.stringify(doc, null, 2) + '\n' : statusTable(doc, Date.now()));
  const verdict = statusVerdict(doc);
  // On stderr: the table (or the JSON) on stdout stays what it was, for whatever reads it.
  if (verdict.problem !== null) process.stderr.write(`${program} status: ${verdict.problem}\n`);
  return verdict.code;
}
