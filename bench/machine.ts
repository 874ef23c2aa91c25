// What the figures were measured on: the machine, Node, and the code under test.

import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus, release, totalmem } from 'node:os';

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly node: string;
  /** `git describe` of the checkout measured, if it is one */
  readonly zkWatcher: string;
}

export function machineInfo(): MachineInfo {
  const git = spawnSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8' });
  return {
    cpuModel: cpus()[0]?.model.trim() ?? '?',
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: `Linux ${release()}`,
    node: process.version,
    zkWatcher: git.status === 0 ? git.stdout.trim() : '?',
  };
}

export function describeMachine(m: MachineInfo, zookeeper: string | undefined, date: Date): string {
  const zk = zookeeper ? `, ZooKeeper ${zookeeper.split(/[-,\s]/)[0]}` : '';
  return `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}${zk}, zk-watcher ${m.zkWatcher}, ${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
