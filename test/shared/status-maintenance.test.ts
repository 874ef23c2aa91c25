import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maintenanceFromFiles } from '../../src/shared/maintenance.js';
import { statusDocument, statusTable, type AgentFacts, type ServiceFacts } from '../../src/shared/status.js';

const T0 = Date.parse('2026-01-02T03:04:05.000Z');
const service = (name: string, maintenance: boolean): ServiceFacts => ({ name, path: `/s/${name}/h:80`, healthy: true, registration: maintenance ? 'absent' : 'registered', maintenance, healthSince: T0, lastResult: null });
const facts = (files: [string, string][], hostMaintenance: boolean): AgentFacts => ({
  version: '9.9.9',
  pid: 1,
  sessionState: 'connected',
  sessionId: '01',
  startedAt: T0,
  now: T0,
  hostMaintenance,
  maintenanceDir: '/m',
  services: [service('web', true), service('db', hostMaintenance)],
  maintenance: maintenanceFromFiles(files),
});

test("/status gives each service in maintenance its reason, and the host's", () => {
  const one = statusDocument(facts([['web', 'reason: deploy 42\nby: alice\nat: 2026-01-02T03:00:00.000Z\n']], false), null);
  assert.deepEqual(one.services[0]!.maintenanceNote, { reason: 'deploy 42', by: 'alice', at: '2026-01-02T03:00:00.000Z' });
  assert.equal(one.services[1]!.maintenanceNote, null);
  assert.equal(one.agent.hostMaintenanceNote, null);
  const host = statusDocument(facts([['all', 'rack move']], true), null);
  assert.deepEqual(host.agent.hostMaintenanceNote, { reason: 'rack move', by: null, at: null });
  assert.equal(host.services[1]!.maintenanceNote?.reason, 'rack move', "a service without its own file carries the host's reason");
  assert.match(statusTable(host, T0).split('\n')[0]!, /host maintenance ON: rack move$/);
});

test("the status table gives a service's own reason beside its health", () => {
  const doc = statusDocument(facts([['web', 'reason: deploy 42']], false), null);
  assert.match(statusTable(doc, T0), /^web\s+\/s\/web\/h:80\s+healthy \(maint: deploy 42\)\s+no\s/m);
  const host = statusDocument(facts([['all', 'rack move'], ['web', 'deploy 42']], true), null);
  assert.match(statusTable(host, T0), /^db\s+\/s\/db\/h:80\s+healthy \(maint\)\s+no\s/m, "the host's reason is in the heading, not on every row");
});
