import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, outageSummary } from '../../src/shared/log-outage.js';

test('durations read as a person says them', () => {
  const rows: [number, string][] = [[0, '0.0 s'], [1234, '1.2 s'], [59_949, '59.9 s'], [61_000, '1 min 1 s'], [3_599_000, '59 min 59 s'], [7_500_000, '2 h 5 min']];
  for (const [ms, want] of rows) assert.equal(formatDuration(ms), want, String(ms));
});

test('the outage line says how long, how it ended and what became of the nodes', () => {
  const rows: [Parameters<typeof outageSummary>[0], string][] = [
    [{ durationMs: 12_300, sessionLost: true, reregistered: 3, registered: 3, missing: 0 }, 'ZooKeeper outage over after 12.3 s (the session was lost and a new one made): 3 nodes re-registered'],
    [{ durationMs: 2100, sessionLost: false, reregistered: 0, registered: 3, missing: 0 }, 'ZooKeeper outage over after 2.1 s (reconnected within the session): 3 kept, 0 re-registered'],
    [{ durationMs: 2100, sessionLost: false, reregistered: 1, registered: 1, missing: 0 }, 'ZooKeeper outage over after 2.1 s (reconnected within the session): 1 node re-registered'],
    [{ durationMs: 90_000, sessionLost: true, reregistered: 2, registered: 2, missing: 1 }, 'ZooKeeper outage over after 1 min 30 s (the session was lost and a new one made): 2 nodes re-registered; 1 still not registered (see zk_sync_failed)'],
  ];
  for (const [facts, want] of rows) assert.equal(outageSummary(facts), want);
});
