#!/usr/bin/env bash
# npm run test:image: the Dockerfile built with podman and the image run with buildah
# against a ZooKeeper on this machine's loopback (no Docker engine and no container registry
# are needed). Does its own set-up on a fresh Debian machine (as root): the project's setup,
# podman, buildah and debootstrap, and a cached local base image. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
run_start=$(date +%s)

[ "$(id -u)" = 0 ] || { echo "test:image: podman and debootstrap need root here" >&2; exit 1; }
bash test/support/setup.sh
missing=()
command -v podman >/dev/null || missing+=(podman)
command -v buildah >/dev/null || missing+=(buildah)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v openssl >/dev/null || missing+=(openssl)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "test:image: installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null >/dev/null
fi

# One run at a time on a machine: the image's status server has a fixed port (9647).
exec 9>/run/zk-watcher-test-image.lock
flock -n 9 || { echo "test:image: another run holds /run/zk-watcher-test-image.lock; waiting" >&2; flock 9; }

base=$(bash test/image/base-image.sh)
echo "# base image: $base"
status=0
ZKW_IMAGE_BASE="$base" timeout --kill-after=10 1800 \
  node --test --test-reporter=spec --test-concurrency=1 --test-timeout=1200000 build/test/image/image.test.js || status=$?
echo "# test:image: $(( $(date +%s) - run_start )) s in all, exit $status"
exit "$status"
