#!/bin/sh
# One bounded, reproducible libFuzzer run for ctest: fresh corpus dir, optional seeds from a
# generator, then -runs=N -seed=1. Fails on any crash, sanitizer report or leak.
# Usage: run_fuzz.sh FUZZER CORPUS_DIR RUNS MAX_LEN [SEED_GENERATOR KIND]
set -eu
fuzzer=$1
corpus=$2
runs=$3
max_len=$4
rm -rf "$corpus"
mkdir -p "$corpus"
if [ $# -ge 6 ]; then
  "$5" "$6" "$corpus"
fi
echo "corpus: $(ls "$corpus" | wc -l) seed files"
exec "$fuzzer" -runs="$runs" -seed=1 -max_len="$max_len" -timeout=10 -print_final_stats=1 "$corpus"
