// Maintenance: an operator takes the whole host, or one service, out of the registry
// without stopping the agent, by creating a file in the maintenance directory.
// A file may say why (and who, and when): its text is the note. Pure: the directory's
// file names and texts in, decisions out.

/** The file name that takes every service of this host out of the registry. */
export const HOST_MAINTENANCE_FILE = 'all';

export interface MaintenanceState {
  /** DIR/all exists. */
  readonly host: boolean;
  /** The services named by a file DIR/<service>. */
  readonly services: ReadonlySet<string>;
  /** What each file says, by file name (`all` included); absent where only names were read. */
  readonly notes?: ReadonlyMap<string, MaintenanceNote>;
}

export const NO_MAINTENANCE: MaintenanceState = { host: false, services: new Set() };

/** The directory's file names -> what is in maintenance. Dot files (editors' and rsync's temporaries) are ignored. */
export function maintenanceFromNames(names: Iterable<string>): MaintenanceState {
  let host = false;
  const services = new Set<string>();
  for (const name of names) {
    if (name.startsWith('.')) continue;
    if (name === HOST_MAINTENANCE_FILE) host = true;
    else services.add(name);
  }
  return { host, services };
}

export function inMaintenance(state: MaintenanceState, service: string): boolean {
  return state.host || state.services.has(service);
}

/** The one rule for whether a service's node should exist. */
export function wantRegistered(healthy: boolean | null, maintenance: boolean): boolean {
  return healthy === true && !maintenance;
}

export function sameMaintenance(a: MaintenanceState, b: MaintenanceState): boolean {
  if (a.host !== b.host || a.services.size !== b.services.size) return false;
  for (const s of a.services) if (!b.services.has(s)) return false;
  // A changed reason is a change too: /status, the log and STATUS= show it.
  const names = new Set([...(a.notes?.keys() ?? []), ...(b.notes?.keys() ?? [])]);
  for (const n of names) if (!sameNote(a.notes?.get(n), b.notes?.get(n))) return false;
  return true;
}

/** What a flag file says: why, who and when (all operator text; none of it secret). */
export interface MaintenanceNote {
  /** '' when the file gives none (an empty file made with touch). */
  readonly reason: string;
  readonly by: string | null;
  /** ISO time, as `maint on` wrote it. */
  readonly at: string | null;
}

/** Longest reason kept: it goes into log lines, /status and systemd's one STATUS= line. */
export const MAX_REASON_LENGTH = 200;
const MAX_FIELD_LENGTH = 64;
/** How much of a flag file is read: a reason is a line, not a document. */
export const MAX_NOTE_BYTES = 4096;

export const NO_NOTE: MaintenanceNote = { reason: '', by: null, at: null };

/** Control characters (newlines, escapes) become spaces and runs of blanks one space, cut to `max` characters. */
export function cleanText(text: string, max: number): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= max ? flat : chars.slice(0, max - 1).join('').trimEnd() + '…';
}

/** The file `maint on` writes: key lines a person can read with cat. */
export function formatMaintenanceNote(reason: string, by: string | null, at: Date): string {
  const lines = [`reason: ${cleanText(reason, MAX_REASON_LENGTH)}`];
  if (by !== null && cleanText(by, MAX_FIELD_LENGTH) !== '') lines.push(`by: ${cleanText(by, MAX_FIELD_LENGTH)}`);
  lines.push(`at: ${at.toISOString()}`);
  return lines.join('\n') + '\n';
}

/**
 * A flag file's text -> its note. `reason:`, `by:` and `at:` lines as `maint on` writes them;
 * any other text (`echo "kernel upgrade" > DIR/web`) is the reason.
 */
export function parseMaintenanceNote(text: string): MaintenanceNote {
  let reason: string | null = null;
  let by: string | null = null;
  let at: string | null = null;
  const free: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^(reason|by|at):(.*)$/.exec(line.trim());
    if (m === null) free.push(line);
    else if (m[1] === 'reason') reason = m[2]!;
    else if (m[1] === 'by') by = m[2]!;
    else at = m[2]!;
  }
  const field = (v: string | null): string | null => (v === null || cleanText(v, MAX_FIELD_LENGTH) === '' ? null : cleanText(v, MAX_FIELD_LENGTH));
  return { reason: cleanText(reason ?? free.join(' '), MAX_REASON_LENGTH), by: field(by), at: field(at) };
}

/** The directory's files (name, and its text when it was read) -> what is in maintenance and why. */
export function maintenanceFromFiles(files: Iterable<readonly [name: string, text: string | null]>): MaintenanceState {
  const list = [...files].filter(([name]) => !name.startsWith('.'));
  const notes = new Map<string, MaintenanceNote>();
  for (const [name, text] of list) notes.set(name, text === null ? NO_NOTE : parseMaintenanceNote(text));
  return { ...maintenanceFromNames(list.map(([name]) => name)), notes };
}

/** Why a service is out of the registry: its own file's note, else the host's; null when it is not. */
export function maintenanceNoteOf(state: MaintenanceState, service: string): MaintenanceNote | null {
  if (state.services.has(service)) return state.notes?.get(service) ?? NO_NOTE;
  if (state.host) return state.notes?.get(HOST_MAINTENANCE_FILE) ?? NO_NOTE;
  return null;
}

/** The host's note (DIR/all), or null when the host is not in maintenance. */
export function hostMaintenanceNote(state: MaintenanceState): MaintenanceNote | null {
  return state.host ? (state.notes?.get(HOST_MAINTENANCE_FILE) ?? NO_NOTE) : null;
}

/** e.g. "deploy 42 (by alice, 2026-12-04T12:30:00.000Z)"; "no reason given" for an empty file. */
export function describeNote(note: MaintenanceNote): string {
  const who = [note.by === null ? null : `by ${note.by}`, note.at].filter((x) => x !== null).join(', ');
  const why = note.reason === '' ? 'no reason given' : note.reason;
  return who === '' ? why : `${why} (${who})`;
}

function sameNote(a: MaintenanceNote | undefined, b: MaintenanceNote | undefined): boolean {
  return a?.reason === b?.reason && a?.by === b?.by && a?.at === b?.at;
}
