// The lifecycle's `reloaded` event, which zkwatcher_config_last_reload_successful reports:
// one outcome per config applied or rejected, none for reads superseded or preempted by stop.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { Lifecycle, type LifecycleOps } from '../../../src/main/lifecycle/lifecycle.js';

const silent = pino({ level: 'silent' });

/** Parts whose reads answer at once with the next of `reads` (an Error: the read throws), and whose apply throws for 'bad-apply'. */
function parts(reads: (string | null | Error)[]): LifecycleOps<string, string> & { applied: string[] } {
  const applied: string[] = [];
  return {
    applied,
    start: () => undefined,
    load: async () => {
      const next = reads.shift();
      if (next instanceof Error) throw next;
      return next ?? null;
    },
    apply: (config) => {
      if (config === 'bad-apply') throw new Error('a bug while applying');
      applied.push(config);
    },
    stop: async () => 'stopped',
  };
}

test('each reload reports whether its config was applied: read and applied, rejected, a read that throws, an apply that throws', async () => {
  const cases: [what: string, read: string | null | Error, applied: boolean][] = [
    ['a valid config', 'v1', true],
    ['a config with errors (the read reports them, returns null)', null, false],
    ['a read that throws', new Error('EIO'), false],
    ['an apply that throws', 'bad-apply', false],
  ];
  for (const [what, read, applied] of cases) {
    const life = new Lifecycle(parts([read]), silent);
    const outcomes: boolean[] = [];
    life.on('reloaded', (ok) => outcomes.push(ok));
    life.start();
    assert.equal(life.requestReload(), 'begin');
    await life.reloadSettled();
    assert.deepEqual(outcomes, [applied], what);
    assert.equal(life.state, 'running', what);
  }
});

test('reads superseded by a newer request report once, for the config applied; a reload that stop preempts reports nothing', async () => {
  const p = parts(['v1', 'v2']);
  const life = new Lifecycle(p, silent);
  const outcomes: boolean[] = [];
  life.on('reloaded', (ok) => outcomes.push(ok));
  life.start();
  life.requestReload();
  life.requestReload(); // during the first read: read again, apply once
  await life.reloadSettled();
  assert.deepEqual(p.applied, ['v2']);
  assert.deepEqual(outcomes, [true]);

  const stopping = new Lifecycle(parts(['v3']), silent);
  const none: boolean[] = [];
  stopping.on('reloaded', (ok) => none.push(ok));
  stopping.start();
  stopping.requestReload();
  await stopping.stop();
  await stopping.reloadSettled();
  assert.deepEqual(none, []);
});
