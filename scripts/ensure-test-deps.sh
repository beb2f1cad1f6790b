#!/usr/bin/env bash
# `npm test` needs a redis-server binary (the Redis and queue specs start their own, on a free port),
# PostgreSQL's initdb and postgres (the PostgreSQL specs start their own cluster; Debian puts them in
# /usr/lib/postgresql/<version>/bin) and Debian's Chromium (the emulator inbox is tested in a real browser). Installs what is missing
# when it can (root with apt-get, as on CI); otherwise says what to install.
set -euo pipefail
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  missing+=(postgresql)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} for the test suite (apt-get)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "The test suite needs: ${missing[*]}. Install them (e.g. sudo apt-get install ${missing[*]}) and run npm test again." >&2
  exit 1
fi
