#!/usr/bin/env bash
# The model pipeline on a small budget (deploy/models.sh: datasets, torch training, ONNX export,
# PTQ import, held-out run): sottoctl's float reference reproduces torch's outputs, the int8
# .smdl stays close to them, inspect shows each layer's range, and the pruned industrial model
# is stored sparse and measured. The budget is large enough
# for models that decide something: tests/device's sotto-sim tests run them (fixture
# models_trained). A second run on unchanged inputs must reuse the models.
# Usage: pipeline_test.sh BIN_DIR WORK_DIR
set -euo pipefail
bin=$1 work=$2
root="$(cd "$(dirname "$0")/../.." && pwd)"
rm -rf "$work"
"$root/deploy/models.sh" --bin "$bin" --out "$work" --epochs 10 --train 1000 --heldout 200 > "$work.log" 2>&1 ||
  { cat "$work.log"; exit 1; }
# Trained again on the same inputs: reused, not retrained.
"$root/deploy/models.sh" --bin "$bin" --out "$work" --epochs 10 --train 1000 --heldout 200 > "$work.again.log" 2>&1 ||
  { cat "$work.again.log"; exit 1; }
grep -q "^models.sh: reusing $work" "$work.again.log" || { echo "second run did not reuse:"; cat "$work.again.log"; exit 1; }
for kind in industrial agri wearable; do
  "$bin/sottoctl" model run "$work/$kind.onnx" --input "$work/${kind}_heldout_x.npy" \
    --output "$work/${kind}_reference_pred.npy" > /dev/null
  /usr/bin/python3 - "$work" "$kind" <<'PY'
import sys
import numpy as np
work, kind = sys.argv[1:]
torch_pred = np.load(f"{work}/{kind}_float_pred.npy")
reference = np.load(f"{work}/{kind}_reference_pred.npy")
int8 = np.load(f"{work}/{kind}_int8_pred.npy")
assert torch_pred.shape == reference.shape == int8.shape, (torch_pred.shape, reference.shape, int8.shape)
ref_error = float(np.max(np.abs(torch_pred - reference)))
int8_error = float(np.mean(np.abs(torch_pred - int8)))
print(f"{kind}: float reference max |diff| {ref_error:.2e}, int8 mean |diff| {int8_error:.4f}")
assert ref_error < 1e-4, f"{kind}: sottoctl's float reference differs from torch by {ref_error}"
assert int8_error < 0.03, f"{kind}: int8 outputs differ from float by {int8_error} on average"
PY
  "$bin/sottoctl" model inspect "$work/$kind.smdl" | grep -q "range \[" ||
    { echo "$kind: model inspect shows no ranges"; exit 1; }
done
grep -q "int8" "$work/metrics.json"
# The industrial model pruned to 50 %: its layers stored sparse, its held-out metrics reported.
grep -q '"precision": "pruned_int8"' "$work/metrics.json" ||
  { echo "no pruned_int8 metrics in $work/metrics.json"; exit 1; }
"$bin/sottoctl" model inspect "$work/industrial_pruned.smdl" | grep -q "sparse 1x4 blocks" ||
  { echo "industrial_pruned.smdl: model inspect shows no sparse layer"; exit 1; }
echo "pipeline ok"
