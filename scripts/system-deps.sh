#!/usr/bin/env bash
# Debian packages the app and the test suite need; each one missing is installed, the rest are left alone.
#   chromium, chromium-driver: the real-browser tests
#   espeak-ng: the fallback voice when piper cannot run (voice mode), and non-English test audio
set -euo pipefail
PACKAGES=(chromium chromium-driver)
PACKAGES+=(espeak-ng)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
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
