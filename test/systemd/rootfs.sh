#!/usr/bin/env bash
# Prints the path of a Debian bookworm root file system for systemd-nspawn, made once by
# debootstrap and cached under .cache/systemd-root/. The cache key is the package list,
# so changing it builds a fresh root. A root is built in a temp dir and renamed into place
# only when debootstrap has finished, so an interrupted build is never taken for a cache.
set -euo pipefail
cd "$(dirname "$0")/../.."

# systemd + dbus: a booting system with systemctl and journalctl.
# procps: /bin/kill, which the unit's ExecReload= runs (every real Debian host has it).
# libstdc++6: the machine's Node binary, bound in read-only, links against it.
packages=systemd,systemd-sysv,dbus,procps,libstdc++6
suite=bookworm
mirror=http://deb.debian.org/debian

cache="$PWD/.cache/systemd-root"
key=$(printf '%s %s %s' "$suite" "$packages" "$mirror" | sha256sum | cut -c1-12)
root="$cache/$suite-$key"
if [ -x "$root/usr/lib/systemd/systemd" ]; then
  echo "$root"
  exit 0
fi

mkdir -p "$cache"
# Leftovers of an interrupted build (ours only: the .building- prefix).
rm -rf "$cache"/.building-*
tmp=$(mktemp -d "$cache/.building-XXXXXX")
# mktemp makes it 0700, and it becomes the container's /: the zk-watcher user must traverse it.
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
echo "rootfs.sh: debootstrap $suite ($packages) into $tmp" >&2
if ! debootstrap --variant=minbase --include="$packages" "$suite" "$tmp" "$mirror" >"$cache/debootstrap.log" 2>&1 </dev/null; then
  echo "rootfs.sh: debootstrap failed; the end of $cache/debootstrap.log:" >&2
  tail -n 30 "$cache/debootstrap.log" >&2
  exit 1
fi
rm -rf "$root"
mv "$tmp" "$root"
trap - EXIT
echo "rootfs.sh: debootstrap took $(( $(date +%s) - start )) s" >&2
echo "$root"
