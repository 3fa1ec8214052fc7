#!/usr/bin/env bash
# Rebuilds adapters/http/static/redoc/ from the npm package `redoc`, so the docs page needs nothing
# from outside the server. Run by hand when upgrading Redoc; the result is committed.
# One change is made to the bundle: the Redocly logo in the sidebar footer is loaded from a CDN,
# unconditionally; its address becomes an empty data URL (the component hides an image that fails).
set -euo pipefail

VERSION="${1:-2.5.4}"
TARGET="$(cd "$(dirname "$0")/.." && pwd)/adapters/http/static/redoc"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

(cd "$WORK" && npm pack --silent "redoc@$VERSION" >/dev/null && tar xzf "redoc-$VERSION.tgz")
mkdir -p "$TARGET"
cp "$WORK/package/LICENSE" "$TARGET/LICENSE"
cp "$WORK/package/bundles/redoc.standalone.js.LICENSE.txt" "$TARGET/"
sed 's#src:"https://cdn.redoc.ly/redoc/logo-mini.svg"#src:"data:,"#' \
  "$WORK/package/bundles/redoc.standalone.js" > "$TARGET/redoc.standalone.js"
if grep -q 'cdn\.redoc\.ly' "$TARGET/redoc.standalone.js"; then
  echo "redoc $VERSION still loads from cdn.redoc.ly; adjust this script" >&2
  exit 1
fi
cat > "$TARGET/README.md" <<TEXT
Redoc $VERSION: \`bundles/redoc.standalone.js\` of the npm package \`redoc\`, MIT licence (LICENSE;
third-party notices in redoc.standalone.js.LICENSE.txt). Made by scripts/vendor-redoc.sh, which
points the sidebar's Redocly logo at an empty data URL instead of a CDN.
TEXT
echo "Redoc $VERSION written to $TARGET"
