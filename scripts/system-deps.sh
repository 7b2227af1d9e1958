#!/usr/bin/env bash
# Debian packages the app and the test suite need, each installed only when it is missing.
#   bash scripts/system-deps.sh            everything (make test)
#   bash scripts/system-deps.sh sandbox    only bubblewrap (make run)
# chromium + chromium-driver: the real-browser test; bubblewrap (bwrap): the sandbox for candidates' code.
set -euo pipefail
what="${1:-all}"
missing=()
if [ "$what" = all ] && ! command -v chromium >/dev/null 2>&1; then
  missing+=(chromium chromium-driver)
fi
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "Missing Debian packages: run 'apt-get install ${missing[*]}' as root." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
