// --print-config and the status table name each service's registry format.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderConfig } from '../../../src/main/cli/print-config.js';
import { buildConfig } from '../../../src/shared/config.js';
import { statusDocument, statusTable, type AgentFacts } from '../../../src/shared/status.js';

test('--print-config shows each service\'s format (curator with its keys) and the node its format names', () => {
  const base = (port: number) => `cmd: true\nrefresh: 1\nservice_port: ${port}\nzookeeper_path: /d/web\n`;
  const text = `[plain]\n${base(80)}[cur]\n${base(81).replace('/d/web', '/c/web')}format: curator\nuri_spec: {scheme}://{address}:{port}\n[ss]\n${base(82).replace('/d/web', '/s/web')}format: serverset\n`;
  const { config, problems } = buildConfig([{ file: 't.cfg', text }]);
  assert.ok(config, JSON.stringify(problems));
  const services = (JSON.parse(renderConfig(config, 'host.example')) as { services: Record<string, unknown>[] }).services;
  const shown = services.map((s) => [s.name, s.format, s.ssl_port, s.uri_spec, s.znode]);
  assert.deepEqual(shown.slice(0, 2), [
    ['plain', 'zk_watcher', undefined, undefined, '/d/web/host.example:80'],
    ['cur', 'curator', null, '{scheme}://{address}:{port}', '/c/web/host.example:81'],
  ]);
  assert.equal(shown[2]![1], 'serverset');
  assert.match(String(shown[2]![4]), /^\/s\/web\/member_\d{19}$/);
});

test('/status carries each service\'s format; the status table names a format other than zk_watcher beside the node', () => {
  const T0 = Date.parse('2026-01-02T03:04:05.000Z');
  const service = (name: string, path: string, format?: 'curator' | 'zk_watcher') => ({ name, path, ...(format === undefined ? {} : { format }), healthy: true, registration: 'registered' as const, maintenance: false, healthSince: T0, lastResult: null });
  const facts: AgentFacts = {
    version: '1', pid: 1, sessionState: 'connected', sessionId: '01', startedAt: T0, now: T0, hostMaintenance: false, maintenanceDir: '/m',
    services: [service('cur', '/c/web/h:81', 'curator'), service('zk', '/d/web/h:80', 'zk_watcher')],
  };
  const doc = statusDocument(facts, null);
  assert.deepEqual(doc.services.map((s) => s.format), ['curator', 'zk_watcher']);
  const rows = statusTable(doc, T0).split('\n');
  assert.match(rows.find((l) => l.startsWith('cur'))!, /^cur\s+\/c\/web\/h:81 \(curator\)\s+healthy\s+yes/);
  assert.match(rows.find((l) => l.startsWith('zk '))!, /^zk\s+\/d\/web\/h:80\s+healthy\s+yes/);
});
