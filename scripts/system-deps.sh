#!/usr/bin/env bash
# Installs the Debian packages the tests use: Chromium (browser tests, PDF fallback), fonts, poppler (pdftotext)
# and Pango (weasyprint). Needs root; without it, it says what to install and the browser tests skip.
# When another apt or dpkg process holds its lock, this waits for it, up to APT_LOCK_TIMEOUT seconds (default 600).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium chromium-driver)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
[ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || need+=(fonts-noto-color-emoji)
ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: please install: ${need[*]} (e.g. sudo apt-get install ${need[*]}); browser/PDF tests will skip" >&2
  exit 0
fi

lock_timeout=${APT_LOCK_TIMEOUT:-600}
# apt-get waits for dpkg's lock with this option (apt >= 1.9.11; older apt ignores it) ...
apt_options=(-o "DPkg::Lock::Timeout=$lock_timeout")

# ... but `apt-get update` (apt 2.6, Debian 12) still fails at once on the package lists' lock, so retry it until
# the same deadline.
update_package_lists() {
  local deadline=$((SECONDS + lock_timeout)) output waited=0
  while ! output=$(apt-get "${apt_options[@]}" update -qq 2>&1); do
    if ! grep -q "Could not get lock" <<<"$output"; then
      echo "$output" >&2
      echo "system-deps: apt-get update failed" >&2
      return 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      echo "$output" >&2
      echo "system-deps: another apt process still holds the package lists after ${lock_timeout} s (APT_LOCK_TIMEOUT)" >&2
      return 1
    fi
    if [ $waited -eq 0 ]; then
      echo "system-deps: another apt process holds the package lists; waiting up to ${lock_timeout} s" >&2
      waited=1
    fi
    sleep 3
  done
  if [ -n "$output" ]; then echo "$output" >&2; fi
}

echo "system-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
update_package_lists
apt-get "${apt_options[@]}" install -y -qq --no-install-recommends "${need[@]}" >/dev/null
