#!/usr/bin/env bash
# Makes sure the real tools some tests drive are installed: each argument is
# PACKAGE:COMMAND (e.g. rsyslog:rsyslogd), installed from Debian when COMMAND is
# missing. Idempotent: with everything present it exits 0 without the network.
# Installing never starts the package's daemon (policy-rc.d says no): the tests run
# their own instances, and CI starts with no background processes.
set -euo pipefail

log() { printf 'ensure-debian-tools: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

missing=()
for spec in "$@"; do
  command -v "${spec#*:}" >/dev/null 2>&1 || [[ -x "/usr/sbin/${spec#*:}" ]] || missing+=("${spec%%:*}")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

[[ "${EUID:-$(id -u)}" -eq 0 ]] || die "not root, cannot install ${missing[*]}: run as root: apt-get install -y ${missing[*]}"
command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install ${missing[*]} by hand"
export DEBIAN_FRONTEND=noninteractive
policy=/usr/sbin/policy-rc.d
restore=""
if [[ ! -e "$policy" ]]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy"
  restore=yes
fi
trap '[[ -n "$restore" ]] && rm -f "$policy"' EXIT
log "installing ${missing[*]}"
apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null >&2 \
  || { apt-get update -q </dev/null >&2 && apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null >&2; } \
  || die "apt-get install ${missing[*]} failed"
for spec in "$@"; do
  command -v "${spec#*:}" >/dev/null 2>&1 || [[ -x "/usr/sbin/${spec#*:}" ]] || die "${spec#*:} is still missing after installing ${spec%%:*}"
done
