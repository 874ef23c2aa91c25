#!/bin/sh
# Builds the zkw-notify helper (systemd notify messages) into DIR. Without a C compiler
# the agent falls back to systemd-notify(1) for each message (it says so in its log).
set -eu
out="${1:?usage: build-notify.sh DIR}"
src="$(dirname "$0")/zkw-notify.c"
cc="${CC:-cc}"
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "build-notify: no C compiler ($cc); under systemd the agent will use systemd-notify instead" >&2
  exit 0
fi
mkdir -p "$out"
"$cc" -O2 -Wall -Wextra -Werror -o "$out/zkw-notify.tmp" "$src"
mv "$out/zkw-notify.tmp" "$out/zkw-notify"
