#!/usr/bin/env bash
# The test command: installs what is missing, builds the host tree with ASan + UBSan (which also
# builds the Cortex-M4 and RV32 trees and the fuzzers), and runs every test with CTest.
# --slow adds the package test afterwards: deploy/package.sh builds the .debs and
# deploy/package-test.sh installs, runs and purges them in a fresh Debian 12 root (tens of
# minutes): amd64 and arm64, the arm64 root under qemu-user-static.
# Usage (from anywhere, as root on a fresh Debian 12 machine): deploy/test.sh [--slow] [ctest args...]
set -euo pipefail
cd "$(dirname "$0")/.."

slow=no
if [ "${1:-}" = --slow ]; then
  slow=yes
  shift
fi

deploy/install-deps.sh
[ -x deploy/fetch-sources.sh ] && deploy/fetch-sources.sh

build=build/test
jobs=$(nproc)
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSOTTO_SANITIZE=ON
cmake --build "$build" -j "$jobs"
deploy/check-test-floors.sh "$build"
ctest --test-dir "$build" --output-on-failure --timeout 900 -j "$jobs" "$@"

if [ $slow = yes ]; then
  deploy/package.sh
  deploy/package-test.sh
fi
