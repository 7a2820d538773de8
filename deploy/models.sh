#!/usr/bin/env bash
# The model pipeline end to end, reproducibly: labelled sets from sotto-sim's own signal
# generators (sotto-dataset), training and ONNX export (deploy/train/train.py), int8 import with
# post-training quantization (sottoctl model import --calibration; the industrial model also
# pruned to 50 %, --prune 0.5), then the held-out set through the .smdl on the SDK's engine.
# Prints float vs int8 (vs pruned int8) held-out metrics per model and writes
# everything (sets, .onnx, .smdl, predictions, metrics.json) under the output folder.
# Training is deterministic, so the folder keeps the hash of what made it (this script, the
# trainer, the data generators, the importer, the options): a second run with the same inputs
# reuses the models ("reusing ...") instead of training again.
#
# Usage: deploy/models.sh [--out DIR] [--bin DIR] [--epochs N] [--train N] [--heldout N]
#                         [--seed S] [--kinds "industrial agri wearable"]
#   --bin DIR   use sottoctl and sotto-dataset from DIR instead of building build/bin (tests)
#   --seed S    the trainer's seed (initial weights, batch order); another seed retrains
#   --kinds     which models (default all three)
set -euo pipefail
cd "$(dirname "$0")/.."

out=build/models bin= epochs=30 train=4000 heldout=1000 calibration=500 seed=1234
kinds="industrial agri wearable"
pruned_kind=industrial  # also imported with --prune 0.5, its accuracy reported as pruned_int8
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --train) train=$2; shift 2 ;;
    --heldout) heldout=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --kinds) kinds=$2; shift 2 ;;
    *) echo "models.sh: unknown option '$1' (--out, --bin, --epochs, --train, --heldout, --seed, --kinds)" >&2; exit 2 ;;
  esac
done
[ "$calibration" -le "$train" ] || calibration=$train

if [ -z "$bin" ]; then
  deploy/install-deps.sh
  source deploy/lib.sh
  build_release sottoctl sotto-dataset
  bin=build/bin
fi
python=/usr/bin/python3  # Debian's torch and onnx live there
for kind in $kinds; do
  case "$kind" in industrial|agri|wearable) ;; *) echo "models.sh: --kinds: '$kind' is not industrial, agri or wearable" >&2; exit 2 ;; esac
done
# The inputs' hash: sources that decide the models' bytes, the tools' binaries, the options.
key=$( { cat deploy/models.sh deploy/train/train.py gateway/sotto-sim/{dataset,sensor_model,sensor_windows}.{h,cpp} \
           gateway/sotto-sim/sotto_dataset.cpp "$bin/sottoctl" "$bin/sotto-dataset";
         echo "$epochs $train $heldout $calibration $seed $kinds"; } | sha256sum | cut -c1-16)
reusable=yes
for kind in $kinds; do [ -s "$out/$kind.smdl" ] || reusable=no; done
if [ "$reusable" = yes ] && [ "$(cat "$out/inputs.sha256" 2>/dev/null)" = "$key" ]; then
  echo "models.sh: reusing $out ($kinds; inputs $key unchanged)"
  exit 0
fi
rm -f "$out/inputs.sha256"
mkdir -p "$out"
: > "$out/metrics.jsonl"

for kind in $kinds; do
  "$bin/sotto-dataset" --kind "$kind" --out "$out" --train "$train" --heldout "$heldout" --seed 1
done
start=$(date +%s)
kind_flags=()
for kind in $kinds; do kind_flags+=(--kind "$kind"); done
"$python" deploy/train/train.py train --data "$out" --out "$out" --epochs "$epochs" --seed "$seed" \
  "${kind_flags[@]}" | tee "$out/train.jsonl"
echo "training took $(( $(date +%s) - start )) s (wall clock: $kinds)"

for kind in $kinds; do
  # Calibration: the first samples of the training set; agreement measured on held-out data.
  "$python" -c "import numpy as n; n.save('$out/${kind}_calibration.npy', n.load('$out/${kind}_train_x.npy')[:$calibration])"
  "$bin/sottoctl" model import "$out/$kind.onnx" -o "$out/$kind.smdl" \
    --calibration "$out/${kind}_calibration.npy" --validation "$out/${kind}_heldout_x.npy"
  layout=nchw
  [ "$kind" = agri ] && layout=nhwc  # a flat [N, 48] input has no channel axis to move
  "$bin/sottoctl" model run "$out/$kind.smdl" --layout "$layout" \
    --input "$out/${kind}_heldout_x.npy" --output "$out/${kind}_int8_pred.npy"
  precisions="float int8"
  if [ "$kind" = "$pruned_kind" ]; then
    # The same model pruned to 50 % of its 1x4 weight blocks, stored sparse in flash.
    "$bin/sottoctl" model import "$out/$kind.onnx" -o "$out/${kind}_pruned.smdl" --prune 0.5 \
      --calibration "$out/${kind}_calibration.npy" --validation "$out/${kind}_heldout_x.npy"
    "$bin/sottoctl" model run "$out/${kind}_pruned.smdl" --layout "$layout" \
      --input "$out/${kind}_heldout_x.npy" --output "$out/${kind}_pruned_int8_pred.npy"
    precisions="float int8 pruned_int8"
  fi
  for precision in $precisions; do
    "$python" deploy/train/train.py metrics --kind "$kind" --labels "$out/${kind}_heldout_y.npy" \
      --pred "$out/${kind}_${precision}_pred.npy" |
      "$python" -c "import json,sys; r=json.load(sys.stdin); r['precision']='$precision'; print(json.dumps(r))" \
      >> "$out/metrics.jsonl"
  done
done

"$python" - "$out/metrics.jsonl" "$heldout" $kinds <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
print(f"\nheld-out metrics ({sys.argv[2]} samples per model; float = the ONNX model in torch, "
      "int8 = the .smdl on the SDK engine, pruned int8 = the .smdl imported with --prune 0.5)")
for kind in sys.argv[3:]:
    float_row, int8_row = (next(r for r in rows if r["kind"] == kind and r["precision"] == p)
                           for p in ("float", "int8"))
    pruned_row = next((r for r in rows if r["kind"] == kind and r["precision"] == "pruned_int8"),
                      None)
    for key in float_row:
        if key in ("kind", "precision"):
            continue
        pruned = f"   pruned int8 {pruned_row[key]:.4f}" if pruned_row else ""
        print(f"  {kind:<11} {key:<22} float {float_row[key]:.4f}   int8 {int8_row[key]:.4f}{pruned}")
json.dump(rows, open(sys.argv[1].replace(".jsonl", ".json"), "w"), indent=1)
PY
echo "$key" > "$out/inputs.sha256"
