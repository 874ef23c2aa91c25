// `zk-watcher maint on|off [SERVICE]`: writes and removes the maintenance flag files the
// running agent reads each second (maintenance-watcher.ts); `maint` alone lists them.
// Exit codes: 0 done; 1 the flag file could not be written or removed; 2 bad command line,
// or SERVICE is not in the config.

import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { flagFileName, MAINT_USAGE, maintenanceListing, parseMaintCommandLine, unknownServiceProblem, type MaintOptions } from '../../shared/maint-args.js';
import { usageError } from '../../shared/usage-error.js';
import { describeNote, formatMaintenanceNote, NO_NOTE, parseMaintenanceNote, type MaintenanceNote } from '../../shared/maintenance.js';
import { readFlagText } from '../ops/maintenance-watcher.js';
import { loadConfig } from './config-files.js';

export async function maintCommand(argv: readonly string[], program = 'zk-watcher'): Promise<number> {
  const parsed = parseMaintCommandLine(argv);
  if (parsed.kind === 'help') {
    process.stdout.write(MAINT_USAGE + '\n');
    return 0;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(usageError(program, 'maint', parsed.message));
    return 2;
  }
  const options = parsed.options;
  const known = await knownServices(options);
  if (options.action === 'show') {
    try {
      process.stdout.write(maintenanceListing(options.maintenanceDir, readFlags(options.maintenanceDir), known));
      return 0;
    } catch (e) {
      process.stderr.write(`zk-watcher maint: cannot read ${options.maintenanceDir}: ${errnoText(e)}\n`);
      return 1;
    }
  }
  // `off` for a flag file that is there is always allowed: a section removed from the config may leave one behind.
  const leftBehind = options.action === 'off' && options.service !== null && existsSync(join(options.maintenanceDir, options.service));
  if (options.service !== null && known !== null && !leftBehind) {
    const problem = unknownServiceProblem(options.service, known, options.configPaths);
    if (problem !== null) {
      process.stderr.write(`zk-watcher maint: ${problem}\n`);
      return 2;
    }
  }
  try {
    return options.action === 'on' ? turnOn(options) : turnOff(options);
  } catch (e) {
    process.stderr.write(`zk-watcher maint: ${(e as Error).message}\n`);
    return 1;
  }
}

/** The config's service names, or null when it cannot be read or has errors (then SERVICE is not checked, and we say so). */
async function knownServices(options: MaintOptions): Promise<string[] | null> {
  const { config, problems } = await loadConfig(options.configPaths);
  if (config !== null && !problems.some((p) => p.severity === 'error')) return config.services.map((s) => s.name);
  if (options.service !== null) {
    const first = problems.find((p) => p.severity === 'error');
    process.stderr.write(`zk-watcher maint: warning: the config cannot be used (${first === undefined ? 'errors' : `${first.file}${first.line > 0 ? `:${first.line}` : ''}: ${first.message}`}); '${options.service}' is not checked against it\n`);
  }
  return null;
}

function turnOn(options: MaintOptions): number {
  const name = flagFileName(options.service);
  const dir = options.maintenanceDir;
  const text = formatMaintenanceNote(options.reason, whoAmI(), new Date());
  try {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    // Written whole under a dot name, then renamed: the agent ignores dot files, so it never reads half a reason.
    const temp = join(dir, `.${name}.${process.pid}.tmp`);
    try {
      writeFileSync(temp, text, { mode: 0o644 });
      renameSync(temp, join(dir, name));
    } finally {
      rmSync(temp, { force: true });
    }
  } catch (e) {
    throw new Error(`cannot write ${join(dir, name)}: ${errnoText(e)}`);
  }
  const what = options.service === null ? 'the whole host is' : `${options.service} is`;
  process.stdout.write(`${what} in maintenance: ${describeNote(parseMaintenanceNote(text))}\nthe agent takes ${options.service === null ? 'every node' : 'its node'} out of ZooKeeper within a second (${join(dir, name)})\n`);
  return 0;
}

function turnOff(options: MaintOptions): number {
  const path = join(options.maintenanceDir, flagFileName(options.service));
  const what = options.service === null ? 'the whole host' : options.service;
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot remove ${path}: ${errnoText(e)}`);
    process.stdout.write(`${what} was not in maintenance (no ${path})\n`);
    return 0;
  }
  process.stdout.write(`${what}: maintenance off; registration follows health again within a second\n`);
  return 0;
}

function noteOf(text: string | null): MaintenanceNote {
  return text === null ? NO_NOTE : parseMaintenanceNote(text);
}

/** The flag files and their notes; none when the directory does not exist. */
function readFlags(dir: string): { name: string; note: MaintenanceNote }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names.filter((n) => !n.startsWith('.')).map((name) => ({ name, note: noteOf(readFlagText(join(dir, name))) }));
}

/** Who turned it on: the person behind sudo, else the user we run as. */
function whoAmI(): string | null {
  const sudo = process.env['SUDO_USER'];
  if (sudo !== undefined && sudo !== '') return sudo;
  try {
    return userInfo().username;
  } catch {
    return process.env['USER'] ?? null;
  }
}

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied (run it as root or as the agent\'s user)';
  if (code === 'ENOTDIR') return 'the maintenance directory is not a directory';
  return (e as Error).message;
}
