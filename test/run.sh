#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, builds, and runs
# every test (the integration tests start their own ZooKeeper servers).
set -euo pipefail
cd "$(dirname "$0")/.."
bash test/support/setup.sh
# One test file at a time: the machine has two cores and the integration tests start JVMs.
# Node 20 takes no globs after --test: name the test files (support files are not tests).
mapfile -t tests < <(find build/test -name '*.test.js' | sort)
exec node --test --test-concurrency=1 --test-timeout=600000 "${tests[@]}"
