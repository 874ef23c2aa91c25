// No Docker engine runs here, so the image is checked by reading its recipe: what it
// copies exists and is not ignored, and it starts the agent in --from-env mode.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

test('the entrypoint runs the built CLI with --from-env and small young-generation semi-spaces, as an unprivileged user', () => {
  const entrypoints = instructions.filter((l) => l.startsWith('ENTRYPOINT '));
  assert.equal(entrypoints.length, 1);
  const argv = JSON.parse(entrypoints[0]!.slice('ENTRYPOINT '.length)) as string[];
  assert.deepEqual(argv, ['node', '--max-semi-space-size=2', '/app/dist/main/cli.js', '--from-env']);
  // tsc maps src/main/cli.ts to dist/main/cli.js; the runtime stage copies dist/ to /app/dist.
  assert.ok(existsSync(join(ROOT, 'src/main/cli.ts')));
  assert.ok(instructions.includes('WORKDIR /app'));
  assert.ok(instructions.includes('COPY --from=build /src/dist ./dist'));
  const users = instructions.filter((l) => l.startsWith('USER '));
  assert.ok(users.length > 0 && !/^USER (root|0)\b/.test(users[users.length - 1]!), 'the last USER is not root');
});

test('every file the Dockerfile copies from the context exists and is not in .dockerignore', () => {
  const copies = instructions.filter((l) => l.startsWith('COPY ') && !l.includes('--from='));
  assert.ok(copies.length >= 3);
  for (const copy of copies) {
    const sources = copy.split(/\s+/).slice(1, -1);
    for (const source of sources) {
      assert.ok(existsSync(join(ROOT, source)), `${copy}: ${source} does not exist`);
      assert.ok(!ignored.includes(source.split('/')[0]!), `${copy}: ${source} is excluded by .dockerignore`);
    }
  }
});

test('the build stage builds dist/ (TypeScript and the zkw-spawn helper) with the package\'s own script', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
  assert.ok(instructions.includes('RUN npm run build'));
  assert.match(pkg.scripts.build!, /^tsc -p tsconfig\.json && .*sh src\/workers\/build-spawner\.sh dist\/workers/);
  assert.match(dockerfile, /apt-get install[^\n]*gcc/, 'a C compiler for the helper');
  // The runtime installs production dependencies only: the compiler stays in the build stage.
  assert.ok(instructions.some((l) => /^RUN npm ci --omit=dev\b/.test(l)));
  assert.equal(pkg.dependencies.typescript, undefined);
});
