import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planReload, type PlannedService } from '../../src/shared/reload-plan.js';
import type { ServiceSpec } from '../../src/shared/types.js';

function planned(name: string, over: Partial<ServiceSpec> = {}, path = `/s/h:${over.servicePort ?? 1}`): PlannedService {
  const spec: ServiceSpec = {
    name, cmd: 'true', http: null, tcp: null, refresh: 1, timeout: 10, servicePort: 1, serviceHostname: 'h', zookeeperPath: '/s',
    zookeeperData: { kind: 'object', value: { kind: 'object', entries: [] } }, rise: 1, fall: 1, source: { file: 'a.cfg', line: 1 }, ...over,
  };
  return { spec, path };
}
const data = (v: string): Partial<ServiceSpec> => ({ zookeeperData: { kind: 'string', value: v } });

test('each service gets one step, and the counts add up', () => {
  const rows: { why: string; current: PlannedService[]; next: PlannedService[]; steps: unknown[]; counts: [number, number, number, number] }[] = [
    { why: 'nothing changed', current: [planned('a')], next: [planned('a', { source: { file: 'b.cfg', line: 9 } })], steps: [{ kind: 'keep', name: 'a' }], counts: [0, 0, 0, 1] },
    { why: 'added', current: [], next: [planned('a')], steps: [{ kind: 'add', name: 'a' }], counts: [1, 0, 0, 0] },
    { why: 'removed', current: [planned('a')], next: [], steps: [{ kind: 'remove', name: 'a' }], counts: [0, 1, 0, 0] },
    {
      why: 'a changed check keeps its node and its bytes',
      current: [planned('a')], next: [planned('a', { cmd: 'false' })],
      steps: [{ kind: 'restart', name: 'a', inheritFrom: 'a', keepPayload: true, movedFrom: null }], counts: [0, 0, 1, 0],
    },
    {
      why: 'changed data: new bytes in the same node',
      current: [planned('a', data('x'))], next: [planned('a', data('y'))],
      steps: [{ kind: 'restart', name: 'a', inheritFrom: 'a', keepPayload: false, movedFrom: null }], counts: [0, 0, 1, 0],
    },
    {
      why: 'a moved node is replaced make-before-break',
      current: [planned('a')], next: [planned('a', { servicePort: 2 })],
      steps: [{ kind: 'restart', name: 'a', inheritFrom: 'a', keepPayload: false, movedFrom: '/s/h:1' }], counts: [0, 0, 1, 0],
    },
    {
      why: 'a renamed section that keeps its node inherits from the old name',
      current: [planned('old')], next: [planned('new')],
      steps: [{ kind: 'restart', name: 'new', inheritFrom: 'old', keepPayload: true, movedFrom: null }, { kind: 'remove', name: 'old' }], counts: [1, 1, 0, 0],
    },
    {
      why: 'a new section on another node is not a rename',
      current: [planned('old')], next: [planned('new', { servicePort: 2 })],
      steps: [{ kind: 'add', name: 'new' }, { kind: 'remove', name: 'old' }], counts: [1, 1, 0, 0],
    },
    {
      why: 'two adjacent sections removed: both go (the original removed only the first)',
      current: [planned('a'), planned('b', { servicePort: 2 }), planned('c', { servicePort: 3 })], next: [planned('a')],
      steps: [{ kind: 'keep', name: 'a' }, { kind: 'remove', name: 'b' }, { kind: 'remove', name: 'c' }], counts: [0, 2, 0, 1],
    },
  ];
  for (const row of rows) {
    const plan = planReload(row.current, row.next);
    assert.deepEqual(plan.steps, row.steps, row.why);
    const { added, removed, changed, unchanged } = plan.counts;
    assert.deepEqual([added, removed, changed, unchanged], row.counts, row.why);
  }
});

test('a default host name that resolves differently moves the node even when the section is the same', () => {
  const plan = planReload([planned('a', { serviceHostname: null }, '/s/old-name:1')], [planned('a', { serviceHostname: null }, '/s/new-name:1')]);
  assert.deepEqual(plan.steps, [{ kind: 'restart', name: 'a', inheritFrom: 'a', keepPayload: false, movedFrom: '/s/old-name:1' }]);
});
