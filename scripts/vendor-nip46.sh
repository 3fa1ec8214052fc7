#!/usr/bin/env bash
# Rebuilds adapters/web/static/nip46/nostr-tools-nip46.js: the NIP-46 remote-signer client of the
# npm package `nostr-tools` (BunkerSigner over a relay pool, NIP-44 encryption), bundled once with
# esbuild into one ES module the sign-in page loads from this server. Run by hand when upgrading
# nostr-tools; the result is committed, so nothing is built at install or run time.
set -euo pipefail

VERSION="${1:-2.25.2}"
ESBUILD_VERSION="0.25.12"
TARGET="$(cd "$(dirname "$0")/.." && pwd)/adapters/web/static/nip46"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

command -v npm >/dev/null || { echo "npm is missing: install Node.js (Debian: nodejs npm)" >&2; exit 1; }
cd "$WORK"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund --save-exact "nostr-tools@$VERSION" "esbuild@$ESBUILD_VERSION"
cat > entry.js <<'JS'
export { BunkerSigner, parseBunkerInput } from "nostr-tools/nip46";
export { hexToBytes } from "nostr-tools/utils";
JS
mkdir -p "$TARGET"
npx esbuild entry.js --bundle --format=esm --minify --target=es2020 --legal-comments=eof \
  --outfile="$TARGET/nostr-tools-nip46.js" --log-level=warning
cp node_modules/nostr-tools/LICENSE "$TARGET/LICENSE"
{
  for package in @noble/ciphers @noble/curves @noble/hashes @scure/base; do
    echo "== $package $(node -p "require('./node_modules/$package/package.json').version") =="
    cat "node_modules/$package/LICENSE"
    echo
  done
} > "$TARGET/THIRD-PARTY-LICENSES.txt"
if grep -Eq 'https?://[a-z0-9.-]+\.[a-z]{2,}/[^"'"'"' ]*\.(js|mjs|wasm)' "$TARGET/nostr-tools-nip46.js"; then
  echo "the bundle names a script to load from elsewhere; check it before committing" >&2
  exit 1
fi
cat > "$TARGET/README.md" <<TEXT
nostr-tools $VERSION: \`BunkerSigner\`, \`parseBunkerInput\` (nostr-tools/nip46) and \`hexToBytes\`
(nostr-tools/utils), bundled with esbuild $ESBUILD_VERSION into one ES module. nostr-tools is under
the Unlicense (LICENSE); the libraries bundled with it (@noble/ciphers, @noble/curves,
@noble/hashes, @scure/base) are MIT (THIRD-PARTY-LICENSES.txt). Made by scripts/vendor-nip46.sh.
TEXT
echo "nostr-tools $VERSION NIP-46 client written to $TARGET"
