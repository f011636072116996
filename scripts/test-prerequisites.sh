#!/usr/bin/env bash
# What `npm test` needs besides npm packages: the real servers the tests talk to on 127.0.0.1. Installs the
# Debian packages that are missing (Dovecot for IMAP, OpenSSH for SFTP, Chromium for the browser tests: the tests
# start and stop these servers themselves) and starts the local PostgreSQL cluster if it is not accepting
# connections. Needs root (or password-less sudo) only when something is missing. Used by `npm test` and .ci/run.
set -euo pipefail

REQUIRED_PACKAGES=(dovecot-imapd openssh-server chromium)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    echo "test-prerequisites: '$*' needs root; run it as root or install: ${REQUIRED_PACKAGES[*]} and start PostgreSQL" >&2
    exit 1
  fi
}

missing=()
for package in "${REQUIRED_PACKAGES[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "test-prerequisites: installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  # No systemd on these machines: start the Debian cluster directly.
  version=$(ls /etc/postgresql)
  echo "test-prerequisites: PostgreSQL is not accepting connections; starting cluster $version/main"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 1
  done
  pg_isready -h 127.0.0.1 -p 5432
fi
