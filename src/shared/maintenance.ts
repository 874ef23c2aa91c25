// Maintenance: an operator takes the whole host, or one service, out of the registry
// without stopping the agent, by creating a file in the maintenance directory.
// Pure: the directory's file names in, decisions out.

/** The file name that takes every service of this host out of the registry. */
export const HOST_MAINTENANCE_FILE = 'all';

export interface MaintenanceState {
  /** DIR/all exists. */
  readonly host: boolean;
  /** The services named by a file DIR/<service>. */
  readonly services: ReadonlySet<string>;
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
  return true;
}
