#!/usr/bin/env bash
# Installs what the nostr.json benchmark drives, from Debian's packages: wrk (the load generator)
# and nginx (the static-file reference). Idempotent; needs root when something is missing.
set -euo pipefail
missing=()
command -v wrk >/dev/null || missing+=(wrk)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || missing+=(nginx-light)
command -v taskset >/dev/null || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi
echo "wrk, nginx and taskset present."
