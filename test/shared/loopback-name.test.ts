import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLoopbackName, loopbackHostNote } from '../../src/shared/loopback-name.js';

test('loopback names: localhost in its spellings, 127/8 and ::1; not names that merely contain them', () => {
  const table: [string, boolean][] = [
    ['localhost', true],
    ['Localhost', true],
    ['localhost.', true],
    ['localhost.localdomain', true],
    ['localhost6.localdomain6', true],
    ['ip6-localhost', true],
    ['ip6-loopback', true],
    ['app.localhost', true],
    ['127.0.0.1', true],
    ['127.0.1.1', true],
    ['127.255.255.254', true],
    ['::1', true],
    ['0:0:0:0:0:0:0:1', true],
    ['localhost-proxy', false],
    ['localhost.example.com', false],
    ['mylocalhost', false],
    ['web1.example.com', false],
    ['web1', false],
    ['127.0.0.1.nip.io', false],
    ['1127.0.0.1', false],
    ['10.0.0.1', false],
    ['::', false],
    ['fe80::1', false],
  ];
  for (const [name, loopback] of table) assert.equal(isLoopbackName(name), loopback, name);
});

test('the start-up note: only when the host name is loopback and a section registers under it', () => {
  const own = { serviceHostname: null };
  const explicit = { serviceHostname: 'web1.example.com' };
  assert.equal(
    loopbackHostNote('localhost', [own, explicit]),
    "this host's name is 'localhost' (it has no fully qualified name): 1 service without service_hostname registers as localhost:PORT, which other hosts cannot reach; give the host a name (hostname -f should print it) or set service_hostname",
  );
  assert.match(loopbackHostNote('localhost.localdomain', [own, own, explicit])!, /: 2 services without service_hostname register as localhost\.localdomain:PORT,/);
  assert.equal(loopbackHostNote('localhost', [explicit]), null, 'every section names its own host');
  assert.equal(loopbackHostNote('localhost', []), null, 'nothing registers');
  assert.equal(loopbackHostNote('web1.example.com', [own]), null);
});
