#!/usr/bin/env bash
# Installs the Debian tools the test suite runs (each only when missing), idempotently.
# dnsmasq: the DNS server the domain-verification tests start on a loopback port.
set -euo pipefail

DEBIAN_PACKAGES=(dnsmasq-base)
COMMANDS=(dnsmasq)

missing=()
for i in "${!COMMANDS[@]}"; do
  command -v "${COMMANDS[$i]}" >/dev/null 2>&1 || missing+=("${DEBIAN_PACKAGES[$i]}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null || [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages (install them as root): ${missing[*]}" >&2
    exit 1
  fi
  # Another apt-get may hold the lock on a shared machine: wait for it rather than fail.
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null
fi
echo "Tools present: ${COMMANDS[*]}."
