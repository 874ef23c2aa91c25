// `npm run example`: the agent on test/fixtures/example.cfg, against a local ZooKeeper
// started for the purpose unless -s/--server names one. Extra flags pass through.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CLI } from './agent.js';
import { startZooKeeper, stopAll } from './zookeeper.js';

const EXAMPLE = fileURLToPath(new URL('../../../test/fixtures/example.cfg', import.meta.url));

async function main(argv: string[]): Promise<number> {
  const hasServer = argv.some((a) => a === '-s' || a === '--server' || a.startsWith('--server=') || /^-s./.test(a));
  const hasConfig = argv.some((a) => a === '-c' || a === '--config' || a.startsWith('--config=') || /^-c./.test(a));
  const args = [...(hasConfig ? [] : ['-c', EXAMPLE]), ...argv];
  if (!hasServer) {
    process.stderr.write('starting a local ZooKeeper (Debian zookeeper package) on a free loopback port...\n');
    const zk = await startZooKeeper();
    process.stderr.write(`ZooKeeper is at ${zk.connectString} (data in ${zk.dataDir}); Ctrl-C stops the agent, then it.\n`);
    args.push('-s', zk.connectString);
  }
  process.stderr.write(`running: zk-watcher ${args.join(' ')}\n`);
  // Its own process group: a terminal's Ctrl-C reaches the agent once, through us, and the
  // ZooKeeper it registers in stays up until it has deregistered and exited.
  const agent = spawn(process.execPath, [CLI, ...args], { stdio: 'inherit', detached: true });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(sig);
    process.on(sig, () => agent.kill(sig));
  }
  const code = await new Promise<number>((resolve) => agent.on('exit', (c, s) => resolve(c ?? (s ? 128 : 1))));
  await stopAll();
  return code;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`example: ${(e as Error).message}\n`);
    void stopAll().finally(() => process.exit(1));
  },
);
