#!/usr/bin/env bash
# Gets this machine ready to run the service (`start`) or its tests (`test`): installs missing
# Debian packages (when root or sudo is available), starts PostgreSQL and Redis when they are not
# running, and installs npm dependencies when node_modules is missing or older than the lock file.
# Idempotent: a second run does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
purpose="${1:-test}"

say() { printf '[prepare] %s\n' "$*" >&2; }
can_root() { [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }

missing=()
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need psql postgresql-client
need pg_ctlcluster postgresql
need redis-server redis-server
need lbzip2 lbzip2
need bzip2 bzip2
if [ "$purpose" = test ]; then
  need gzip gzip
  need unzip unzip
  need 7z p7zip-full
  need gpg gnupg
  need bsdtar libarchive-tools
  need java openjdk-17-jre-headless
  # The browser test drives Debian's Chromium through playwright-core (which downloads no browser).
  need chromium chromium
  # SFTP delivery tests start a private OpenSSH sshd; FTPS tests make their certificate with openssl.
  [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
  need openssl openssl
  # The soffice binary can outlive Calc (libreoffice-core stays), so ask for the package itself.
  installed libreoffice-calc-nogui || installed libreoffice-calc || missing+=(libreoffice-calc-nogui)
  /usr/bin/python3 -c 'import openpyxl' 2>/dev/null || missing+=(python3-openpyxl)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if can_root; then
    say "installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "missing Debian packages: ${missing[*]} (apt-get install them, or run as root)"
    exit 1
  fi
fi

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  say 'starting PostgreSQL'
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  say 'starting Redis'
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' --appendonly no \
    --maxmemory-policy noeviction --dir /var/lib/redis --logfile /var/log/redis/export-service.log
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi
# BullMQ loses jobs if Redis may evict keys.
redis-cli -h 127.0.0.1 -p 6379 config set maxmemory-policy noeviction >/dev/null 2>&1 || say 'could not set Redis maxmemory-policy noeviction'

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say 'installing npm dependencies (npm ci)'
  npm ci --no-audit --no-fund --loglevel=error
fi
