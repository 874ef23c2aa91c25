// A bad command line, said so that the error stays on screen: the error, then one line
// saying where the help is (the whole usage after it scrolled the error away).

/** The name to show: one of the two we are installed as (run as dist/main/cli.js, zk-watcher). */
export function commandName(program: string): string {
  return program === 'zk_watcher' ? 'zk_watcher' : 'zk-watcher';
}

/** `command`: the subcommand (status, check, ...) or null for the daemon's own command line. */
export function usageError(program: string, command: string | null, message: string): string {
  const name = command === null ? commandName(program) : `${commandName(program)} ${command}`;
  return `${name}: ${message}\nTry '${name} --help' for more information.\n`;
}
