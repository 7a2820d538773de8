#!/bin/sh
# sottoctl model import/inspect/run on the KWS model: the output file must equal TFLM's golden
# output byte for byte, inspect must state the planned arena, and errors must be named.
# Usage: cli_test.sh SOTTOCTL SHARED_DIR WORK_DIR
set -eu
sottoctl=$1
shared=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
golden=$shared/conformance/tflm-golden/kws
"$sottoctl" model import "$shared/models/mlperf-tiny/kws_ref_model.tflite" -o "$work/kws.smdl" \
  --target generic > "$work/import.txt"
grep -q "13 ops, arena 10048 bytes" "$work/import.txt"
"$sottoctl" model inspect "$work/kws.smdl" > "$work/inspect.txt"
grep -q "^arena bytes 10048, weight bytes 22016" "$work/inspect.txt"
grep -q " 12 SOFTMAX            1x12 -> 1x12" "$work/inspect.txt"
for n in 0 10; do
  "$sottoctl" model run "$work/kws.smdl" --input "$golden/input_$n.bin" --output "$work/out_$n.bin"
  cmp "$work/out_$n.bin" "$golden/output_$n.bin"
done
# A wrong-sized input and an unsupported target fail with a message and a non-zero status.
if "$sottoctl" model run "$work/kws.smdl" --input "$golden/output_0.bin" --output "$work/x" \
  2> "$work/err.txt"; then
  exit 1
fi
grep -q "input is 12 bytes; the model takes 490" "$work/err.txt"
if "$sottoctl" model import "$shared/models/mlperf-tiny/kws_ref_model.tflite" -o "$work/x" \
  --target m7 2> "$work/err.txt"; then
  exit 1
fi
grep -q "unknown target 'm7'; supported: generic, cortex-m4, cortex-m0, rv32" "$work/err.txt"
echo "cli ok"
