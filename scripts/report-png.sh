#!/usr/bin/env bash
# Renders an HTML report to a PNG with headless Chromium (Debian package `chromium`), offline.
#
#   scripts/report-png.sh REPORT.html OUT.png [HEIGHT]
#
# The window is 1280 px wide (the width the report is made for) and HEIGHT px tall (default
# 7000, enough for a full report with 8 clusters); Chromium captures the window.
set -euo pipefail

html="${1:?usage: report-png.sh REPORT.html OUT.png [HEIGHT]}"
png="${2:?usage: report-png.sh REPORT.html OUT.png [HEIGHT]}"
height="${3:-7000}"

browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [ -z "$browser" ]; then
    echo "report-png: no chromium; install it with: apt-get install -y chromium" >&2
    exit 1
fi
[ -f "$html" ] || { echo "report-png: no such file: $html" >&2; exit 1; }

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
mkdir -p "$(dirname "$png")"
abs_html="$(cd "$(dirname "$html")" && pwd)/$(basename "$html")"
abs_png="$(cd "$(dirname "$png")" && pwd)/$(basename "$png")"

"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --user-data-dir="$profile" \
    --window-size=1280,"$height" --screenshot="$abs_png" "file://$abs_html" 2>"$profile/chromium.log" || {
        cat "$profile/chromium.log" >&2
        exit 1
    }
[ -s "$abs_png" ] || { cat "$profile/chromium.log" >&2; echo "report-png: no PNG written" >&2; exit 1; }
echo "report-png: $abs_png (1280x$height)"
