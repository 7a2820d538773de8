#!/usr/bin/env bash
# Models benchmark (called by deploy/bench.sh models): what the four MLPerf Tiny models and the
# three fleet models (and the models that exercise SVDF, TRANSPOSE_CONV, the 16x8 CONV_2D and
# block-sparse weights) cost on cortex-m4 and rv32, as `sottoctl model inspect --target` says it
# (arena, flash, instructions from the shipped per-op table, uJ per inference, average power at
# one inference per second and per minute under the target's power model), next to the direct
# QEMU -icount count of one sotto_invoke, and the count of a table fitted without that model
# (how well the table predicts a model it never saw). Profiles and fit reports stay in
# build/bench/cost/.
# Usage: deploy/bench-models.sh OUTPUT.json   (build dir: $SOTTO_BUILD_DIR, default build)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: deploy/bench-models.sh OUTPUT.json}
build=${SOTTO_BUILD_DIR:-build}
source deploy/lib.sh

if [ "$build" = build ]; then
  build_release sottoctl sotto-bench-cost-fit infer_models sotto_cross_cortex-m4 sotto_cross_rv32
fi
[ -s build/models/wearable.onnx ] || deploy/models.sh --bin "$build/bin"
work=build/bench/cost
rm -rf "$work"
deploy/cost-profile.sh "$build" "$work" cortex-m4 rv32
for target in cortex-m4 rv32; do
  "$build/bin/sotto-bench-cost-fit" --target "$target" --list "$work/$target/models.txt" \
    --report "$work/$target/fit.json" > "$work/$target/table.inc"
done
declare -A drift=([cortex-m4]=0 [rv32]=0)

# field NAME TEXT: a figure from inspect's cost lines.
field() {
  case $1 in
    arena) sed -n 's/^  arena \([0-9]*\) B.*/\1/p' <<<"$2" ;;
    flash) sed -n 's/^  flash \([0-9]*\) B.*/\1/p' <<<"$2" ;;
    instructions) sed -n 's/^  instructions \([0-9]*\) per.*/\1/p' <<<"$2" ;;
    uj) sed -n 's/^  energy \([0-9.]*\) uJ.*/\1/p' <<<"$2" ;;
    uw) sed -n 's/^  average power [0-9.]* mW (\([0-9.]*\) uW).*/\1/p' <<<"$2" ;;
  esac
}

{
  echo "{"
  echo "  \"instructions\": \"table: gateway/model/op_instruction_table.inc as shipped; qemu: one sotto_invoke under QEMU -icount (cortex-m4: mps2-an386, rv32: virt)\","
  echo "  \"models\": {"
  first=yes
  # The seven models, then those that exercise the kernels with their own cost keys: 16x8
  # CONV_2D and TRANSPOSE_CONV (seanet_*), SVDF (keyword_scrambled*), block-sparse weights
  # (*-pruned).
  for name in kws vww ic ad industrial agri wearable seanet_conv_0 seanet_conv_2 \
    seanet_transpose_conv_3 seanet_transpose_conv_4 keyword_scrambled keyword_scrambled_8bit \
    industrial-pruned ad-pruned kws-pruned; do
    [ $first = yes ] || echo ","
    first=no
    printf '    "%s": {' "$name"
    sep=
    for target in cortex-m4 rv32; do
      smdl=$(awk -v n="$name" '$1 == n { print $2 }' "$work/$target/models.txt")
      per_minute=$("$build/bin/sottoctl" model inspect "$smdl" --target "$target" --inferences-per-hour 60)
      # One a second may not fit (an inference longer than a second): null, and why.
      if per_second=$("$build/bin/sottoctl" model inspect "$smdl" --target "$target" --inferences-per-hour 3600 2>&1); then
        uw_second=$(field uw "$per_second")
      else
        uw_second="null, \"at_1_per_second\": \"$(tail -n 1 <<<"$per_second" | sed 's/^sottoctl: //')\""
      fi
      fit=$(/usr/bin/python3 -c "import json,sys; m=json.load(open('$work/$target/fit.json'))['models']['$name']; print(m['qemu'], m['table_without_this_model'], m['table'])")
      read -r qemu unseen refit <<<"$fit"
      [ "$unseen" != None ] || unseen=null
      table=$(field instructions "$per_minute")
      # The shipped table against this run's fit: the Cortex-M4's timer reads in steps of 5
      # instructions, so a refit moves a little; a changed kernel, a lot.
      drift[$target]=$(awk -v a="$table" -v b="$refit" -v d="${drift[$target]}" \
        'BEGIN { r = a / b - 1; if (r < 0) r = -r; printf "%.6f", (r > d ? r : d) }')
      printf '%s\n      "%s": {"arena_bytes": %s, "flash_bytes": %s, "instructions_table": %s, "instructions_qemu": %s, "table_vs_qemu": %s, "instructions_table_without_this_model": %s, "uj_per_inference": %s, "uw_at_1_per_second": %s, "uw_at_1_per_minute": %s}' \
        "$sep" "$target" "$(field arena "$per_minute")" "$(field flash "$per_minute")" "$table" "$qemu" \
        "$(awk -v a="$table" -v b="$qemu" 'BEGIN { printf "%.4f", a / b }')" "$unseen" \
        "$(field uj "$per_minute")" "$uw_second" "$(field uw "$per_minute")"
      sep=,
    done
    printf '\n    }'
  done
  printf '\n  },\n'
  echo "  \"shipped_table_vs_this_runs_fit_largest_relative_difference\": {\"cortex-m4\": ${drift[cortex-m4]}, \"rv32\": ${drift[rv32]}},"
  echo "  \"power_models\": {"
  for target in cortex-m4 rv32; do
    smdl=$(awk '$1 == "ad" { print $2 }' "$work/$target/models.txt")
    source_line=$("$build/bin/sottoctl" model inspect "$smdl" --target "$target" | sed -n 's/^  source: //p')
    part=$("$build/bin/sottoctl" model inspect "$smdl" --target "$target" | sed -n 's/^cost on [^,]*, power model //p')
    printf '    "%s": {"part": "%s", "source": "%s"}' "$target" "$part" "$source_line"
    [ "$target" = rv32 ] && echo || echo ","
  done
  echo "  }"
  echo "}"
} > "$out"
echo "wrote $out"
