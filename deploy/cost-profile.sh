#!/usr/bin/env bash
# Counts instructions per op under QEMU -icount for deploy/cost-table.sh and the models bench:
# for cortex-m4, rv32 and cortex-m0, every conformance model the target runs
# (deploy/conformance-models.sh TARGET: on the cortex-m0, those that fit its 16 KB of RAM and
# flash; imported here for the target with whole tensors, no row streams) and the three fleet models (build/models/*.onnx from
# deploy/models.sh, imported here for the target with their calibration sets), one plain
# sotto_invoke ("direct N") and one observed run ("op INDEX KIND instructions N" per op) of the
# same input. Conformance models run their first target case; fleet models a zero input (int8
# kernels do the same work whatever the values, bar a few table lookups). Pruned copies of
# industrial, ad and kws (--prune 0.5) exercise the block-sparse kernels. A model that does not
# fit the cortex-m0 image (arena over 13,184 B, model over 128 KB) is left out with the image's
# reason.
# Usage: deploy/cost-profile.sh BUILD_DIR OUT_DIR [TARGET...]   (BUILD_DIR: a host build with
# cross trees and infer_models built; TARGETs: default cortex-m4 rv32 cortex-m0). Writes
# OUT_DIR/<target>/<model>.profile and OUT_DIR/<target>/models.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: deploy/cost-profile.sh BUILD_DIR OUT_DIR}
out=${2:?usage: deploy/cost-profile.sh BUILD_DIR OUT_DIR [TARGET...]}
shift 2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(cortex-m4 rv32 cortex-m0)
qemu_run=$build/bin/sotto-qemu-run
fleet=(industrial agri wearable)
for kind in "${fleet[@]}"; do
  [ -s "build/models/$kind.onnx" ] || { echo "cost-profile: no build/models/$kind.onnx (run deploy/models.sh)" >&2; exit 1; }
done

# profile TARGET NAME SMDL DATA_DIR CASE [may-not-fit]: writes the profile, adds the model to
# models.txt; with may-not-fit, a model the image cannot open is skipped with its reason.
profile() {
  local target=$1 name=$2 smdl=$3 data=$4 case=$5 image=$build/cross/$1/bin/infer_target.elf
  local file=$out/$target/$name.profile direct run
  run=$("$qemu_run" "$target" "$image" -semihosting-config \
    "arg=img,arg=bench,arg=$(realpath "$smdl"),arg=$data,arg=$case" 2>&1 || true)
  direct=$(sed -n 's/^instructions \([0-9]*\).*/\1/p' <<<"$run")
  if [ -z "$direct" ] && [ "${6:-}" = may-not-fit ] && grep -q '^\(open failed\|cannot read model\)' <<<"$run"; then
    echo "  $target $name: does not fit ($(grep -m1 '^\(open failed\|cannot read model\)' <<<"$run"))"
    return 0
  fi
  [ -n "$direct" ] || { echo "cost-profile: $name on $target: no instruction count" >&2; exit 1; }
  { echo "direct $direct"
    "$qemu_run" "$target" "$image" -semihosting-config \
      "arg=img,arg=profile,arg=$(realpath "$smdl"),arg=$data,arg=$case" 2>&1 | grep '^op ' || true
  } > "$file"
  echo "$name $(realpath "$smdl") $(realpath "$file")" >> "$out/$target/models.txt"
  echo "  $target $name: $direct instructions"
}

for target in "${targets[@]}"; do
  mkdir -p "$out/$target"
  : > "$out/$target/models.txt"
  while IFS='|' read -r name model golden_dir ops cases layer_cases target_cases variants; do
    # Whole tensors: a row stream interleaves its ops' kernel calls, and the profile would
    # charge the whole stream to whichever op reported last (the fit then went from within
    # 0.8-1.2 of QEMU to 0.07 on micro_speech). The table prices ops; a stream's own cost is
    # the extra calls per row (about 1-2 % of the ops it joins).
    smdl=$out/$target/$name.smdl
    "$build/bin/sottoctl" model import "../shared/models/$model" -o "$smdl" --target "$target" \
      --whole-tensors > /dev/null
    profile "$target" "$name" "$smdl" \
      "$(cd ../shared/conformance/"$golden_dir" && pwd)" "${target_cases%%,*}"
  done < <(deploy/conformance-models.sh "$target")
  for kind in "${fleet[@]}"; do
    smdl=$out/$target/$kind.smdl
    "$build/bin/sottoctl" model import "build/models/$kind.onnx" -o "$smdl" --target "$target" \
      --calibration "build/models/${kind}_calibration.npy" > /dev/null
    # A zero input of the model's input bytes ("input 0: 1x64x3" lists int8 elements).
    elements=$("$build/bin/sottoctl" model inspect "$smdl" |
      awk '$1 == "input" && $2 == "0:" { n = split($3, d, "x"); p = 1; for (i = 1; i <= n; ++i) p *= d[i]; print p }')
    mkdir -p "$out/$target/$kind-input"
    head -c "$elements" /dev/zero > "$out/$target/$kind-input/input_0.bin"
    fit_check=
    [ "$target" != cortex-m0 ] || fit_check=may-not-fit
    profile "$target" "$kind" "$smdl" "$(realpath "$out/$target/$kind-input")" 0 $fit_check
  done
  # Block-sparse weights have their own cost keys: models pruned to 50 % of their 1x4 blocks,
  # the fleet's pruned model (deploy/models.sh) and the two the inference bench prunes (ad: FC
  # only; kws: convs and FC), each run on the same input as its dense model.
  smdl=$out/$target/industrial-pruned.smdl
  "$build/bin/sottoctl" model import build/models/industrial.onnx -o "$smdl" --target "$target" \
    --calibration build/models/industrial_calibration.npy --prune 0.5 > /dev/null
  profile "$target" industrial-pruned "$smdl" "$(realpath "$out/$target/industrial-input")" 0 \
    $fit_check
  for name in ad kws; do
    # The target's own conformance list: a model too big for it (ad on the M0) is not there.
    model=
    IFS='|' read -r _ model golden_dir _ _ _ target_cases _ < <(
      deploy/conformance-models.sh "$target" | grep "^$name|") || true
    [ -n "$model" ] || continue
    smdl=$out/$target/$name-pruned.smdl
    "$build/bin/sottoctl" model import "../shared/models/$model" -o "$smdl" --target "$target" \
      --prune 0.5 > /dev/null
    profile "$target" "$name-pruned" "$smdl" "$(cd ../shared/conformance/"$golden_dir" && pwd)" \
      "${target_cases%%,*}" $fit_check
  done
done
