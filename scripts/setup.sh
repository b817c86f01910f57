#!/usr/bin/env bash
# Set up everything the cockpit needs on a bare Debian machine with Python 3.11
# (run as root). Idempotent: a second run only checks. `--test` also installs
# what the test suite needs (Debian's chromium for browser tests, PostgreSQL for
# the PostgreSQL source tests, a CJK font for screenshots).
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

apt_pkgs=()
python3 -c 'import ensurepip, venv' 2>/dev/null || apt_pkgs+=(python3-venv)
if [ "$want_test" = 1 ]; then
  command -v chromium >/dev/null || apt_pkgs+=(chromium)
  command -v chromedriver >/dev/null || apt_pkgs+=(chromium-driver)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_pkgs+=(postgresql)
  fc-list 2>/dev/null | grep -qi 'wenquanyi\|noto sans cjk' || apt_pkgs+=(fonts-wqy-zenhei)
fi
if [ "${#apt_pkgs[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${apt_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${apt_pkgs[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
# Reinstall only when requirements.txt changed since the last successful install.
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
  echo "$want" > "$stamp"
fi

# Region tree and simplified boundaries for the configured root (skips when up to date).
.venv/bin/python -m pipeline geo >/dev/null
echo "setup: ok"
