#!/usr/bin/env bash
# npm run test:systemd: zk-watcher.service under a real systemd 252, in a Debian bookworm
# container (systemd-nspawn) that talks to a ZooKeeper on this machine's loopback. Does
# its own set-up on a fresh Debian machine (as root): the project's setup, debootstrap and
# systemd-container, and a cached root file system. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
run_start=$(date +%s)

[ "$(id -u)" = 0 ] || { echo "test:systemd: systemd-nspawn needs root" >&2; exit 1; }
bash test/support/setup.sh
missing=()
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v systemd-nspawn >/dev/null || missing+=(systemd-container)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "test:systemd: installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null >/dev/null
fi
root=$(bash test/systemd/rootfs.sh)
# The build makes dist/main/cli.js executable (tsc writes it 0644): /usr/bin/zk-watcher links to it.
[ -x dist/main/cli.js ] || { echo "test:systemd: dist/main/cli.js is not executable after the build" >&2; exit 1; }

# One run at a time on a machine: without systemd here, nspawn puts every container into
# the same cgroups (/supervisor, /payload at the root), so two containers would share them.
exec 9>/run/zk-watcher-test-systemd.lock
flock -n 9 || { echo "test:systemd: another run holds /run/zk-watcher-test-systemd.lock; waiting" >&2; flock 9; }

echo "# root file system: $root"
status=0
ZKW_SYSTEMD_ROOT="$root" timeout --kill-after=10 1200 \
  node --test --test-reporter=spec --test-concurrency=1 --test-timeout=900000 build/test/systemd/systemd.test.js || status=$?
echo "# test:systemd: $(( $(date +%s) - run_start )) s in all, exit $status"
exit "$status"
