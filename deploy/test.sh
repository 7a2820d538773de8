#!/usr/bin/env bash
# The test command: installs what is missing, builds the host tree with ASan + UBSan (which also
# builds the Cortex-M4 and RV32 trees and the fuzzers), and runs every test with CTest.
# Usage (from anywhere, as root on a fresh Debian 12 machine): deploy/test.sh [ctest args...]
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh
[ -x deploy/fetch-sources.sh ] && deploy/fetch-sources.sh

build=build/test
jobs=$(nproc)
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSOTTO_SANITIZE=ON
cmake --build "$build" -j "$jobs"
deploy/check-test-floors.sh "$build"
ctest --test-dir "$build" --output-on-failure --timeout 900 -j "$jobs" "$@"
