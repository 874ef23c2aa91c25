// Small helpers for a bench's agent process: start it as an operator's unit does, wait
// while it must stay up, stop it for sure.

import { CLI, startInstalled, type Agent } from '../../test/support/agent.js';

/** The agent run as its executable (`zk-watcher`), so with the node flags of its #! line, as systemd runs it. */
export function startBenchAgent(args: string[]): Agent {
  return startInstalled(CLI, args);
}

/** Sleeps `ms`; throws with the agent's stderr tail if it exits meanwhile. */
export async function whileRunning(agent: Agent, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const slept = new Promise<'slept'>((r) => {
    timer = setTimeout(() => r('slept'), ms);
  });
  const outcome = await Promise.race([slept, agent.exited]);
  clearTimeout(timer);
  if (outcome !== 'slept') throw new Error(`${what}: the agent exited (${outcome}) while it should be running; its stderr: ${agent.stderr().trim().slice(-1500) || '(empty)'}`);
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`; resolves with the exit code or signal. */
export async function stopAgent(agent: Agent, graceMs = 20_000): Promise<number | string> {
  agent.signal('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => {
    timer = setTimeout(() => r('late'), graceMs);
  });
  const outcome = await Promise.race([agent.exited, late]);
  clearTimeout(timer);
  if (outcome !== 'late') return outcome;
  agent.signal('SIGKILL');
  return agent.exited;
}
