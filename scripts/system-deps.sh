#!/usr/bin/env bash
# Debian packages the app and the test suite need, installed only where missing (idempotent).
#   chromium            the real-browser tests (Playwright drives Debian's build)
#   nginx-light         the sticky reverse proxy of the scale-out test (tests/topology.py, deploy/)
set -euo pipefail
declare -A NEED=(
  [chromium]="chromium chromium-driver"
  [nginx]="nginx-light"
)
missing=()
for cmd in "${!NEED[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing+=(${NEED[$cmd]})
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "Missing Debian packages: ${missing[*]}. Run 'apt-get install ${missing[*]}' as root." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
