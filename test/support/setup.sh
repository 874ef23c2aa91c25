#!/usr/bin/env bash
# Everything the tests and the example need on a fresh machine: Debian's zookeeper
# and rsyslog packages, python3 (the configparser reference), the npm packages, and both builds.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash test/support/ensure-zookeeper.sh
# Real tools the tests drive: rsyslog (syslog identity of -l), promtool (/metrics and the shipped alert rules).
bash test/support/ensure-debian-tools.sh rsyslog:rsyslogd prometheus:promtool
# Apache Curator 5.4's ServiceDiscovery and javac: test/integration/curator.test.ts compiles a small Java reader of our curator-format nodes.
bash test/support/ensure-debian-tools.sh openjdk-17-jdk-headless:javac
[ -e /usr/share/java/curator-x-discovery.jar ] || { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libcurator-discovery-java </dev/null \
  || { apt-get update -q </dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libcurator-discovery-java </dev/null; }; }
command -v python3 >/dev/null || { echo "python3 is needed: it is the reference the config tests compare with" >&2; exit 1; }
# kazoo (Debian's python3-kazoo) is the independent ZooKeeper client over TLS of test/integration/tls.test.ts; openssl makes its certificates.
/usr/bin/python3 -c 'import kazoo' 2>/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-kazoo </dev/null || { apt-get update -q </dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-kazoo </dev/null; }; }
bash test/support/ensure-debian-tools.sh openssl:openssl
# The fleet bench's observer (and its test) counts nodes with kazoo, a client library other than the agent's.
/usr/bin/python3 -c 'import kazoo' 2>/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-kazoo </dev/null >&2
# npm ci also builds dist/ (the prepare script); skip it while node_modules matches the lock file.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.zkw-lock-hash 2>/dev/null)" != "$lock_hash" ]; then
  npm ci --no-audit --no-fund
  echo "$lock_hash" > node_modules/.zkw-lock-hash
fi
rm -rf dist build
npm run --silent build
npm run --silent build:test
