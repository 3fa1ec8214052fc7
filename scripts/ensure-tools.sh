#!/usr/bin/env bash
# Makes sure the command-line tools the test suite drives are installed, from Debian's packages.
# Idempotent: a tool already present is left alone; apt-get runs only when something is missing.
# Each line of TOOLS is "<path that proves it is installed> <Debian package>"; add a line per tool.
set -euo pipefail

TOOLS="
/usr/bin/chromium chromium
/usr/sbin/dnsmasq dnsmasq-base
/usr/bin/wrk wrk
/usr/sbin/nginx nginx-light
/usr/sbin/haproxy haproxy
/usr/bin/prometheus prometheus
"

missing=()
while read -r path package; do
  [ -n "${path:-}" ] || continue
  [ -e "$path" ] || missing+=("$package")
done <<< "$TOOLS"

if [ ${#missing[@]} -eq 0 ]; then
  echo "Tools present."
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "Missing ${missing[*]}: install them from Debian's packages (as root: apt-get install ${missing[*]})." >&2
  exit 1
fi
# Another apt-get may hold the lock on a shared machine: wait for it rather than fail.
apt-get -o DPkg::Lock::Timeout=600 update -qq
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "Installed ${missing[*]}."
