import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { MaintenanceWatcher } from '../../../src/main/ops/maintenance-watcher.js';
import { createLogger } from '../../../src/main/ops/logger.js';
import type { MaintenanceState } from '../../../src/shared/maintenance.js';
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
