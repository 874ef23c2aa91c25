// The environment a check starts with: the agent's, minus what is the agent's alone.
// A check must not be able to speak for the agent to systemd (notify socket, watchdog),
// take over its sockets, or read its credentials (where a unit's LoadCredential= puts
// the [auth] password). Pure: an environment in, an environment out.

/** Variables systemd gives the agent itself (sd_notify, watchdog, socket activation, credentials). */
export const AGENT_ONLY_VARIABLES: readonly string[] = [
  'NOTIFY_SOCKET',
  'WATCHDOG_USEC',
  'WATCHDOG_PID',
  'LISTEN_FDS',
  'LISTEN_PID',
  'LISTEN_FDNAMES',
  'CREDENTIALS_DIRECTORY',
];

export function checkEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !AGENT_ONLY_VARIABLES.includes(k)) out[k] = v;
  return out;
}
