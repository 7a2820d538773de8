#!/usr/bin/env bash
# Prints the conformance models of tests/infer/conformance_models.cmake, one line each:
#   name|model|golden|ops|cases|layer cases|target cases|host variants
# With a TARGET that has its own list there (SOTTO_CONFORMANCE_MODELS_<target>, e.g. cortex-m0:
# the models that fit its RAM and flash), only its models, and the cases it gives (name|cases)
# as their target cases.
# Usage: deploy/conformance-models.sh [TARGET]   (for bench-inference.sh and cost-profile.sh)
set -euo pipefail
file=$(dirname "$0")/../tests/infer/conformance_models.cmake
target=${1:-}
# The quoted entries of one set(NAME ...) block.
entries() { sed -n "/^set($1\$/,/^)/s/^  \"\\([^\"]*\\)\"\$/\\1/p" "$file"; }
all=$(entries SOTTO_CONFORMANCE_MODELS)
own=
[ -z "$target" ] || own=$(entries "SOTTO_CONFORMANCE_MODELS_$target")
if [ -z "$own" ]; then
  printf '%s\n' "$all"
  exit 0
fi
awk -F'|' -v OFS='|' 'NR == FNR { cases[$1] = $2; next }
  ($1 in cases) { if (cases[$1] != "") $7 = cases[$1]; print }' \
  <(printf '%s\n' "$own") <(printf '%s\n' "$all")
