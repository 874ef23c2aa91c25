#!/usr/bin/env bash
# `npm run bench [-- flags]`: set up (as the tests do), then run the benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
bash test/support/setup.sh >&2
exec node build/bench/bench.js "$@"
