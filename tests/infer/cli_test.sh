#!/bin/sh
# sottoctl model import/inspect/run on the KWS model, TFLM's two-input simple_add_model and its
# SVDF keyword model:
# the output files must equal TFLM's golden outputs byte for byte, inspect must state the planned
# arena and the inputs, and errors must be named.
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
# ic with its residual blocks row-streamed, and with every tensor whole.
"$sottoctl" model import "$shared/models/mlperf-tiny/pretrainedResnet_quant.tflite" \
  -o "$work/ic.smdl" > "$work/import.txt"
grep -q "16 ops, arena 18944 bytes" "$work/import.txt"
"$sottoctl" model import "$shared/models/mlperf-tiny/pretrainedResnet_quant.tflite" \
  -o "$work/ic-whole.smdl" --whole-tensors > "$work/import.txt"
grep -q "16 ops, arena 33312 bytes" "$work/import.txt"
grep -q " 12 SOFTMAX            1x12 -> 1x12" "$work/inspect.txt"
for n in 0 10; do
  "$sottoctl" model run "$work/kws.smdl" --input "$golden/input_$n.bin" --output "$work/out_$n.bin"
  cmp "$work/out_$n.bin" "$golden/output_$n.bin"
done
# Two inputs: --input once per input, in the model's order; one --input is refused by count.
add=$shared/conformance/tflm-examples/simple_add_model
"$sottoctl" model import "$shared/models/tflm-examples/ops/simple_add_model.tflite" \
  -o "$work/add.smdl" > "$work/import.txt"
"$sottoctl" model inspect "$work/add.smdl" > "$work/inspect.txt"
grep -q "^input 1: 1x128x128x1 " "$work/inspect.txt"
"$sottoctl" model run "$work/add.smdl" --input "$add/input_1_0.bin" --input "$add/input_1_1.bin" \
  --output "$work/add_1.bin"
cmp "$work/add_1.bin" "$add/output_1.bin"
if "$sottoctl" model run "$work/add.smdl" --input "$add/input_1_0.bin" --output "$work/x" \
  2> "$work/err.txt"; then
  exit 1
fi
grep -q "the model has 2 input(s) and 1 output(s): give --input once per input" "$work/err.txt"
# A stateful model (SVDF): inspect names the op and where its state lives; a run starts from the
# initial state, as TFLM's golden data does.
ks=$shared/conformance/tflm-examples/keyword_scrambled
"$sottoctl" model import "$shared/models/tflm-examples/keyword_scrambled.tflite" \
  -o "$work/ks.smdl" > "$work/import.txt"
"$sottoctl" model inspect "$work/ks.smdl" > "$work/inspect.txt"
grep -q "^  1 SVDF               1x96 -> 1x64 .* state 1x512 int16 @[0-9]*+1024$" "$work/inspect.txt"
"$sottoctl" model run "$work/ks.smdl" --input "$ks/input_1.bin" --output "$work/ks_1.bin"
cmp "$work/ks_1.bin" "$ks/output_1.bin"
# A wrong-sized input and an unsupported target fail with a message and a non-zero status.
if "$sottoctl" model run "$work/kws.smdl" --input "$golden/output_0.bin" --output "$work/x" \
  2> "$work/err.txt"; then
  exit 1
fi
grep -q "output_0.bin is 12 bytes; input 0 of the model takes 490" "$work/err.txt"
if "$sottoctl" model import "$shared/models/mlperf-tiny/kws_ref_model.tflite" -o "$work/x" \
  --target m7 2> "$work/err.txt"; then
  exit 1
fi
grep -q "unknown target 'm7'; supported: generic, cortex-m4, cortex-m0, rv32" "$work/err.txt"
echo "cli ok"
