#!/bin/sh
# The on-target conformance runner fails on golden files that are missing, and names each: a copy
# of hello_world_int8's golden data without case 1's input, case 8's second layer file and case
# 9's output must give exit status 1, a MISSING line per file, the three cases that could run
# with the 8 layers whose files exist (the missing one is a mismatch, not a compared layer),
# 3 mismatches and the COUNTS line (4 cases and 9 layers asked for).
# Usage: target_missing_files_test.sh QEMU_RUN TARGET IMAGE.elf MODEL.smdl GOLDEN_DIR WORK_DIR
set -eu
qemu_run=$1
target=$2
image=$3
model=$4
golden=$5
work=$6
rm -rf "$work"
mkdir -p "$work"
cp -r "$golden" "$work/golden"
rm "$work/golden/input_1.bin" "$work/golden/layers/case8_op01.bin" "$work/golden/output_9.bin"
status=0
"$qemu_run" "$target" "$image" -semihosting-config \
  "arg=infer_target,arg=conform,arg=$model,arg=$work/golden,arg=3,arg=0+1+8+9,arg=0+1+8+9" \
  > "$work/out.txt" 2>&1 || status=$?
cat "$work/out.txt"
expect() {
  grep -qxF "$1" "$work/out.txt" || { echo "expected the line: $1" >&2; exit 1; }
}
[ "$status" -eq 1 ] || { echo "expected exit status 1, got $status" >&2; exit 1; }
expect "MISSING $work/golden/input_1.bin"
expect "MISSING $work/golden/layers/case8_op01.bin"
expect "MISSING $work/golden/output_9.bin"
expect "cases 3 layers 8 mismatches 3 arena 32"
expect "COUNTS differ: ran 3 of 4 cases, compared 8 of 9 layers"
echo "missing files refused on $target"
