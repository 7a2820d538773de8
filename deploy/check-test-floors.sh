#!/usr/bin/env bash
# Fails when a test group registered fewer tests than tests/registered_test_floors.txt expects, so
# a missing tool or missing shared data cannot turn into a green run with whole groups absent.
# Usage: deploy/check-test-floors.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
build=$1
names=$(ctest --test-dir "$build" -N | awk '/^ *Test +#[0-9]+:/ { print $3 }')
failed=0
while read -r pattern floor why; do
  case "$pattern" in '' | '#'*) continue ;; esac
  count=$(grep -cE -- "$pattern" <<<"$names" || true)
  if [ "$count" -lt "$floor" ]; then
    echo "check-test-floors: '$pattern' registered $count tests, expected at least $floor ($why)" >&2
    failed=1
  fi
done <tests/registered_test_floors.txt
[ "$failed" -eq 0 ] || { echo "check-test-floors: whole test groups are missing; see above" >&2; exit 1; }
echo "check-test-floors: $(wc -l <<<"$names") tests registered, every group at or above its floor"
