#!/usr/bin/env bash
# Makes sure the PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) the test suite uses answer:
# starts them when installed but stopped, installs them from Debian's packages when missing.
set -uo pipefail

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
wait_for() { for _ in $(seq 1 30); do "$1" && return 0; sleep 1; done; return 1; }
install_debian() {
  command -v apt-get >/dev/null || return 1
  [ "$(id -u)" = 0 ] || return 1
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! pg_up; then
  command -v pg_ctlcluster >/dev/null || install_debian postgresql
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$version" ]; then
    conf=/etc/postgresql/$version/main/pg_hba.conf
    if [ -f "$conf" ] && ! grep -q "^host all all 127.0.0.1/32 trust" "$conf"; then
      sed -i '1i host all all 127.0.0.1/32 trust' "$conf"
    fi
    pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null
  fi
  wait_for pg_up || { echo "PostgreSQL does not answer on 127.0.0.1:5432" >&2; exit 1; }
fi

if ! redis_up; then
  command -v redis-server >/dev/null || install_debian redis-server
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for redis_up || { echo "Redis does not answer on 127.0.0.1:6379" >&2; exit 1; }
fi
echo "PostgreSQL and Redis answer."
