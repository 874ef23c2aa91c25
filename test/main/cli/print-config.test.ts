import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderConfig } from '../../../src/main/cli/print-config.js';
import { buildConfig } from '../../../src/shared/config.js';

function printed(text: string): Record<string, unknown>[] {
  const { config, problems } = buildConfig([{ file: 't.cfg', text }]);
  assert.ok(config, JSON.stringify(problems));
  return (JSON.parse(renderConfig(config, 'host.example')) as { services: Record<string, unknown>[] }).services;
}

const BASE = 'refresh: 1\nservice_port: 80\nzookeeper_path: /w\n';

test('--print-config shows only the check kinds a section set, the http URL without its password', () => {
  const [web, db] = printed(`[web]\nhttp: https://admin:hunter2@web.example.com/ok\n${BASE}[db]\ncmd: true\ntcp: [::1]:5432\n${BASE.replace('/w', '/d')}`);
  assert.deepEqual([web?.cmd, web?.http, web?.tcp], [undefined, 'https://admin:***@web.example.com/ok', undefined]);
  assert.deepEqual([db?.cmd, db?.http, db?.tcp], ['true', undefined, '[::1]:5432']);
  assert.deepEqual(Object.keys(db ?? {}).slice(0, 4), ['name', 'cmd', 'tcp', 'refresh'], 'checks come right after the name');
});
