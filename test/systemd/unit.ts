// zk-watcher.service inside the container: installed the way README "Running under systemd"
// says, and read back through systemctl and journalctl as an operator would.

import type { Container, ExecResult } from './container.js';

export const UNIT = 'zk-watcher';
/** Where the container sees this repository (README: git clone ... /opt/zk-watcher). */
export const REPO_INSIDE = '/opt/zk-watcher';
export const CONFIG_FILE = '/etc/zk/config.cfg';

/** Fails with everything the command printed, so a broken step explains itself. */
export function check(what: string, r: ExecResult): ExecResult {
  if (r.code !== 0) throw new Error(`${what}: exit ${r.code ?? 'killed at its deadline'}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/**
 * README's install steps, in its order, with ZK_SERVERS pointing at `connectString` and
 * `config` as /etc/zk/config.cfg. The unit is enabled but not started: the scenarios start it.
 */
export async function installUnit(c: Container, connectString: string, config: string): Promise<void> {
  const script = `
    cd ${REPO_INSIDE}
    # README "Installing": the unit runs /usr/bin/zk-watcher, "link it there".
    ln -sf ${REPO_INSIDE}/dist/main/cli.js /usr/bin/zk-watcher
    install -m 644 packaging/zk-watcher.sysusers /usr/lib/sysusers.d/zk-watcher.conf
    systemd-sysusers
    install -m 644 packaging/zk-watcher.service /etc/systemd/system/
    install -m 644 packaging/zk-watcher.default /etc/default/zk-watcher
    install -m 755 packaging/zk-watcher-once /usr/bin/
    sed -i 's|^ZK_SERVERS=.*|ZK_SERVERS=${connectString}|' /etc/default/zk-watcher
    grep -qx 'ZK_SERVERS=${connectString}' /etc/default/zk-watcher
    mkdir -p /etc/zk
    cat > ${CONFIG_FILE}
    chgrp zk-watcher ${CONFIG_FILE} && chmod 640 ${CONFIG_FILE}
    systemctl daemon-reload
    systemctl enable ${UNIT}
    # node on PATH and the link work, before any scenario is judged.
    zk-watcher --version
  `;
  check('installing the unit as README says', await c.sh(script, { input: config }));
}

/** Rewrites the config in place (owner, group and mode stay as installed). */
export async function writeConfig(c: Container, text: string): Promise<void> {
  check(`writing ${CONFIG_FILE}`, await c.sh(`cat > ${CONFIG_FILE}`, { input: text }));
}

export function systemctl(c: Container, args: readonly string[], timeoutMs = 120_000): Promise<ExecResult> {
  return c.exec(['systemctl', '--no-pager', ...args], { timeoutMs });
}

export interface UnitState {
  readonly activeState: string;
  readonly subState: string;
  readonly result: string;
  readonly mainPid: number;
  readonly nRestarts: number;
}

export async function unitState(c: Container): Promise<UnitState> {
  const p = await showProperties(c, ['ActiveState', 'SubState', 'Result', 'MainPID', 'NRestarts']);
  return {
    activeState: p['ActiveState'] ?? '',
    subState: p['SubState'] ?? '',
    result: p['Result'] ?? '',
    mainPid: Number(p['MainPID']),
    nRestarts: Number(p['NRestarts']),
  };
}

export async function showProperties(c: Container, names: readonly string[]): Promise<Record<string, string>> {
  const r = check('systemctl show', await systemctl(c, ['show', UNIT, ...names.map((n) => `--property=${n}`)], 30_000));
  return Object.fromEntries(
    r.stdout
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

const SPAN_UNITS: Record<string, number> = { us: 1e-3, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** systemd's time span as `systemctl show` prints it ("1min 30s", "500ms") in ms; infinity as Infinity. */
export function parseSpan(text: string): number {
  if (text === 'infinity') return Infinity;
  let ms = 0;
  for (const part of text.trim().split(/\s+/)) {
    const m = /^([0-9.]+)(us|ms|s|min|h|d)$/.exec(part);
    if (!m) throw new Error(`cannot read the time span '${text}'`);
    ms += Number(m[1]) * SPAN_UNITS[m[2]!]!;
  }
  return ms;
}

/** A journal position: what is logged after it is what a scenario caused. */
export async function journalCursor(c: Container): Promise<string> {
  const r = check('journalctl --show-cursor', await c.exec(['journalctl', '--no-pager', '-n', '0', '--show-cursor'], { timeoutMs: 30_000 }));
  const m = /^-- cursor: (.+)$/m.exec(r.stdout);
  if (!m) throw new Error(`journalctl printed no cursor: ${r.stdout}`);
  return m[1]!;
}

/** `journalctl -u zk-watcher` (systemd's own lines about the unit and the agent's), after `cursor` if given. */
export async function unitJournal(c: Container, cursor?: string): Promise<string> {
  const args = ['journalctl', '--no-pager', '-o', 'short-precise', '-u', UNIT, ...(cursor ? [`--after-cursor=${cursor}`] : [])];
  return check('journalctl -u', await c.exec(args, { timeoutMs: 30_000 })).stdout;
}

/** The last lines of a text, to put a journal into an assertion message. */
export function tail(text: string, lines = 25): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** What systemd did with the unit, and the agent's watchdog and readiness lines: the story of a failure. */
export function unitEvents(journal: string): string {
  return journal
    .split('\n')
    .filter((l) => l.includes(' systemd[1]: ') || /"event":"(watchdog_\w+|notify_ready|reload_rejected|config_problem|stopped)"/.test(l))
    .join('\n');
}
