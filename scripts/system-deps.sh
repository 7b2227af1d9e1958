#!/usr/bin/env bash
# Debian packages the app and the test suite need, each installed only when it is missing (idempotent).
#   bash scripts/system-deps.sh            everything (make test)
#   bash scripts/system-deps.sh sandbox    only bubblewrap (make run)
#   chromium, chromium-driver   the real-browser tests (Playwright drives Debian's build)
#   bubblewrap (bwrap)          the sandbox for candidates' code
#   nginx-light                 the sticky reverse proxy of the scale-out test (tests/topology.py, deploy/)
#   espeak-ng                   the fallback voice when piper cannot run (voice mode), and non-English test audio
set -euo pipefail
what="${1:-all}"
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
missing=()
have bwrap || missing+=(bubblewrap)
if [ "$what" = all ]; then
  have chromium || missing+=(chromium chromium-driver)
  have nginx || missing+=(nginx-light)
  have espeak-ng || missing+=(espeak-ng)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
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
