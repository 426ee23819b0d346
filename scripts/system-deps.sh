#!/usr/bin/env bash
# Install the Debian packages gridmap's tests and exports need, when missing and when we are root.
#   chromium            headless browser for page tests and image export (kaleido uses it too)
#   fonts-noto-cjk      CJK glyphs for the browser and exported images
#   postgresql-15-postgis-3, postgresql  the production store (PostGIS) for the store tests
# Without root it only reports what is missing; the tests that need it then skip with a reason.
set -u
want=(chromium fonts-noto-cjk postgresql postgresql-15-postgis-3)
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "system-deps: missing Debian packages: ${missing[*]} (not root or no apt-get; install them by hand)" >&2
  exit 0
fi
echo "system-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  || { echo "system-deps: apt-get install failed" >&2; exit 1; }
