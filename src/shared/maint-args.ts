// `zk-watcher maint`: its command line, which flag file a target is, and what the listing
// says. Pure: argv, names and notes in, options and text out.

import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG } from './args.js';
import { cleanText, describeNote, HOST_MAINTENANCE_FILE, MAX_REASON_LENGTH, type MaintenanceNote } from './maintenance.js';
import { DEFAULT_MAINTENANCE_DIR } from './status-args.js';
import { nearest } from './suggest.js';

export type MaintAction = 'on' | 'off' | 'show';

export interface MaintOptions {
  readonly action: MaintAction;
  /** The service, or null for the whole host (the file `all`). */
  readonly service: string | null;
  readonly reason: string;
  readonly maintenanceDir: string;
  readonly configPaths: readonly string[];
}

export const MAINT_USAGE = `Usage: zk-watcher maint [on|off] [SERVICE] [--reason TEXT] [--maintenance-dir DIR] [-c FILE]

Takes the whole host, or one service, out of the registry (on) or puts it back (off) by
writing or removing the flag file the running agent reads each second. The agent keeps
running the checks; /status, the log and systemd's status say why. Without on or off:
shows what is in maintenance and why.

  on [SERVICE]             DIR/SERVICE, or DIR/all without SERVICE (the whole host)
  off [SERVICE]            remove it
      --reason TEXT        why, with who (the user, $SUDO_USER first) and when; shown
                           by the agent (up to ${MAX_REASON_LENGTH} characters, on one line)
      --maintenance-dir DIR
                           the agent's --maintenance-dir (default ${DEFAULT_MAINTENANCE_DIR})
  -c, --config FILE        the agent's config (default ${DEFAULT_CONFIG}; repeat for more):
                           SERVICE must be one of its sections, when it can be read
  -h, --help               print this help and exit

Exit codes: 0 done (also: off for something that was not in maintenance); 1 the flag file
could not be written or removed; 2 bad command line, or SERVICE is not in the config.`;

export type ParsedMaint = { readonly kind: 'run'; readonly options: MaintOptions } | { readonly kind: 'help' } | { readonly kind: 'error'; readonly message: string };

export function parseMaintCommandLine(argv: readonly string[]): ParsedMaint {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        reason: { type: 'string' },
        'maintenance-dir': { type: 'string' },
        config: { type: 'string', short: 'c', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    return { kind: 'error', message: (e as Error).message };
  }
  const v = parsed.values;
  if (v.help === true) return { kind: 'help' };
  const [word, target, ...extra] = parsed.positionals;
  if (word !== undefined && word !== 'on' && word !== 'off') return { kind: 'error', message: `'${word}' is not on or off` };
  if (extra.length > 0) return { kind: 'error', message: `one SERVICE at a time; '${extra.join(' ')}' is too much` };
  const action: MaintAction = word ?? 'show';
  if (action === 'show' && target !== undefined) return { kind: 'error', message: 'a SERVICE goes after on or off' };
  if (v.reason !== undefined && action !== 'on') return { kind: 'error', message: '--reason goes with on' };
  const service = target === undefined || target === HOST_MAINTENANCE_FILE ? null : target;
  if (service !== null) {
    const bad = serviceNameProblem(service);
    if (bad !== null) return { kind: 'error', message: bad };
  }
  const maintenanceDir = v['maintenance-dir'] ?? DEFAULT_MAINTENANCE_DIR;
  if (maintenanceDir === '') return { kind: 'error', message: '--maintenance-dir is empty' };
  const configPaths = v.config ?? [DEFAULT_CONFIG];
  return { kind: 'run', options: { action, service, reason: cleanText(v.reason ?? '', MAX_REASON_LENGTH), maintenanceDir, configPaths } };
}

/** A name that cannot be a flag file in the directory, or one the agent would not read. */
function serviceNameProblem(name: string): string | null {
  if (name === '') return 'SERVICE is empty';
  if (name.includes('/') || name.includes('\0')) return `'${name}' cannot be a file name in the maintenance directory`;
  if (name.startsWith('.')) return `'${name}' starts with a dot: the agent ignores dot files`;
  return null;
}

/** The flag file's name: the service's, or `all` for the whole host. */
export function flagFileName(service: string | null): string {
  return service ?? HOST_MAINTENANCE_FILE;
}

/** SERVICE checked against the config's sections: null when known, else an error naming the known ones. */
export function unknownServiceProblem(service: string, known: readonly string[], configPaths: readonly string[]): string | null {
  if (known.includes(service)) return null;
  const guess = nearest(service, known);
  const list = known.length === 0 ? 'it has no services' : `its services: ${known.join(', ')}`;
  return `no service '${service}' in ${configPaths.join(', ')}${guess === null ? '' : ` (did you mean '${guess}'?)`}; ${list}`;
}

/**
 * What `maint` alone prints: a line per flag file, the host's first. `known`: the config's
 * services (null when it could not be read), so a hand-made file with a typo shows as one.
 */
export function maintenanceListing(dir: string, files: readonly { readonly name: string; readonly note: MaintenanceNote }[], known: readonly string[] | null): string {
  const flags = files.filter((f) => !f.name.startsWith('.'));
  if (flags.length === 0) return `nothing is in maintenance (${dir} has no flag files)\n`;
  const sorted = [...flags].sort((a, b) => (a.name === HOST_MAINTENANCE_FILE ? -1 : b.name === HOST_MAINTENANCE_FILE ? 1 : a.name.localeCompare(b.name)));
  const lines = sorted.map((f) => {
    const what = f.name === HOST_MAINTENANCE_FILE ? 'the whole host' : f.name;
    const stray = f.name !== HOST_MAINTENANCE_FILE && known !== null && !known.includes(f.name) ? ' [not a service of the config: no effect]' : '';
    return `${what}: ${describeNote(f.note)}${stray}`;
  });
  return `in maintenance (${dir}):\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
}
