// The image's tools, driven as an operator would: `podman build` of the real Dockerfile,
// and its result run with buildah (`podman run` cannot set rlimits on this machine; buildah's
// chroot isolation can run it). Every container runs in the host's network, as the test's
// ZooKeeper listens on its loopback.

import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { childrenOf } from '../support/processes.js';

export interface ImageConfig {
  readonly entrypoint: readonly string[];
  readonly user: string;
  readonly workingDir: string;
  /** NAME=value, as the image sets them (PATH, NODE_ENV, ...). */
  readonly env: readonly string[];
  /** Docker's HEALTHCHECK as stored: ['CMD-SHELL', 'script'] or ['CMD', argv...]. */
  readonly healthcheck: readonly string[];
  readonly healthInterval: number;
}

export interface BuildOptions {
  readonly contextDir: string;
  readonly tag: string;
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly logFile: string;
}

/** podman build, niced (the machine is shared); resolves with its exit code. Asynchronous: the caller may serve the build meanwhile. */
export function podmanBuild(o: BuildOptions): Promise<number | null> {
  const args = ['-n', '10', 'podman', 'build', '--isolation', 'chroot', '--network', 'host', '--format', 'docker', '--layers=false', '--tag', o.tag];
  for (const [k, v] of Object.entries(o.buildArgs)) args.push('--build-arg', `${k}=${v}`);
  args.push(o.contextDir);
  const log = createWriteStream(o.logFile);
  const child = spawn('nice', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  return new Promise((resolve) => child.on('close', (code) => log.end(() => resolve(code))));
}

export function imageConfig(tag: string): ImageConfig {
  const out = spawnSync('podman', ['image', 'inspect', tag], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`podman image inspect ${tag}: ${out.stderr}`);
  const [img] = JSON.parse(out.stdout) as Array<{ Config: { Entrypoint?: string[]; User?: string; WorkingDir?: string; Env?: string[] }; HealthCheck?: { Test?: string[]; Interval?: number }; Healthcheck?: { Test?: string[]; Interval?: number } }>;
  const health = img!.HealthCheck ?? img!.Healthcheck ?? {};
  return {
    entrypoint: img!.Config.Entrypoint ?? [],
    user: img!.Config.User ?? '',
    workingDir: img!.Config.WorkingDir ?? '/',
    env: img!.Config.Env ?? [],
    healthcheck: health.Test ?? [],
    healthInterval: health.Interval ?? 0,
  };
}

export function removeImage(tag: string): void {
  spawnSync('podman', ['image', 'rm', '--force', tag], { stdio: 'ignore' });
}

/** A working container of the image (buildah from); removed with remove(). */
export class WorkingContainer {
  private constructor(readonly name: string) {}

  static create(image: string, name: string): WorkingContainer {
    spawnSync('buildah', ['rm', name], { stdio: 'ignore' });
    const out = spawnSync('buildah', ['from', '--pull=never', '--name', name, image], { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`buildah from ${image}: ${out.stderr}`);
    return new WorkingContainer(name);
  }

  private runArgs(opts: RunOptions): string[] {
    const args = ['run', '--isolation', 'chroot', '--network', 'host'];
    for (const [k, v] of Object.entries(opts.env ?? {})) args.push('--env', `${k}=${v}`);
    for (const v of opts.volumes ?? []) args.push('--volume', v);
    args.push(this.name, '--');
    return args;
  }

  /** Runs argv inside to the end: its exit code and output. */
  run(argv: readonly string[], opts: RunOptions = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn('buildah', [...this.runArgs(opts), ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  }

  /** Starts argv inside and returns at once; its output goes to logFile. */
  start(argv: readonly string[], logFile: string, opts: RunOptions = {}): Running {
    const log = createWriteStream(logFile);
    const child = spawn('buildah', [...this.runArgs(opts), ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => log.end(() => resolve(code))));
    return { launcherPid: child.pid!, exited, logFile };
  }

  /** Its root file system on this host (buildah mount); unmount() when done. */
  mount(): string {
    const out = spawnSync('buildah', ['mount', this.name], { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`buildah mount ${this.name}: ${out.stderr}`);
    return out.stdout.trim();
  }

  unmount(): void {
    spawnSync('buildah', ['umount', this.name], { stdio: 'ignore' });
  }

  remove(): void {
    spawnSync('buildah', ['rm', this.name], { stdio: 'ignore' });
  }
}

/**
 * The image's entrypoint as `docker run` starts it, PID 1 of a PID namespace of its own,
 * which buildah's chroot isolation cannot give (it shares this host's): unshare on the
 * container's mounted root, as the image's user, with only the image's and `env`'s
 * variables, in its working directory, in this host's network.
 */
export function startAsPid1(root: string, config: ImageConfig, env: Readonly<Record<string, string>>, logFile: string): Running {
  const vars = [...config.env, ...Object.entries(env).map(([k, v]) => `${k}=${v}`)];
  const user = config.user === '' ? 'root' : config.user;
  const argv = [
    '--pid', '--fork', '--mount-proc', `--root=${root}`, `--wd=${config.workingDir}`,
    'setpriv', `--reuid=${user}`, `--regid=${user}`, '--init-groups', '--',
    '/usr/bin/env', '-i', ...vars, ...config.entrypoint,
  ];
  const log = createWriteStream(logFile);
  const child = spawn('unshare', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => log.end(() => resolve(code))));
  return { launcherPid: child.pid!, exited, logFile };
}

export interface RunOptions {
  readonly env?: Readonly<Record<string, string>>;
  /** host:container[:options] */
  readonly volumes?: readonly string[];
}

export interface Running {
  /** The pid of what this host started (buildah run, or unshare), the agent's ancestor. */
  readonly launcherPid: number;
  /** Its exit code, which is the command's. */
  readonly exited: Promise<number | null>;
  readonly logFile: string;
}

/** The pids (on this host) of `root`'s descendants that run `program` (argv[0]'s last part) with every one of `words` among their arguments. */
export function descendantsMatching(root: number, program: string, words: readonly string[]): number[] {
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    let kids: number[] = [];
    try {
      kids = childrenOf(pid);
    } catch {
      continue;
    }
    for (const kid of kids) {
      queue.push(kid);
      try {
        const argv = readFileSync(`/proc/${kid}/cmdline`, 'utf8').split('\0');
        if (argv[0]?.split('/').pop() === program && words.every((w) => argv.includes(w))) found.push(kid);
      } catch {
        // gone meanwhile
      }
    }
  }
  return found;
}

/** "NSpid: 4242 1" -> [4242, 1]: the pid in each PID namespace it is in, outermost first. */
export function nsPids(pid: number): number[] {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('NSpid:'));
  return line === undefined ? [] : line.slice('NSpid:'.length).trim().split(/\s+/).map(Number);
}

/** Its real uid, from /proc. */
export function uidOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('Uid:'));
  return Number(line?.split(/\s+/)[1]);
}
