#!/usr/bin/env bash
# Fetches the nanopb and mbedTLS C sources for cross builds from Debian's source packages into
# build/cache/src/ (nothing third-party is committed). Idempotent: quick when the cache exists.
# When apt has no deb-src entry yet, adds one for the same Debian archive and suites as the
# system's deb entries: from /etc/apt/sources.list.d/debian.sources (deb822, Debian 12's
# default) or, on roots that still use it, the one-line /etc/apt/sources.list.
# Prints SOTTO_NANOPB_SOURCE_DIR=... and SOTTO_MBEDTLS_SOURCE_DIR=... lines.
set -euo pipefail
cd "$(dirname "$0")/.."
cache=$PWD/build/cache/src
mkdir -p "$cache"

find_dir() { find "$cache" -maxdepth 1 -type d -name "$1-*" | sort | tail -n1; }

have_deb_src() {  # only files apt reads (*.list, *.sources), not disabled copies
  grep -qsE '^[[:space:]]*(Types:.*deb-src|deb-src[[:space:]])' /etc/apt/sources.list \
    /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources
}

add_deb_src() {
  local deb822=/etc/apt/sources.list.d/debian.sources oneline=/etc/apt/sources.list
  if [ "$(id -u)" -ne 0 ]; then
    echo "fetch-sources: no deb-src entry in apt's sources; run as root to add one" >&2
    exit 1
  fi
  if [ -f "$deb822" ] && grep -qE '^Types:.*\bdeb\b' "$deb822"; then
    # Every stanza (main archive, updates, security): same URIs, suites, components and key.
    awk 'BEGIN { RS = ""; ORS = "\n\n" }
         /(^|\n)Types:[^\n]*deb/ { sub(/Types:[^\n]*/, "Types: deb-src"); print }' "$deb822" \
      >/etc/apt/sources.list.d/sotto-deb-src.sources
  elif [ -f "$oneline" ] && grep -qE '^[[:space:]]*deb[[:space:]]' "$oneline"; then
    sed -nE 's/^[[:space:]]*deb([[:space:]])/deb-src\1/p' "$oneline" \
      >/etc/apt/sources.list.d/sotto-deb-src.list
  else
    echo "fetch-sources: no deb entry in $deb822 or $oneline to derive a deb-src entry from" >&2
    exit 1
  fi
}

# The source version behind the installed binary package, so the cross build compiles the same
# code as the host's library; empty when the package is not installed.
installed_source_version() {
  dpkg-query -W -f='${source:Version}' "$1" 2>/dev/null || true
}

fetch() {  # fetch SOURCE_PACKAGE BINARY_PACKAGE
  local version
  version=$(installed_source_version "$2")
  # Unpacks with Debian's patches applied (needs dpkg-dev for dpkg-source).
  if [ -n "$version" ] && (cd "$cache" && apt-get source -qq "$1=$version" >/dev/null); then
    return
  fi
  (cd "$cache" && apt-get source -qq "$1" >/dev/null)
}

if [ -z "$(find_dir nanopb)" ] || [ -z "$(find_dir mbedtls)" ]; then
  if ! have_deb_src; then
    add_deb_src
    apt-get update -qq
  elif [ -z "$(apt-cache showsrc nanopb 2>/dev/null)" ]; then
    apt-get update -qq
  fi
  [ -n "$(find_dir nanopb)" ] || fetch nanopb libnanopb-dev
  [ -n "$(find_dir mbedtls)" ] || fetch mbedtls libmbedtls-dev
fi

nanopb=$(find_dir nanopb)
mbedtls=$(find_dir mbedtls)
[ -f "$nanopb/pb_decode.c" ] || { echo "fetch-sources: nanopb sources missing in $cache" >&2; exit 1; }
[ -f "$mbedtls/library/ecdsa.c" ] || { echo "fetch-sources: mbedtls sources missing in $cache" >&2; exit 1; }
echo "SOTTO_NANOPB_SOURCE_DIR=$nanopb"
echo "SOTTO_MBEDTLS_SOURCE_DIR=$mbedtls"
