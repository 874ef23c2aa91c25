#!/usr/bin/env bash
# `npm run example [-- zk-watcher flags]`: set up, then run the agent on
# test/fixtures/example.cfg (and a local ZooKeeper unless -s is given).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash test/support/setup.sh >&2
exec node build/test/support/run-example.js "$@"
