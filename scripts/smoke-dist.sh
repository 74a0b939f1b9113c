#!/usr/bin/env bash
# The compiled build as the image runs it (`node <CMD options> dist/src/main.js`, after `npm run build`) on the
# `node` first on PATH (scripts/node24.sh scripts/smoke-dist.sh: on Node 24). It must start, answer
# /healthz and /readyz, print no warning of any kind, and end a SIGTERM with exit 0 and "stopped".
# Sandbox mode from an empty folder: emulators and store on random ports and a temp data dir.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() {
  echo "smoke-dist on $(node --version): $*" >&2
  cat out.log >&2
  exit 1
}

# Node's options from the image's CMD (`node <options> dist/src/main.js`), so they are checked on this Node too.
node_args=$(node -e '
  const cmd = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter((l) => /^CMD\s/.test(l)).at(-1);
  console.log(JSON.parse(cmd.slice(4)).slice(1, -1).join(" "));
' "$root/Dockerfile")
# shellcheck disable=SC2086 # the options are words of their own
PORT=0 HOST=127.0.0.1 LOG_LEVEL=info node $node_args "$root/dist/src/main.js" >out.log 2>&1 &
pid=$!
port=''
for _ in $(seq 1 240); do
  port=$(grep 'presence-sync listening' out.log | grep -o '"port":[0-9]*' | cut -d: -f2 || true)
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || fail 'exited before listening'
  sleep 0.5
done
[ -n "$port" ] || fail 'not listening after 120 s'
for path in /healthz /readyz; do
  curl -fsS -o /dev/null "http://127.0.0.1:$port$path" || fail "GET $path did not answer 2xx"
done
kill -TERM "$pid"
code=0
wait "$pid" || code=$?
[ "$code" -eq 0 ] || fail "exit code $code after SIGTERM"
grep -q '"msg":"stopped"' out.log || fail 'no "stopped" line after SIGTERM'
! grep -E 'Warning|^\(node:[0-9]+\)' out.log || fail 'printed a warning'
echo "smoke-dist on $(node --version) ($node_args): started, /healthz and /readyz answered, stopped cleanly, no warnings"
