#!/usr/bin/env bash
# Installs the Debian packages the tests and the platform need, when some are missing:
# PostgreSQL and Redis (throwaway test servers), Chromium (browser tests), Pango/HarfBuzz (WeasyPrint PDFs),
# gettext (compilemessages). Quick no-op when everything is there. Installing needs root; without it, this
# script only says what is missing (and fails under CI=true, where a missing package must not go unseen).
set -euo pipefail

PACKAGES=(
    postgresql
    redis-server
    chromium
    libpango-1.0-0
    libpangoft2-1.0-0
    libharfbuzz-subset0
    fonts-dejavu-core
    gettext
)

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=()
for package in "${PACKAGES[@]}"; do
    installed "$package" || missing+=("$package")
done

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
    echo "system-deps: missing Debian packages: ${missing[*]}" >&2
    echo "system-deps: install them with: sudo apt-get install -y ${missing[*]}" >&2
    if [[ "${CI:-}" == true ]]; then exit 1; fi
    exit 0
fi

echo "system-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
