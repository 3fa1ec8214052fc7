#!/usr/bin/env bash
# Installs the JavaScript packages the test suite runs (tests/js: nostr-tools, pinned in its
# package-lock.json) with `npm ci`, again only when the lock file changed. Needs node and npm.
set -euo pipefail

dir="$(cd "$(dirname "$0")/.." && pwd)/tests/js"
command -v npm >/dev/null || { echo "npm is missing: install Node.js (Debian: nodejs npm)" >&2; exit 1; }
stamp="$dir/node_modules/.lock-sha256"
want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "JavaScript test packages present."
  exit 0
fi
npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
echo "Installed the JavaScript test packages."
