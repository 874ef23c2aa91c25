// CPU and memory of processes and their descendants, read from /proc, as top would show them.

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const PAGE_BYTES = pageSize();

function pageSize(): number {
  const n = Number(spawnSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).stdout?.trim());
  return Number.isInteger(n) && n > 0 ? n : 4096;
}

/** One process from /proc/<pid>/stat. CPU in seconds, memory in bytes. */
export interface ProcInfo {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime: this process's own CPU */
  readonly cpu: number;
  /** cutime + cstime: CPU of its children that it has waited for (and of theirs) */
  readonly childrenCpu: number;
  readonly rssBytes: number;
  /** R, S, D, Z (exited, not yet waited for), ... */
  readonly state: string;
}

function parseStat(pid: number, stat: string): ProcInfo {
  // "pid (comm) S ppid ...": fields after the last ')'; fields[i] is field i+3 of man 5 proc.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const f = fields.map(Number);
  return { pid, ppid: f[1]!, cpu: (f[11]! + f[12]!) / TICKS_PER_SECOND, childrenCpu: (f[13]! + f[14]!) / TICKS_PER_SECOND, rssBytes: f[21]! * PAGE_BYTES, state: fields[0]! };
}

/** utime + stime of one thread of `pid` (the main thread's id is the process's), in seconds. */
export function threadCpuSeconds(pid: number, tid: number = pid): number {
  try {
    return parseStat(tid, readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')).cpu;
  } catch {
    return NaN; // gone
  }
}

export function procInfo(pid: number): ProcInfo | undefined {
  try {
    return parseStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // gone
  }
}

/** Every process on the machine, by pid (one scan of /proc). */
export function processTable(): Map<number, ProcInfo> {
  const table = new Map<number, ProcInfo>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const info = procInfo(pid);
    if (info) table.set(pid, info);
  }
  return table;
}

/**
 * CPU and memory of `root` and everything below it, in one snapshot. Take two and
 * subtract (treeDelta) for a rate. A short-lived child's CPU moves into its parent's
 * childrenCpu when it is reaped, so `tree` keeps counting it after it has gone.
 */
export interface TreeSample {
  readonly at: number;
  /** the root process alone (utime+stime) */
  readonly root: number;
  /** the root and its live descendants, each its own utime+stime: the agent without the checks it reaped */
  readonly own: number;
  /** `own` plus what every live process has reaped: the agent with all its checks */
  readonly tree: number;
  readonly rootRssBytes: number;
  readonly treeRssBytes: number;
  readonly processes: number;
  /** processes below the root that exited and are not waited for yet */
  readonly zombies: number;
}

export function sampleTree(root: number, table: Map<number, ProcInfo> = processTable()): TreeSample {
  const children = new Map<number, number[]>();
  for (const p of table.values()) {
    const list = children.get(p.ppid);
    if (list) list.push(p.pid);
    else children.set(p.ppid, [p.pid]);
  }
  let own = 0;
  let tree = 0;
  let rss = 0;
  let processes = 0;
  let zombies = 0;
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    const p = table.get(pid);
    if (!p) continue;
    processes++;
    if (p.state === 'Z') zombies++;
    own += p.cpu;
    tree += p.cpu + p.childrenCpu;
    rss += p.rssBytes;
    stack.push(...(children.get(pid) ?? []));
  }
  const r = table.get(root);
  return { at: performance.now(), root: r?.cpu ?? NaN, own, tree, rootRssBytes: r?.rssBytes ?? NaN, treeRssBytes: rss, processes, zombies };
}

/** `root` and its live descendants. */
export function treePids(root: number, table: Map<number, ProcInfo> = processTable()): number[] {
  const children = new Map<number, number[]>();
  for (const p of table.values()) {
    const list = children.get(p.ppid);
    if (list) list.push(p.pid);
    else children.set(p.ppid, [p.pid]);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (!table.has(pid)) continue;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Context switches of every thread of `pid` (a thread that sleeps and wakes switches once). */
export function contextSwitches(pid: number): number {
  let n = 0;
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0; // gone
  }
  for (const tid of tasks) {
    try {
      const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      n += Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1] ?? 0) + Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      // a thread that ended between the listing and the read
    }
  }
  return n;
}

/** CPU between two samples, in % of one core. */
export function cpuPercent(a: TreeSample, b: TreeSample, which: 'root' | 'own' | 'tree'): number {
  return ((b[which] - a[which]) / ((b.at - a.at) / 1000)) * 100;
}

/** CPU seconds of the process itself (utime+stime). */
export function cpuSeconds(pid: number): number {
  return procInfo(pid)?.cpu ?? NaN;
}

export function rssMegabytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

export interface Memory {
  readonly rssMb: number;
  readonly anonMb: number;
  /** proportional set size: shared pages divided among the processes that map them */
  readonly pssMb: number;
}

export function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (text: string, key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(text)?.[1] ?? NaN);
  let pss = NaN;
  try {
    pss = kb(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss');
  } catch {
    // a kernel without smaps_rollup
  }
  return { rssMb: kb(status, 'VmRSS') / 1024, anonMb: kb(status, 'RssAnon') / 1024, pssMb: pss / 1024 };
}

export function threadCount(pid: number): number {
  return Number(/Threads:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
}

export const MB = 1024 * 1024;

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
