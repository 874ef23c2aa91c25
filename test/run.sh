#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, builds, and runs
# every test (the integration tests start their own ZooKeeper servers).
set -euo pipefail
cd "$(dirname "$0")/.."
bash test/support/setup.sh
# One test file at a time: the machine has two cores and the integration tests start JVMs.
# Node 20 takes no globs after --test: name the test files (support files are not tests).
mapfile -t tests < <(find build/test -name '*.test.js' | sort)
# --test-force-exit: a test that fails before its cleanup must not leave its file running forever.
exec node --test --test-force-exit --test-concurrency=1 --test-timeout=300000 "${tests[@]}"
