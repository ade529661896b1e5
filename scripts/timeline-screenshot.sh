#!/usr/bin/env bash
# Renders a vigil-sim --timeline page in headless Chromium and saves a PNG, to look at
# what a person will see. Installs Debian's chromium if it is missing.
#   bash scripts/timeline-screenshot.sh build/quota-cycle.html build/quota-cycle.png
set -euo pipefail
page=$(realpath "$1")
png=${2:-${1%.html}.png}
if ! command -v chromium >/dev/null; then
  sudo=(); [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  "${sudo[@]}" apt-get install -y -q --no-install-recommends chromium
fi
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --hide-scrollbars --window-size=1200,700 \
  --screenshot="$(realpath -m "$png")" "file://$page" 2>/dev/null
echo "screenshot: $png"
