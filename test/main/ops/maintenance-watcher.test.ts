import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { MaintenanceWatcher } from '../../../src/main/ops/maintenance-watcher.js';
import { createLogger } from '../../../src/main/ops/logger.js';
import { maintenanceNoteOf, type MaintenanceState } from '../../../src/shared/maintenance.js';
import { waitFor } from '../../support/wait.js';

const base = mkdtempSync(join(tmpdir(), 'zkw-mw-'));
after(() => rmSync(base, { recursive: true, force: true }));

function watch(dir: string): { watcher: MaintenanceWatcher; changes: MaintenanceState[]; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l));
      done();
    },
  });
  const changes: MaintenanceState[] = [];
  const watcher = new MaintenanceWatcher(dir, createLogger({ verbose: true, syslog: false, destination }), (s) => changes.push(s));
  return { watcher, changes, lines };
}

test('reads the directory at start, then follows files appearing and going', async (t) => {
  const dir = join(base, 'follow');
  mkdirSync(dir);
  writeFileSync(join(dir, 'web'), '');
  const { watcher, changes } = watch(dir);
  t.after(() => watcher.stop());
  watcher.start();
  assert.equal(changes.length, 1, 'the state at start is known at once');
  assert.deepEqual([...watcher.state.services], ['web']);
  writeFileSync(join(dir, 'all'), '');
  await waitFor(async () => watcher.state.host, (h) => h, { what: 'host maintenance seen' });
  rmSync(join(dir, 'all'));
  rmSync(join(dir, 'web'));
  await waitFor(async () => watcher.state, (s) => !s.host && s.services.size === 0, { what: 'maintenance over' });
  assert.equal(changes.length, 3);
});

test('a missing directory is no maintenance, silently; an unreadable one keeps the last state and is logged once', async (t) => {
  const dir = join(base, 'flaky');
  const { watcher, changes, lines } = watch(dir);
  t.after(() => watcher.stop());
  watcher.start();
  assert.equal(watcher.state.host, false);
  assert.equal(changes.length, 0);
  mkdirSync(dir);
  writeFileSync(join(dir, 'all'), '');
  await waitFor(async () => watcher.state.host, (h) => h, { what: 'host maintenance seen' });
  // A file where the directory was: readdir fails with ENOTDIR, not ENOENT.
  rmSync(dir, { recursive: true });
  writeFileSync(dir, '');
  await waitFor(async () => lines.filter((l) => l.event === 'maintenance_dir_unreadable'), (l) => l.length === 1, { what: 'the unreadable directory logged' });
  assert.equal(watcher.state.host, true, 'still in maintenance');
  rmSync(dir);
  await waitFor(async () => watcher.state.host, (h) => !h, { what: 'a missing directory ends maintenance' });
  assert.equal(lines.filter((l) => l.event === 'maintenance_dir_unreadable').length, 1);
});

test('reads each file the reason is in, again only when it changes, and logs maintenance_on/updated/off with it', async (t) => {
  const dir = join(base, 'reasons');
  mkdirSync(dir);
  writeFileSync(join(dir, 'web'), 'reason: deploy 42\nby: alice\n');
  const { watcher, changes, lines } = watch(dir);
  t.after(() => watcher.stop());
  watcher.start();
  assert.equal(maintenanceNoteOf(watcher.state, 'web')?.reason, 'deploy 42');
  const on = lines.find((l) => l.event === 'maintenance_on');
  assert.equal(on?.service, 'web');
  assert.equal(on?.reason, 'deploy 42');
  assert.equal(on?.by, 'alice');
  assert.match(String(on?.msg), /maintenance on for web: deploy 42 \(by alice\)/);
  // A FIFO must not block the poll (opening one waits for a writer): it counts, without a reason.
  execFileSync('mkfifo', [join(dir, 'db')]);
  await waitFor(async () => watcher.state.services.has('db'), (h) => h, { what: 'the FIFO seen as a flag' });
  assert.equal(maintenanceNoteOf(watcher.state, 'db')?.reason, '');
  // Replaced as maint on does it (a dot file renamed over it): the new reason is read.
  writeFileSync(join(dir, '.web.tmp'), 'reason: deploy 43\n');
  renameSync(join(dir, '.web.tmp'), join(dir, 'web'));
  await waitFor(async () => maintenanceNoteOf(watcher.state, 'web')?.reason, (r) => r === 'deploy 43', { what: 'the new reason read' });
  assert.equal(lines.filter((l) => l.event === 'maintenance_updated' && l.service === 'web' && l.reason === 'deploy 43').length, 1);
  const seen = changes.length;
  // Written whole, then renamed: a poll between a plain write's create and its write would see an empty file first.
  writeFileSync(join(dir, '.all.tmp'), 'rack move');
  renameSync(join(dir, '.all.tmp'), join(dir, 'all'));
  await waitFor(async () => lines.find((l) => l.event === 'maintenance_on' && l.scope === 'host'), (l) => l !== undefined, { what: 'host maintenance_on' });
  assert.equal(lines.find((l) => l.event === 'maintenance_on' && l.scope === 'host')?.reason, 'rack move');
  assert.equal(changes.length, seen + 1);
  rmSync(join(dir, 'web'));
  await waitFor(async () => lines.filter((l) => l.event === 'maintenance_off'), (l) => l.length === 1, { what: 'maintenance_off for web' });
  assert.equal(lines.find((l) => l.event === 'maintenance_off')?.service, 'web');
});
