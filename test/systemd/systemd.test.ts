// zk-watcher.service under a real systemd 252: a Debian bookworm container booted with
// systemd-nspawn, the unit installed as README "Running under systemd" says, and a real
// ZooKeeper on this machine's loopback (the container shares its network). Each scenario
// drives systemctl inside and judges from outside, through an independent ZooKeeper
// client, and from inside, through systemctl and journalctl.
//
// Run by `npm run test:systemd` (test/systemd/run.sh), which builds the root file system
// and passes it in ZKW_SYSTEMD_ROOT; `npm test` does not run this file.

import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../support/wait.js';
import { startZooKeeper, stopAll, type ZkServer } from '../support/zookeeper.js';
import { bootContainer, type Container } from './container.js';
import { allRegistered, Observer, type NodeView } from './observer.js';
import { sampleFor } from './sample.js';
import { brokenConfig, goodConfig, HEALTHY_NODES, HOSTNAME, nodeOf, pathOf, SERVICES, UNHEALTHY_NODES } from './services.js';
import { check, CONFIG_FILE, installUnit, journalCursor, parseSpan, REPO_INSIDE, showProperties, systemctl, tail, unitEvents, unitJournal, unitState, writeConfig, UNIT, type UnitState } from './unit.js';

const ROOT = process.env['ZKW_SYSTEMD_ROOT'];
// build/test/systemd/ -> the repository
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const JOURNAL_COPY = join(REPO, '.cache', 'systemd-test', 'journal.log');
/** How long ZooKeeper stays down in (b): well past the 10 s session timeout and the 30 s watchdog. */
const OUTAGE_MS = 90_000;
/** Registration after ZooKeeper (re)starts: the agent backs off while it is down, and the machine is slow. */
const REGISTER_DEADLINE_MS = 120_000;

let zk: ZkServer | undefined;
let container: Container | undefined;
let observer: Observer | undefined;

const started = <T>(v: T | undefined, what: string): T => {
  if (v === undefined) throw new Error(`${what} is not there: the before() hook failed`);
  return v;
};
const ct = () => started(container, 'the container');
const zkServer = () => started(zk, 'ZooKeeper');
const obs = () => started(observer, 'the observer');

before(
  async () => {
    if (!ROOT) throw new Error('ZKW_SYSTEMD_ROOT is not set: run this file through `npm run test:systemd`');
    zk = await startZooKeeper();
    // Scenario (a) starts the agent while nothing listens on ZooKeeper's port.
    await zk.stop();
    container = await bootContainer({
      root: ROOT,
      machine: `zkw-systemd-${process.pid}`,
      binds: [
        { host: REPO, inside: REPO_INSIDE },
        // The machine's Node (the one running this test); the root has the libstdc++ it links against.
        { host: realpathSync(process.execPath), inside: '/usr/local/bin/node' },
      ],
    });
    await installUnit(container, zk.connectString, goodConfig());
    observer = new Observer(zk);
  },
  { timeout: 400_000 },
);

after(
  async () => {
    if (container) {
      // The whole story, for a failure the assertion messages do not explain.
      const journal = await unitJournal(container).catch((e: Error) => `(journal unreadable: ${e.message})\n`);
      mkdirSync(dirname(JOURNAL_COPY), { recursive: true });
      writeFileSync(JOURNAL_COPY, journal);
      console.log(`# journalctl -u zk-watcher of the whole run: ${JOURNAL_COPY}`);
    }
    await observer?.close().catch(() => {});
    try {
      await container?.shutdown();
    } finally {
      await stopAll();
    }
  },
  { timeout: 120_000 },
);

const observed = (paths: readonly string[]) => obs().nodes(paths);

async function registeredNodes(what: string, deadlineMs = REGISTER_DEADLINE_MS): Promise<NodeView[]> {
  return waitFor(() => observed(HEALTHY_NODES), allRegistered, { timeoutMs: deadlineMs, intervalMs: 500, what });
}

/**
 * A scenario's starting point, not what it judges: ZooKeeper up, the good config, and the
 * unit running from a manual start (NRestarts 0) with every healthy node registered. An
 * earlier scenario's failure is therefore not counted again by the next one.
 */
async function runningAndRegistered(t: TestContext): Promise<UnitState> {
  const c = ct();
  await zkServer().start();
  await writeConfig(c, goodConfig());
  let state = await unitState(c);
  if (state.activeState !== 'active' || state.nRestarts !== 0) {
    t.diagnostic(`precondition: the unit was ${state.activeState}/${state.subState} with NRestarts=${state.nRestarts}; restarting it`);
    await systemctl(c, ['reset-failed', 'zk-watcher']);
    const r = await systemctl(c, ['restart', 'zk-watcher'], 180_000);
    assert.equal(r.code, 0, `precondition: systemctl restart zk-watcher (ZooKeeper up) exited ${r.code}: ${r.stderr}\n${tail(await unitJournal(c))}`);
  }
  await registeredNodes('precondition: every healthy node registered by a connected session');
  state = await unitState(c);
  assert.equal(state.activeState, 'active', `precondition: the unit is ${state.activeState}/${state.subState}`);
  return state;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

test('the container boots Debian bookworm with systemd 252 as its PID 1', { timeout: 60_000 }, async (t) => {
  const c = ct();
  const version = await c.exec(['systemctl', '--version']);
  assert.match(version.stdout.split('\n')[0] ?? '', /^systemd 252 /);
  const pid1 = await c.exec(['cat', '/proc/1/comm']);
  assert.equal(pid1.stdout.trim(), 'systemd');
  const osRelease = await c.exec(['cat', '/etc/os-release']);
  assert.match(osRelease.stdout, /^VERSION_CODENAME=bookworm$/m);
  t.diagnostic(`boot: ${seconds(c.bootMs)} from systemd-nspawn until is-system-running said '${c.bootState}'`);
  if (c.bootState !== 'running') t.diagnostic(`failed units: ${(await systemctl(c, ['--failed', '--plain'])).stdout}`);
});

test('(a) with ZooKeeper stopped, systemctl start succeeds within TimeoutStartSec; the nodes appear once ZooKeeper starts', { timeout: 480_000 }, async (t) => {
  const c = ct();
  const server = zkServer();
  assert.equal(server.running, false, 'ZooKeeper must be down for this scenario');
  const timeoutStartMs = parseSpan((await showProperties(c, ['TimeoutStartUSec']))['TimeoutStartUSec'] ?? '');
  const cursor = await journalCursor(c);
  const start = await systemctl(c, ['start', 'zk-watcher'], timeoutStartMs + 60_000);
  t.diagnostic(`systemctl start zk-watcher with ZooKeeper down: exit ${start.code} after ${seconds(start.ms)} (TimeoutStartSec ${seconds(timeoutStartMs)})`);
  const afterStart = await unitState(c);

  await t.test('systemctl start exits 0', async () => {
    assert.equal(start.code, 0, `systemctl start exited ${start.code} after ${seconds(start.ms)}: ${start.stderr}\n${unitEvents(await unitJournal(c, cursor))}`);
  });
  await t.test('within TimeoutStartSec, and the unit is then active', () => {
    assert.ok(start.ms < timeoutStartMs, `systemctl start took ${seconds(start.ms)}, TimeoutStartSec is ${seconds(timeoutStartMs)}`);
    assert.equal(afterStart.activeState, 'active', `after systemctl start the unit is ${afterStart.activeState}/${afterStart.subState} (result ${afterStart.result})`);
  });

  await server.start();
  await t.test("every healthy service's node appears, held by a connected session; the failing service's never does", async () => {
    await registeredNodes('every healthy node registered after ZooKeeper started');
    const unhealthy = await observed(UNHEALTHY_NODES);
    assert.deepEqual(unhealthy.filter((v) => v.owner !== null).map((v) => v.path), [], 'the failing check must not be registered');
  });
  await t.test('the process systemctl started registered them: no restart in between', async () => {
    const now = await unitState(c);
    assert.deepEqual(
      { mainPid: now.mainPid, nRestarts: now.nRestarts },
      { mainPid: afterStart.mainPid, nRestarts: 0 },
      `MainPID/NRestarts changed between systemctl start and registration:\n${unitEvents(await unitJournal(c, cursor))}`,
    );
  });
});

test('(b) a 90 s ZooKeeper outage: no restart, same MainPID, no watchdog timeout; the nodes come back', { timeout: 600_000 }, async (t) => {
  const c = ct();
  const server = zkServer();
  const baseline = await runningAndRegistered(t);
  const cursor = await journalCursor(c);
  await server.stop();
  const outage = await sampleFor(OUTAGE_MS, 1000, () => unitState(c), (s) => s.activeState === 'active' && s.mainPid === baseline.mainPid && s.nRestarts === 0);
  const journal = await unitJournal(c, cursor);
  t.diagnostic(`ZooKeeper down for ${seconds(OUTAGE_MS)}, ${outage.samples} samples of the unit; at the end: ${JSON.stringify(outage.last)}`);

  await t.test('NRestarts stays 0 and MainPID is unchanged for the whole outage', () => {
    const v = outage.firstViolation;
    assert.equal(
      v,
      undefined,
      v && `${seconds(v.atMs)} into the outage the unit was ${JSON.stringify(v.value)}, expected active with MainPID ${baseline.mainPid} and NRestarts 0:\n${unitEvents(journal)}`,
    );
  });
  await t.test('the journal has no "Watchdog timeout"', () => {
    const lines = journal.split('\n').filter((l) => /Watchdog timeout/i.test(l));
    assert.deepEqual(lines, [], `the watchdog fired while ZooKeeper was down`);
  });

  await server.start();
  await t.test('every node is back once ZooKeeper is, held by a connected session', async () => {
    await registeredNodes('every healthy node back after the outage');
  });
});

test('(c) systemctl reload with a broken config fails and says FILE:LINE; the nodes and the process stay; a good config reloads', { timeout: 400_000 }, async (t) => {
  const c = ct();
  const baseline = await runningAndRegistered(t);
  const nodesBefore = await observed(HEALTHY_NODES);
  const broken = brokenConfig();
  const where = `${CONFIG_FILE}:${broken.line}`;
  const cursor = await journalCursor(c);
  await writeConfig(c, broken.text);
  const reload = await systemctl(c, ['reload', 'zk-watcher']);
  t.diagnostic(`systemctl reload with 'refresh: soon' at ${where}: exit ${reload.code} after ${seconds(reload.ms)}`);

  await t.test('systemctl reload exits non-zero', async () => {
    assert.notEqual(reload.code, 0, `systemctl reload exited 0 although ${where} has 'refresh: soon'; stderr: ${JSON.stringify(reload.stderr)}\n${tail(await unitJournal(c, cursor))}`);
  });
  let shown = '';
  await t.test(`the operator sees ${where} in systemctl's output or journalctl -u zk-watcher`, async () => {
    shown = await waitFor(
      async () => `${reload.stdout}\n${reload.stderr}\n${await unitJournal(c, cursor)}`,
      (text) => text.includes(where),
      { timeoutMs: 30_000, intervalMs: 500, what: `'${where}' in systemctl reload's output or the unit's journal` },
    );
  });
  await t.test('a SIGHUP that bypasses ExecReload= is refused by the agent, and journalctl -p err finds its error lines (each line carries its priority to the journal)', async () => {
    // ExecReload= refused the broken file before the agent heard of it; a signal sent by hand reaches the agent itself.
    check('systemctl kill -s HUP', await systemctl(c, ['kill', '--kill-whom=main', '--signal=SIGHUP', 'zk-watcher']));
    const errors = await waitFor(
      async () => check('journalctl -p err', await c.exec(['journalctl', '--no-pager', '-o', 'cat', '-u', UNIT, '-p', 'err', `--after-cursor=${cursor}`], { timeoutMs: 30_000 })).stdout,
      (text) => text.includes(where) && /"event":"reload_rejected"/.test(text),
      { timeoutMs: 30_000, intervalMs: 500, what: "the agent's reload_rejected and FILE:LINE lines at priority err or worse" },
    );
    assert.doesNotMatch(errors, /"level":30\b/, 'no info line is filed as an error');
  });
  await t.test('the nodes stay registered, untouched, and MainPID is unchanged', async () => {
    const nodes = await observed(HEALTHY_NODES);
    assert.deepEqual(
      nodes.map((v) => ({ path: v.path, czxid: v.czxid, connected: v.ownerConnected })),
      nodesBefore.map((v) => ({ path: v.path, czxid: v.czxid, connected: true })),
      'a rejected reload must leave every node as it was',
    );
    const now = await unitState(c);
    assert.deepEqual({ activeState: now.activeState, mainPid: now.mainPid }, { activeState: 'active', mainPid: baseline.mainPid }, tail(shown || (await unitJournal(c, cursor))));
  });

  await writeConfig(c, goodConfig());
  const good = await systemctl(c, ['reload', 'zk-watcher']);
  await t.test('with the good config restored, systemctl reload exits 0 and the nodes stay', async () => {
    assert.equal(good.code, 0, `systemctl reload of the good config exited ${good.code}: ${good.stderr}\n${tail(await unitJournal(c, cursor))}`);
    const nodes = await observed(HEALTHY_NODES);
    assert.deepEqual(nodes.map((v) => v.czxid), nodesBefore.map((v) => v.czxid), 'an unchanged config must leave every node as it was');
    assert.equal((await unitState(c)).mainPid, baseline.mainPid);
  });
});

test('(e) as installed: the status server answers `zk-watcher status` on loopback, the maintenance directory exists, and zk-watcher-once runs checks in the unit\'s sandbox', { timeout: 300_000 }, async (t) => {
  const c = ct();
  await runningAndRegistered(t);

  await t.test('zk-watcher status, with no flags, reaches the agent on 127.0.0.1:9647 and exits 0', async () => {
    const r = await c.exec(['zk-watcher', 'status'], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, `zk-watcher status exited ${r.code}: ${r.stdout}${r.stderr}`);
    for (const s of SERVICES) assert.match(r.stdout, new RegExp(`\\b${s.name}\\b`), r.stdout);
  });
  await t.test('StateDirectory= made /var/lib/zk-watcher/maintenance, owned by zk-watcher', async () => {
    const r = check('stat', await c.exec(['stat', '-c', '%U %F', '/var/lib/zk-watcher/maintenance']));
    assert.equal(r.stdout.trim(), 'zk-watcher directory');
  });
  await t.test("zk-watcher maint on web --reason takes its node out and says why in systemctl status; maint off puts it back", async () => {
    const web = SERVICES.find((s) => s.name === 'web')!;
    const on = await c.exec(['zk-watcher', 'maint', 'on', 'web', '--reason', 'deploy 42'], { timeoutMs: 30_000 });
    assert.equal(on.code, 0, `maint on: ${on.stdout}${on.stderr}`);
    await waitFor(() => observed([nodeOf(web)]), (v) => v[0]?.owner === null, { timeoutMs: 60_000, intervalMs: 500, what: "web's node gone after maint on" });
    const status = await waitFor(
      async () => (await showProperties(c, ['StatusText']))['StatusText'] ?? '',
      (text) => /maintenance/.test(text) && text.includes('deploy 42'),
      { timeoutMs: 60_000, intervalMs: 500, what: "systemd's STATUS= naming the maintenance and its reason" },
    );
    t.diagnostic(`StatusText during maintenance: ${status}`);
    const off = await c.exec(['zk-watcher', 'maint', 'off', 'web'], { timeoutMs: 30_000 });
    assert.equal(off.code, 0, `maint off: ${off.stdout}${off.stderr}`);
    await registeredNodes("web's node back after maint off", 60_000);
  });
  await t.test('zk-watcher-once fails a check that passes as root and fails in the sandbox; a harmless one passes in both', async () => {
    // ProtectSystem=strict: /etc is read-only in the unit, writable to root outside it.
    const probe = '[writes-etc]\ncmd: touch /etc/zkw-once-probe\nrefresh: 30\nservice_port: 1\nzookeeper_path: /zkw-once\n\n[harmless]\ncmd: test -d /\nrefresh: 30\nservice_port: 2\nzookeeper_path: /zkw-once\n';
    check('writing the probe config', await c.sh('cat > /etc/zk/once-probe.cfg && chgrp zk-watcher /etc/zk/once-probe.cfg && chmod 640 /etc/zk/once-probe.cfg', { input: probe }));
    const asRoot = await c.exec(['zk-watcher', '--once', '-c', '/etc/zk/once-probe.cfg'], { timeoutMs: 60_000 });
    assert.equal(asRoot.code, 0, `as root: ${asRoot.stdout}${asRoot.stderr}`);
    check('removing the probe file', await c.exec(['rm', '-f', '/etc/zkw-once-probe']));
    const inUnit = await c.exec(['zk-watcher-once', '-c', '/etc/zk/once-probe.cfg'], { timeoutMs: 120_000 });
    t.diagnostic(`zk-watcher-once: exit ${inUnit.code} after ${seconds(inUnit.ms)}\n${inUnit.stdout}${inUnit.stderr}`);
    assert.equal(inUnit.code, 1, `zk-watcher-once exited ${inUnit.code}: ${inUnit.stdout}${inUnit.stderr}`);
    assert.match(inUnit.stdout, /^writes-etc\s+FAIL\b.*Read-only file system/m);
    assert.match(inUnit.stdout, /^harmless\s+PASS\b/m);
    const left = await c.exec(['test', '-e', '/etc/zkw-once-probe']);
    assert.notEqual(left.code, 0, 'the sandboxed run must not have written /etc');
  });
});

test('(d) systemctl stop exits 0, the unit is inactive, and none of our nodes is left', { timeout: 400_000 }, async (t) => {
  const c = ct();
  await runningAndRegistered(t);
  const stop = await systemctl(c, ['stop', 'zk-watcher']);
  // Read at once: once systemctl stop returns the agent is gone, so every node must be too.
  const left = await obs().children(SERVICES.map(pathOf));
  const state = await unitState(c);
  t.diagnostic(`systemctl stop: exit ${stop.code} after ${seconds(stop.ms)}; unit ${state.activeState}/${state.subState}, result ${state.result}`);

  await t.test('systemctl stop exits 0', async () => {
    assert.equal(stop.code, 0, `systemctl stop exited ${stop.code}: ${stop.stderr}\n${tail(await unitJournal(c))}`);
  });
  await t.test('the unit is inactive (not failed)', () => {
    assert.equal(state.activeState, 'inactive', `the unit is ${state.activeState}/${state.subState}, result ${state.result}`);
  });
  await t.test(`the observer sees zero nodes of ${HOSTNAME}`, () => {
    assert.deepEqual(Object.values(left).flat(), [], `nodes left behind after systemctl stop: ${JSON.stringify(left)}`);
  });
});
