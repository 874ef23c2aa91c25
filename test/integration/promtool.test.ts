// /metrics and the shipped Prometheus files, judged by Prometheus' own promtool (Debian's
// `prometheus` package; test/support/setup.sh installs it): the live exposition of a real
// agent against a real ZooKeeper, the alert rules and their unit tests, and the Grafana
// dashboard's expressions, whose every metric must be in that live exposition. And a real
// Prometheus (the same package) scraping the agent with the rules loaded.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { zookeeper } from '../../src/main/cjs-packages.js';
import { startAgent, writeConfig, type Agent } from '../support/agent.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';
import { useZooKeeper } from '../support/zk-fixture.js';

const dirs: string[] = [];
const fx = useZooKeeper(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const PROMETHEUS_DIR = fileURLToPath(new URL('../../../packaging/prometheus/', import.meta.url));
const RULES = join(PROMETHEUS_DIR, 'zk-watcher.rules.yml');
const RULE_TESTS = join(PROMETHEUS_DIR, 'zk-watcher.rules.test.yml');
const DASHBOARD = join(PROMETHEUS_DIR, 'zk-watcher.dashboard.json');

const HOST = 'pt.example';
// up: healthy. down: failing. resting: healthy, in maintenance. stuck: its parent is an
// ephemeral node, which cannot have children: every create fails (a sync failure).
const CONFIG = [
  ['up', 'echo fine', 80, '/pt/up'],
  ['down', 'echo broken >&2; exit 3', 81, '/pt/down'],
  ['resting', 'true', 82, '/pt/resting'],
  ['stuck', 'true', 83, '/pt-ephemeral'],
]
  .map(([name, cmd, port, path]) => `[${name}]\ncmd: ${cmd}\nrefresh: 1\nservice_port: ${port}\nservice_hostname: ${HOST}\nzookeeper_path: ${path}\n`)
  .join('\n');

let agent: Agent;
let port: number;
let configPath: string;

/**
 * promtool ARGS (stdin `input`): its exit code and everything it said. Not spawnSync: a
 * blocked event loop misses the agent closing an idle keep-alive connection, and the next
 * fetch fails on it.
 */
function promtool(args: string[], input = ''): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.on('error', (e) => reject(new Error(`promtool could not run (${e.message}): install Debian's prometheus package (test/support/setup.sh does)`)));
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(input);
  });
}

const metrics = async (): Promise<string> => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();

/** The value of one sample line of an exposition, or undefined. */
function sample(body: string, series: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Every metric name with at least one sample in an exposition (a histogram's _bucket, _sum, _count each). */
function sampleNames(body: string): Set<string> {
  const names = new Set<string>();
  for (const line of body.split('\n')) {
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
    if (name !== undefined) names.add(name);
  }
  return names;
}

/** The agent's own metric names and Node's that a PromQL expression uses. */
const metricNamesIn = (expr: string): string[] => expr.match(/\b(?:zkwatcher|process|nodejs)_[a-zA-Z0-9_]*/g) ?? [];

/** The agent, started by the first test that needs it (root before() hooks do not wait for the fixture's in Node 20). */
let starting: Promise<void> | undefined;
const started = (): Promise<void> => (starting ??= startTheAgent());

async function startTheAgent(): Promise<void> {
  const maintenance = mkdtempSync(join(tmpdir(), 'zkw-pt-maint-'));
  dirs.push(maintenance);
  writeFileSync(join(maintenance, 'resting'), 'planned work');
  await fx.observer.create('/pt-ephemeral', null, zookeeper.CreateMode.EPHEMERAL);
  configPath = writeConfig(CONFIG);
  port = await freePort();
  agent = fx.track(startAgent(['-c', configPath, '-s', fx.zk.connectString, '--status-port', String(port), '--maintenance-dir', maintenance]));
  await waitFor(
    metrics,
    (b) =>
      sample(b, 'zkwatcher_service_registered{service="up"}') === 1 &&
      sample(b, 'zkwatcher_service_healthy{service="down"}') === 0 &&
      sample(b, 'zkwatcher_service_healthy{service="resting"}') === 1 &&
      (sample(b, 'zkwatcher_zk_sync_failures_total') ?? 0) >= 1 &&
      ['up', 'down', 'resting', 'stuck'].every((s) => sample(b, `zkwatcher_last_check_timestamp_seconds{service="${s}"}`) !== undefined),
    { what: 'a registered, a failing, a resting service, a failed create, and a result from each', timeoutMs: 60_000, intervalMs: 250 },
  );
}

test('promtool check metrics passes a live /metrics (healthy, failing, in maintenance, a node ZooKeeper refuses), and the new series are there', async () => {
  await started();
  const body = await metrics();
  const checked = await promtool(['check', 'metrics'], body);
  assert.deepEqual(checked, { code: 0, output: '' }, 'promtool check metrics: exit 0 and no complaint');

  const version = (JSON.parse(readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8')) as { version: string }).version;
  assert.equal(sample(body, `zkwatcher_build_info{version="${version}",node="${process.version}"}`), 1);
  const checkedAt = sample(body, 'zkwatcher_last_check_timestamp_seconds{service="down"}')!;
  assert.ok(Math.abs(checkedAt - Date.now() / 1000) < 120, `last check of down at ${checkedAt}, a recent time in seconds`);
  assert.equal(sample(body, 'zkwatcher_maintenance{service="resting"}'), 1);
  assert.equal(sample(body, 'zkwatcher_service_registered{service="resting"}'), 0);
  assert.equal(sample(body, 'zkwatcher_service_registered{service="stuck"}'), 0);
  assert.ok(agent.logs.some((r) => r.event === 'zk_sync_failed' && r.path === `/pt-ephemeral/${HOST}:83`), 'the failures counted are the ones logged');
  assert.equal(sample(body, 'zkwatcher_config_last_reload_successful'), 1, 'the config read at start counts as a successful load');
  assert.match(body, /^# TYPE zkwatcher_event_loop_delay_seconds summary$/m);
  assert.ok(sample(body, 'zkwatcher_event_loop_delay_seconds_count')! > 0, 'timers fired and were measured');
});

test('a rejected reload sets zkwatcher_config_last_reload_successful to 0 and keeps the time of the last success; the next good one sets both', async () => {
  await started();
  const before = sample(await metrics(), 'zkwatcher_config_last_reload_success_timestamp_seconds')!;
  writeFileSync(configPath, CONFIG + '\n[broken]\nrefresh: soon\n');
  agent.signal('SIGHUP');
  const rejected = await waitFor(metrics, (b) => sample(b, 'zkwatcher_config_last_reload_successful') === 0, { what: 'the reload rejected', timeoutMs: 30_000, intervalMs: 100 });
  assert.equal(sample(rejected, 'zkwatcher_config_last_reload_success_timestamp_seconds'), before);
  assert.equal((await promtool(['check', 'metrics'], rejected)).code, 0);

  writeFileSync(configPath, CONFIG);
  agent.signal('SIGHUP');
  const applied = await waitFor(metrics, (b) => sample(b, 'zkwatcher_config_last_reload_successful') === 1, { what: 'the reload applied', timeoutMs: 30_000, intervalMs: 100 });
  assert.ok(sample(applied, 'zkwatcher_config_last_reload_success_timestamp_seconds')! > before, 'a newer success time');
});

test('a real Prometheus scrapes the agent without error, evaluates every shipped rule, and the live series raise the alerts they should', async () => {
  await started();
  const dir = mkdtempSync(join(tmpdir(), 'zkw-pt-prom-'));
  dirs.push(dir);
  copyFileSync(RULES, join(dir, 'rules.yml'));
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global: { scrape_interval: 2s, scrape_timeout: 2s, evaluation_interval: 1s }\nrule_files: [rules.yml]\nscrape_configs:\n  - job_name: zk-watcher\n    static_configs: [{ targets: ['127.0.0.1:${port}'] }]\n`,
  );
  const web = await freePort();
  const prometheus = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${web}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  prometheus.stderr.setEncoding('utf8').on('data', (c: string) => (log += c));
  const closed = new Promise((resolve) => prometheus.on('close', resolve));
  const api = async <T>(path: string): Promise<T> => ((await (await fetch(`http://127.0.0.1:${web}/api/v1/${path}`)).json()) as { data: T }).data;
  try {
    type Targets = { activeTargets: { health: string; lastError: string }[] };
    // A scrape that works (one slow scrape of a loaded machine may time out first; every scrape parsing is what counts).
    const targets = await waitFor(() => api<Targets>('targets'), (t) => t.activeTargets.length === 1 && t.activeTargets[0]!.health === 'up', { what: 'a scrape that worked', timeoutMs: 60_000, intervalMs: 250 });
    assert.deepEqual(targets.activeTargets.map((t) => [t.health, t.lastError]), [['up', '']], 'the scrape worked');

    type Rules = { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
    const rules = await waitFor(() => api<Rules>('rules'), (r) => r.groups.flatMap((g) => g.rules).every((rule) => rule.health !== 'unknown'), { what: 'every rule evaluated', timeoutMs: 60_000, intervalMs: 250 });
    const unhealthy = rules.groups.flatMap((g) => g.rules).filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError}`);
    assert.deepEqual(unhealthy, []);

    // stuck is healthy, outside maintenance, and has no node; down fails its check. resting (maintenance) and up (registered) raise nothing.
    type Alerts = { alerts: { labels: Record<string, string>; state: string }[] };
    const raised = (a: Alerts, name: string): string[] => a.alerts.filter((x) => x.labels.alertname === name).map((x) => x.labels.service ?? '').sort();
    const alerts = await waitFor(() => api<Alerts>('alerts'), (a) => raised(a, 'ZkWatcherHealthyButNotRegistered').length > 0 && raised(a, 'ZkWatcherCheckFailing').length > 0, {
      what: 'the alerts of the live series',
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    assert.deepEqual(raised(alerts, 'ZkWatcherHealthyButNotRegistered'), ['stuck']);
    assert.deepEqual(raised(alerts, 'ZkWatcherCheckFailing'), ['down']);
    for (const quiet of ['ZkWatcherNotConnected', 'ZkWatcherReloadFailed', 'ZkWatcherSessionExpired']) assert.deepEqual(raised(alerts, quiet), [], quiet);
    // Down has a for: of its own: a scrape that timed out on a loaded machine may make it pending, never firing.
    assert.deepEqual(alerts.alerts.filter((x) => x.labels.alertname === 'ZkWatcherDown' && x.state === 'firing'), [], 'ZkWatcherDown firing');
  } finally {
    prometheus.kill('SIGKILL');
    await closed;
  }
  assert.ok(!/level=error/.test(log), `Prometheus logged errors:\n${log.split('\n').filter((l) => l.includes('level=error')).join('\n')}`);
});

test('the shipped alert rules: promtool check rules accepts them, and their unit tests (series in, alerts out) pass', async () => {
  assert.equal((await promtool(['check', 'rules', RULES])).code, 0);
  const tested = await promtool(['test', 'rules', RULE_TESTS]);
  assert.equal(tested.code, 0, tested.output);
});

test('the rule unit tests bite: an alert that never fires, one without its for:, or one without one of its conditions fails them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zkw-pt-rules-'));
  dirs.push(dir);
  copyFileSync(RULE_TESTS, join(dir, 'zk-watcher.rules.test.yml'));
  const lines = readFileSync(RULES, 'utf8').split('\n');
  const mutants: { what: string; lines: string[] }[] = [];
  lines.forEach((line, i) => {
    const expr = /^(\s+expr: )(.*)$/.exec(line);
    const with_ = (replacement: string | null): string[] => (replacement === null ? lines.filter((_, j) => j !== i) : lines.map((l, j) => (j === i ? replacement : l)));
    if (expr !== null) {
      mutants.push({ what: `never fires: ${expr[2]}`, lines: with_(`${expr[1]}vector(0) > 1`) });
      const clauses = expr[2]!.split(/ and (?:ignoring\(state\) )?/);
      for (let c = 1; c < clauses.length; c++) mutants.push({ what: `without "${clauses[c]}": ${expr[2]}`, lines: with_(expr[1] + clauses.filter((_, k) => k !== c).join(' and ')) });
    }
    if (/^\s+for: /.test(line)) mutants.push({ what: `without ${line.trim()} (line ${i + 1})`, lines: with_(null) });
  });
  const alerts = lines.filter((l) => /^\s+- alert: /.test(l)).length;
  assert.ok(alerts >= 4 && mutants.length > alerts, `${alerts} alerts, ${mutants.length} mutants`);
  for (const mutant of mutants) {
    writeFileSync(join(dir, 'zk-watcher.rules.yml'), mutant.lines.join('\n'));
    assert.equal((await promtool(['check', 'rules', join(dir, 'zk-watcher.rules.yml')])).code, 0, `the mutant is valid rules: ${mutant.what}`);
    assert.equal((await promtool(['test', 'rules', join(dir, 'zk-watcher.rules.test.yml')])).code, 1, `the unit tests pass a broken rule: ${mutant.what}`);
  }
});

test('the Grafana dashboard: JSON, every expression valid PromQL, and every metric it or the rules name is in a live /metrics', async () => {
  interface Panel {
    readonly title?: string;
    readonly targets?: readonly { readonly expr?: string }[];
    readonly panels?: readonly Panel[];
  }
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[]; templating: { list: { query?: string | { query: string } }[] } };
  const exprs: string[] = [];
  const walk = (panels: readonly Panel[]): void => {
    for (const p of panels) {
      for (const t of p.targets ?? []) if (t.expr !== undefined) exprs.push(t.expr);
      walk(p.panels ?? []);
    }
  };
  walk(dashboard.panels);
  assert.ok(exprs.length >= 15, `${exprs.length} expressions`);
  // Grafana's variables as Prometheus would see them once Grafana has filled them in.
  const promql = exprs.map((e) => e.replaceAll('$__rate_interval', '5m').replaceAll('$instance', '.*'));
  for (const e of promql) assert.ok(!e.includes('$'), `a variable left in ${e}`);
  const dir = mkdtempSync(join(tmpdir(), 'zkw-pt-dash-'));
  dirs.push(dir);
  const asRules = join(dir, 'dashboard.rules.json');
  writeFileSync(asRules, JSON.stringify({ groups: [{ name: 'dashboard', rules: promql.map((expr, i) => ({ record: `dashboard:expr_${i}`, expr })) }] }));
  const parsed = await promtool(['check', 'rules', asRules]);
  assert.equal(parsed.code, 0, parsed.output);

  const variables = dashboard.templating.list.map((v) => (typeof v.query === 'object' ? v.query.query : (v.query ?? '')));
  const named = new Set([...exprs, ...variables, readFileSync(RULES, 'utf8')].flatMap(metricNamesIn));
  for (const family of ['zkwatcher_service_registered', 'zkwatcher_session_state', 'zkwatcher_event_loop_delay_seconds', 'zkwatcher_config_last_reload_successful', 'zkwatcher_checks_total', 'zkwatcher_check_duration_seconds_bucket']) {
    assert.ok(named.has(family), `the dashboard or the rules use ${family}`);
  }
  await started();
  const live = sampleNames(await metrics());
  // Only with a client certificate (--zk-tls-cert): test/integration/tls.test.ts finds it in the live /metrics of such an agent.
  const withClientCertOnly = new Set(['zkwatcher_zk_tls_client_cert_expiry_timestamp_seconds']);
  const missing = [...named].filter((n) => !live.has(n) && !withClientCertOnly.has(n));
  assert.deepEqual(missing, [], 'metrics the dashboard or the rules name that /metrics does not have');
});
