import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stopSummary } from '../../src/shared/stop-summary.js';

const NOW = Date.parse('2026-12-02T12:00:00.000Z');

test('all deleted: the line says ZooKeeper confirmed every one', () => {
  const s = stopSummary(3, [], [{ sessionId: 'aa', closed: true, expiresBy: null }], NOW);
  assert.deepEqual({ deleted: s.deleted, remaining: s.remaining, sessions: s.sessions }, { deleted: 3, remaining: 0, sessions: [] });
  assert.equal(s.message, 'stopped; ZooKeeper confirmed all 3 of our nodes deleted');
});

test('a confirmed close removes what the deletes could not: those count as deleted', () => {
  const s = stopSummary(1, [{ path: '/p/a', heldBy: 'aa' }, { path: '/p/b', heldBy: null }], [{ sessionId: 'aa', closed: true, expiresBy: null }], NOW);
  assert.equal(s.deleted, 3);
  assert.equal(s.remaining, 0);
});

test('during a partition: every node is left to its session, named with the moment it is gone by', () => {
  const by = NOW + 12_000;
  const s = stopSummary(0, [{ path: '/p/a', heldBy: 'aa' }, { path: '/p/b', heldBy: 'aa' }, { path: '/p/c', heldBy: null }], [{ sessionId: 'aa', closed: false, expiresBy: by }], NOW, { count: 0, connected: false });
  assert.equal(s.remaining, 3);
  assert.deepEqual(s.sessions, [{ sessionId: 'aa', nodes: 3, expiresBy: '2026-12-02T12:00:12.000Z' }]);
  assert.deepEqual(s.paths, ['/p/a', '/p/b', '/p/c']);
  assert.equal(s.message, 'stopped; ZooKeeper confirmed 0 of our nodes deleted; not removed (ZooKeeper not connected): 3 may remain until their session expires: 3 with session 0xaa (expired by 2026-12-02T12:00:12.000Z unless a restart of the ensemble renewed it)');
});

test('nodes of a session given up earlier are named with it, apart from the current one', () => {
  const s = stopSummary(
    2,
    [{ path: '/p/old', heldBy: 'old' }, { path: '/p/new', heldBy: 'new' }],
    [{ sessionId: 'old', closed: false, expiresBy: NOW - 5000 }, { sessionId: 'new', closed: true, expiresBy: null }],
    NOW,
  );
  assert.equal(s.deleted, 3);
  assert.equal(s.remaining, 1);
  // Its bound is past: "by now".
  assert.deepEqual(s.sessions, [{ sessionId: 'old', nodes: 1, expiresBy: '2026-12-02T12:00:00.000Z' }]);
});

test('the line counts true things only: removed, left and why, never registered and why', () => {
  const left = [{ path: '/p/a', heldBy: 'aa' }];
  const open = [{ sessionId: 'aa', closed: false, expiresBy: NOW + 1000 }];
  const rows: [string, ReturnType<typeof stopSummary>, string][] = [
    ['nothing wanted', stopSummary(0, [], [], NOW), 'stopped; nothing was registered'],
    [
      'ZooKeeper unreachable from the start: nothing registered, nothing to remove',
      stopSummary(0, [], [], NOW, { count: 3, connected: false }),
      'stopped; ZooKeeper confirmed 0 of our nodes deleted; 3 services were never registered (ZooKeeper was not connected): nothing of theirs to remove',
    ],
    [
      'connected, one registration failing',
      stopSummary(2, [], [{ sessionId: 'aa', closed: true, expiresBy: null }], NOW, { count: 1, connected: true }),
      'stopped; ZooKeeper confirmed 2 of our nodes deleted; 1 service was never registered (their registration kept failing; see zk_sync_failed): nothing of theirs to remove',
    ],
    [
      'connected, but the deletes were not confirmed in time',
      stopSummary(0, left, open, NOW, { count: 0, connected: true }),
      'stopped; ZooKeeper confirmed 0 of our nodes deleted; not removed (ZooKeeper did not confirm the deletes in time): 1 may remain until their session expires: 1 with session 0xaa (expired by 2026-12-02T12:00:01.000Z unless a restart of the ensemble renewed it)',
    ],
  ];
  for (const [what, s, want] of rows) assert.equal(s.message, want, what);
  assert.equal(stopSummary(0, [], [], NOW, { count: 3, connected: false }).neverRegistered, 3);
});
