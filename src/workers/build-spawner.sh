#!/bin/sh
# Builds the zkw-spawn check helper into DIR. Without a C compiler the agent still
# works, through Node's slower spawn (it says so in its log at start).
set -eu
out="${1:?usage: build-spawner.sh DIR}"
src="$(dirname "$0")/zkw-spawn.c"
cc="${CC:-cc}"
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "build-spawner: no C compiler ($cc); checks will use Node's spawn, which is slower" >&2
  exit 0
fi
mkdir -p "$out"
"$cc" -O2 -Wall -Wextra -Werror -o "$out/zkw-spawn.tmp" "$src"
mv "$out/zkw-spawn.tmp" "$out/zkw-spawn"
