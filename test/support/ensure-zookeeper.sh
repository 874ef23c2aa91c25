#!/usr/bin/env bash
# Makes sure a real Apache ZooKeeper (Debian's `zookeeper` package, 3.8) and a
# Java runtime are available for the integration tests. Idempotent: when
# everything is already installed it only checks and exits 0 (no network).
# Otherwise it runs `apt-get update` + `apt-get install -y zookeeper`
# non-interactively (needs root). Exits non-zero with a clear message if it
# cannot provide a working setup.
set -euo pipefail

ZK_JAR=/usr/share/java/zookeeper.jar
# The test harness runs the server with this explicit classpath (the jar's
# manifest Class-Path pulls in the rest); the log4j 1.2 binding is what the
# Debian build logs through.
NEEDED_JARS=("$ZK_JAR" /usr/share/java/slf4j-log4j12.jar /usr/share/java/log4j-1.2.jar)

log() { printf 'ensure-zookeeper: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

missing_jars() {
  local j out=""
  for j in "${NEEDED_JARS[@]}"; do [[ -e "$j" ]] || out+="$j "; done
  printf '%s' "$out"
}

have_java() { command -v java >/dev/null 2>&1 && java -version >/dev/null 2>&1; }

if [[ -z "$(missing_jars)" ]] && have_java; then
  exit 0
fi

log "ZooKeeper and/or Java missing: $(missing_jars)$(have_java || echo 'java')"

if [[ "${EUID:-$(id -u)}" -ne 0 ]]; then
  die "not root, cannot apt-get install. Run as root: apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y zookeeper"
fi
command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install Apache ZooKeeper 3.8 (Debian package 'zookeeper') and a JRE manually"

export DEBIAN_FRONTEND=noninteractive
log "running apt-get update"
apt-get update -q </dev/null >&2 || die "apt-get update failed"
log "running apt-get install -y zookeeper"
apt-get install -y -q --no-install-recommends zookeeper </dev/null >&2 \
  || die "apt-get install zookeeper failed"

if ! have_java; then
  log "java still missing; installing default-jre-headless"
  apt-get install -y -q --no-install-recommends default-jre-headless </dev/null >&2 \
    || die "apt-get install default-jre-headless failed"
fi

[[ -z "$(missing_jars)" ]] || die "still missing after install: $(missing_jars)"
have_java || die "'java' is not on PATH (or does not run) after install"
log "ok: $(java -version 2>&1 | head -n1); $ZK_JAR present"
