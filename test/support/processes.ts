// Process facts for tests, from /proc: is a pid gone (a zombie waiting for init counts as
// gone), its state, its children, and who shares its PID namespace.

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    // "pid (comm) S ...": the state letter follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** The pids (as this process sees them) of every process in the PID namespace that `pid` is in. */
export function pidNamespaceMembers(pid: number): number[] {
  const ns = readlinkSync(`/proc/${pid}/ns/pid`);
  const members: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    try {
      if (readlinkSync(`/proc/${name}/ns/pid`) === ns) members.push(Number(name));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return members;
}

/** Its state letter (R, S, Z, ...), or null once it is gone. */
export function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

/** The direct children of `pid` (all its threads'). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
    if (text !== '') out.push(...text.split(/\s+/).map(Number));
  }
  return out;
}
