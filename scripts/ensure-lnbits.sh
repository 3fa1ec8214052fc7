#!/usr/bin/env bash
# Installs the pinned LNbits release from PyPI into its own virtual environment (.lnbits-venv), for the
# integration tests that run a real LNbits with its FakeWallet funding source. Idempotent: a finished
# install leaves a stamp and is not repeated. LNbits pins its own dependencies, so it never shares the
# project's environment.
set -euo pipefail
cd "$(dirname "$0")/.."
LNBITS_VERSION="1.3.1"
VENV=".lnbits-venv"
STAMP="$VENV/.installed-$LNBITS_VERSION"
if [ -f "$STAMP" ]; then
    exit 0
fi
PYTHON="${LNBITS_PYTHON:-python3}"
test -x "$VENV/bin/python" || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# bitstring 4.x is imported by LNbits' bolt11 decoding; bitstring 5 dropped the API it uses.
"$VENV/bin/python" -m pip install --quiet "lnbits==$LNBITS_VERSION" "bitstring<5"
touch "$STAMP"
