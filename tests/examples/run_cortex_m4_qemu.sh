#!/usr/bin/env bash
# Builds examples/cortex-m4-qemu the way its README says a firmware team does (its own toolchain
# file, the SDK from an install prefix or from source), runs it under QEMU and checks what it
# printed: the model's output is bit-exact with `sottoctl model run` on the host for the same
# input, Health goes out first, and the event is exactly the bytes the wire format gives.
#
# Usage: run_cortex_m4_qemu.sh [--sdk-tree BUILD_DIR] [--tools DIR] [--source PATH_OR_URL]
#                              [--cmake-arg ARG]... EXAMPLE_DIR WORK_DIR
#   --sdk-tree  install that Cortex-M4 build tree's sdk component into WORK_DIR/prefix and build
#               against it (without it: the installed package, e.g. /usr from libsotto-device-dev)
#   --tools     put DIR (sottoctl, sotto-model-synth) first on PATH
#   --source    build the SDK from source through FetchContent (-DSOTTO_SOURCE=...): a checkout
#               (add_subdirectory) or a source archive's URL
#   --archive   pack the checkout DIR as a source archive (no build/, no .git) and use its URL
set -euo pipefail

sdk_tree='' source='' archive_from='' cmake_args=()
while [ $# -gt 2 ]; do
  case "$1" in
    --sdk-tree) sdk_tree=$2; shift 2 ;;
    --tools) PATH="$2:$PATH"; shift 2 ;;
    --source) source=$2; shift 2 ;;
    --archive) archive_from=$2; shift 2 ;;
    --cmake-arg) cmake_args+=("$2"); shift 2 ;;
    *) echo "run_cortex_m4_qemu: unknown option $1" >&2; exit 2 ;;
  esac
done
[ $# -eq 2 ] || { echo "usage: run_cortex_m4_qemu.sh [options] EXAMPLE_DIR WORK_DIR" >&2; exit 2; }
example=$(cd "$1" && pwd) work=$2
rm -rf "$work" && mkdir -p "$work" && work=$(cd "$work" && pwd)

fail() {
  echo "example: $*" >&2
  exit 1
}
run_logged() {  # run_logged LOG COMMAND...: quiet unless it fails
  local log=$1
  shift
  "$@" > "$log" 2>&1 || { cat "$log" >&2; fail "failed: $*"; }
}

if [ -n "$sdk_tree" ]; then
  run_logged "$work/install.log" cmake --install "$sdk_tree" --component sdk --prefix "$work/prefix"
  cmake_args+=("-DCMAKE_PREFIX_PATH=$work/prefix")
fi
if [ -n "$archive_from" ]; then
  tar -czf "$work/sotto-source.tar.gz" -C "$archive_from" --exclude=./build --exclude=./.git .
  source=file://$work/sotto-source.tar.gz
fi
[ -z "$source" ] || cmake_args+=("-DSOTTO_SOURCE=$source")
run_logged "$work/configure.log" cmake -S "$example" -B "$work/build" -G Ninja \
  -DCMAKE_TOOLCHAIN_FILE="$example/arm-none-eabi.cmake" "${cmake_args[@]}"
run_logged "$work/build.log" cmake --build "$work/build"

console=$work/console.txt
status=0
timeout 120 qemu-system-arm -M mps2-an386 -nographic -monitor none \
  -semihosting-config enable=on,target=native -kernel "$work/build/sensor-node.elf" \
  > "$console" 2>&1 || status=$?
[ $status -eq 0 ] || { cat "$console" >&2; fail "sensor-node exited with $status"; }
grep -qx done "$console" || { cat "$console" >&2; fail "no 'done' line"; }

# The same input on the host engine.
input_bytes=$(sed -n 's/^input \([0-9]*\)\r\{0,1\}$/\1/p' "$console")
[ -n "$input_bytes" ] || fail "no 'input' line"
for ((i = 0; i < input_bytes; i++)); do
  printf "\\x$(printf %02x $(((i * 37 + 11) & 255)))"
done > "$work/input.bin"
run_logged "$work/model-run.log" sottoctl model run "$work/build/model.smdl" \
  --input "$work/input.bin" --output "$work/output.bin"
host_output=$(od -An -v -tx1 "$work/output.bin" | tr -d ' \n')
device_output=$(sed -n 's/^output \([0-9a-f]*\)\r\{0,1\}$/\1/p' "$console")
[ "$device_output" = "$host_output" ] ||
  fail "Cortex-M4 output $device_output differs from the host's $host_output"

# Class and score from the host output; the event's exact bytes (proto/sotto/v1/event.proto):
# kind CLASSIFICATION, core = class | score << 8 (seq 0, 0 s since boot), one temperature reading
# of 2150 centi-degrees (sint32 zigzag 4300 = varint cc 21).
best=0 best_value=-129 index=0
for byte in $(od -An -v -td1 "$work/output.bin"); do
  if [ "$byte" -gt "$best_value" ]; then best=$index best_value=$byte; fi
  index=$((index + 1))
done
score=$((best_value + 128))
core=$(printf '%02x%02x000000000000' "$best" "$score")
[ "$core" != 0000000000000000 ] || core=''  # proto3 leaves a zero field out
expected="0802${core:+11$core}1a05080110cc21"
topics=$(sed -n 's/^publish \([^ ]*\) .*/\1/p' "$console" | tr '\n' ' ')
[ "$topics" = "sotto/v1/lab/node-1/health sotto/v1/lab/node-1/event " ] ||
  fail "published on '$topics', expected Health then the event"
event=$(sed -n 's|^publish sotto/v1/lab/node-1/event \([0-9a-f]*\)\r\{0,1\}$|\1|p' "$console")
[ "$event" = "$expected" ] || fail "event bytes $event, expected $expected"
echo "example ok: ${input_bytes}-byte input, output $device_output bit-exact with the host," \
  "event class $best score $score published after Health"
