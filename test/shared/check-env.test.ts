import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AGENT_ONLY_VARIABLES, checkEnvironment } from '../../src/shared/check-env.js';

test("checks keep the agent's environment except what systemd gave the agent alone", () => {
  const env: Record<string, string | undefined> = { PATH: '/bin', HOME: '/root', LANG: 'C.UTF-8', UNSET: undefined };
  for (const k of AGENT_ONLY_VARIABLES) env[k] = 'x';
  assert.deepEqual(checkEnvironment(env), { PATH: '/bin', HOME: '/root', LANG: 'C.UTF-8' });
  assert.ok(AGENT_ONLY_VARIABLES.includes('NOTIFY_SOCKET') && AGENT_ONLY_VARIABLES.includes('CREDENTIALS_DIRECTORY'));
});
