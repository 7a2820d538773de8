#!/usr/bin/env bash
# Inference benchmark (called by deploy/bench.sh): for each conformance model (the MLPerf Tiny
# models and TFLM's example models, tests/infer/conformance_models.cmake), instructions per
# sotto_invoke on the emulated Cortex-M4 (QEMU -icount shift=3: one 25 MHz timer tick = 5
# instructions, deterministic), arena bytes, engine flash bytes (code + read-only data of the
# runtime, model excluded: size of an image with the engine minus the same image without it),
# for kws, vww, ic and ad the engine flash of an image whose engine links only the ops the model
# uses (engine_flash_bytes_linked), each kernel file's object size (flash_bytes_by_kernel_file;
# the core's objects summed as engine_core, row_stream apart), model bytes, whether every case
# and layer matched TFLM's golden data on the target, and where the instructions go: per operator
# and summed per op type (the image's profile mode, which reads the instruction counter after
# every operator; its observer adds a few dozen instructions per op),
# and for two models pruned to 50 % (pruned_50_percent): sparse vs dense weight bytes and
# instructions. Rows for the cores without DSP (other_targets): on the emulated Cortex-M0
# (QEMU microbit, nRF51822, -icount shift=0: one 16 MHz timer tick = 62.5 instructions) and RV32
# (QEMU virt, minstret), both with the no-dsp kernels (kernels/no-dsp), the same per-model figures
# for the models each runs (deploy/conformance-models.sh TARGET: on the M0, those that fit its
# 16 KB of RAM and 256 KB of flash), the count of the same image with the reference kernels
# (infer_target_reference.elf: TFLM's arithmetic as our reference kernels do it; TFLM itself is
# never built here) and the ratios to that and to the Cortex-M4's count.
# Usage: deploy/bench-inference.sh OUTPUT.json   (build dir: $SOTTO_BUILD_DIR, default build)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: deploy/bench-inference.sh OUTPUT.json}
build=${SOTTO_BUILD_DIR:-build}
source deploy/lib.sh

if [ "$build" = build ]; then
  build_release sottoctl infer_models sotto_cross_cortex-m4 sotto_cross_cortex-m0 sotto_cross_rv32
fi
cross=$build/cross/cortex-m4/bin
image=$cross/infer_target.elf
for f in "$image" "$cross/infer_flash_with.elf" "$cross/infer_flash_without.elf"; do
  [ -f "$f" ] || { echo "bench-inference: missing $f (cross build failed?)" >&2; exit 1; }
done
qemu_run=$build/bin/sotto-qemu-run  # the tests' QEMU command line, with -icount shift=3

# flash_of ELF: code + initialized data of an image (riscv64-unknown-elf-size for RV32).
flash_of() {
  local size=arm-none-eabi-size
  [[ "$1" != */rv32/* ]] || size=riscv64-unknown-elf-size
  "$size" -A "$1" | awk '$1==".text"||$1==".data"||$1==".ARM.exidx"||$1==".rodata"||$1==".srodata"{s+=$2} END{print s}'
}
# engine_flash_of CROSS_BIN_DIR: the engine's flash, from the image pair with and without it.
engine_flash_of() { echo $(( $(flash_of "$1/infer_flash_with.elf") - $(flash_of "$1/infer_flash_without.elf") )); }
engine_flash=$(engine_flash_of "$cross")

# Flash per op (code + read-only data of its kernel files: the loader's check and the reference
# kernel, plus the Cortex-M4 kernel where there is one) and of the engine's shared core (the
# row-stream driver apart): objects, before the linker drops what a firmware does not reach.
op_flash=$(arm-none-eabi-size "$build/cross/cortex-m4/device-sdk/src/infer/libsotto_infer.a" |
  awk 'NR > 1 && $6 ~ /\.cpp\.obj$/ { stem = $6; sub(/\.cpp\.obj$/, "", stem); bytes[stem] += $1 + $2 }
       END { for (s in bytes) print s, bytes[s] }' |
  awk '$1 ~ /^(model_loader|invoke|op_check|op_registry)$/ { core += $2; next } { print }
       END { print "engine_core", core }' |
  sort)
op_flash_json=$(awk '{ printf "%s\"%s\": %d", (NR > 1 ? ", " : "{"), $1, $2 } END { printf "}" }' <<<"$op_flash")
# Engine flash per model: the flash probe linked as that model's firmware links the engine
# (tests/infer/target.cmake, SOTTO_FLASH_PROBE_MODELS: only the ops the model uses, the row-stream
# driver only when its blob has streams, the sparse weight walks only when it has sparse weights;
# -ffunction-sections and --gc-sections as every cross image), minus the probe without the
# engine. The model loop checks each line against the model.
probe_models=$(sed -n 's/^ *"\([a-z0-9_]*\)|\([A-Z0-9_,]*\)|\(streams\|whole-tensors\)|\(sparse\|dense\)".*/\1 \2 \3 \4/p' \
  tests/infer/target.cmake)
[ -n "$probe_models" ] || { echo "bench-inference: no SOTTO_FLASH_PROBE_MODELS in tests/infer/target.cmake" >&2; exit 1; }
# (built on demand only: not part of the cross tree's default build)
ninja -C "$build/cross/cortex-m4" $(awk '{ printf "infer_flash_%s ", $1 }' <<<"$probe_models") >/dev/null
declare -A probe_ops=() probe_streams=() probe_weights=()
while read -r name ops streams weights; do
  probe_ops[$name]=$ops probe_streams[$name]=$streams probe_weights[$name]=$weights
done <<<"$probe_models"
# u32_at FILE OFFSET: the little-endian uint32 at OFFSET.
u32_at() { od -An -t u4 -j "$2" -N 4 "$1" | tr -d ' '; }
# stream_count_of SMDL: the blob's row streams (smdl_format.h: the count follows the io table,
# format version 3; the header's io_table_offset at byte 52, input and output counts at 36, 40).
stream_count_of() {
  [ "$(od -An -t u2 -j 4 -N 2 "$1" | tr -d ' ')" = 3 ] || { echo 0; return; }
  u32_at "$1" $(( $(u32_at "$1" 52) + 4 * ($(u32_at "$1" 36) + $(u32_at "$1" 40)) ))
}
# probe_flash_json NAME SMDL PROFILE: '"engine_flash_bytes_linked": N, ' for a probed model, after
# checking that its probe links exactly the model's ops, the stream driver exactly when it streams
# and the sparse walks exactly when it has sparse weights (sottoctl model inspect names them).
probe_flash_json() {
  local name=$1 smdl=$2 profile=$3 used listed streams weights
  [ -n "${probe_ops[$name]:-}" ] || return 0
  used=$(awk '$1 == "op" { print $3 }' <<<"$profile" | sort -u | paste -sd, -)
  listed=$(tr ',' '\n' <<<"${probe_ops[$name]}" | sort -u | paste -sd, -)
  if [ "$used" != "$listed" ]; then
    echo "bench-inference: $name uses $used; its flash probe (tests/infer/target.cmake) links $listed" >&2
    exit 1
  fi
  streams=whole-tensors
  [ "$(stream_count_of "$smdl")" = 0 ] || streams=streams
  if [ "$streams" != "${probe_streams[$name]}" ]; then
    echo "bench-inference: $name's blob is $streams; its flash probe (tests/infer/target.cmake) says ${probe_streams[$name]}" >&2
    exit 1
  fi
  weights=dense
  ! "$build/bin/sottoctl" model inspect "$smdl" | grep -q 'sparse 1x4 blocks' || weights=sparse
  if [ "$weights" != "${probe_weights[$name]}" ]; then
    echo "bench-inference: $name's weights are $weights; its flash probe (tests/infer/target.cmake) says ${probe_weights[$name]}" >&2
    exit 1
  fi
  printf '"engine_flash_bytes_linked": %d, ' $(( $(flash_of "$cross/infer_flash_$name.elf") - $(flash_of "$cross/infer_flash_without.elf") ))
}

# Pruning (sottoctl model import --prune 0.5): an FC-only model (ad) and a conv + FC one (kws)
# imported for the Cortex-M4 pruned, once with the sparse weights the import stores and once with
# the same pruned weights dense (--dense-weights): weight bytes of the pruned layers (the import's
# "sparse:" line) and instructions per sotto_invoke of each (the outputs differ from TFLM's
# golden data, pruned, so the image's exit status is not a verdict here).
pruned_dir=$build/bench-pruned
mkdir -p "$pruned_dir"
pruned_entries=()
for name in ad kws; do
  entry=$(deploy/conformance-models.sh | grep "^$name|")
  IFS='|' read -r _ model golden_dir _ _ _ target_cases _ <<<"$entry"
  data=$(cd ../shared/conformance/"$golden_dir" && pwd)
  report=$("$build/bin/sottoctl" model import "../shared/models/$model" --target cortex-m4 \
    --prune 0.5 -o "$pruned_dir/$name-sparse.smdl")
  "$build/bin/sottoctl" model import "../shared/models/$model" --target cortex-m4 --prune 0.5 \
    --dense-weights -o "$pruned_dir/$name-dense.smdl" >/dev/null
  sparse_bytes=$(sed -n 's/^sparse: .*, \([0-9]*\) bytes of weights instead of \([0-9]*\) dense.*/\1/p' <<<"$report")
  dense_bytes=$(sed -n 's/^sparse: .*, \([0-9]*\) bytes of weights instead of \([0-9]*\) dense.*/\2/p' <<<"$report")
  layers=$(sed -n 's/^sparse: \([0-9]*\) layer.*/\1/p' <<<"$report")
  declare -A instr=()
  for form in sparse dense; do
    run=$("$qemu_run" cortex-m4 "$image" -semihosting-config "arg=img,arg=bench,arg=$(realpath "$pruned_dir/$name-$form.smdl"),arg=$data,arg=${target_cases%%,*}" 2>&1 || true)
    instr[$form]=$(sed -n 's/^instructions \([0-9]*\).*/\1/p' <<<"$run")
  done
  pruned_entries+=("    \"$name\": {\"sparse_layers\": $layers, \"pruned_layers_sparse_bytes\": $sparse_bytes, \"pruned_layers_dense_bytes\": $dense_bytes, \"flash_ratio\": $(awk -v a="$sparse_bytes" -v b="$dense_bytes" 'BEGIN{printf "%.4f", a/b}'), \"model_bytes_sparse\": $(stat -c %s "$pruned_dir/$name-sparse.smdl"), \"model_bytes_dense\": $(stat -c %s "$pruned_dir/$name-dense.smdl"), \"instructions_sparse\": ${instr[sparse]}, \"instructions_dense\": ${instr[dense]}, \"instructions_ratio\": $(awk -v a="${instr[sparse]}" -v b="${instr[dense]}" 'BEGIN{printf "%.4f", a/b}')}")
done

# other_target_row TARGET DESCRIPTION: the "TARGET": {...} object of other_targets, for the
# models TARGET runs (m4_instructions: the Cortex-M4 counts of this same run).
other_target_row() {
  local target=$1 description=$2 dir=$build/cross/$1/bin rows=() ran=()
  local name model golden_dir ops cases layer_cases target_cases variants
  local smdl data first_case bench instructions reference arena target_layers exact
  while IFS='|' read -r name model golden_dir ops cases layer_cases target_cases variants; do
    smdl=$build/infer-models/$target/$name.smdl
    data=$(cd ../shared/conformance/"$golden_dir" && pwd)
    first_case=${target_cases%%,*}
    bench=$("$qemu_run" "$target" "$dir/infer_target.elf" -semihosting-config "arg=img,arg=bench,arg=$(realpath "$smdl"),arg=$data,arg=$first_case" 2>&1)
    instructions=$(sed -n 's/^instructions \([0-9]*\).*/\1/p' <<<"$bench")
    arena=$(sed -n 's/.* arena \([0-9]*\).*/\1/p' <<<"$bench")
    [ -n "$instructions" ] || { echo "bench-inference: $name on $target: no instruction count" >&2; exit 1; }
    # The same image with the reference kernels only (TFLM's arithmetic), on the same core.
    bench=$("$qemu_run" "$target" "$dir/infer_target_reference.elf" -semihosting-config "arg=img,arg=bench,arg=$(realpath "$smdl"),arg=$data,arg=$first_case" 2>&1)
    reference=$(sed -n 's/^instructions \([0-9]*\).*/\1/p' <<<"$bench")
    [ -n "$reference" ] || { echo "bench-inference: $name on $target: no instruction count with the reference kernels" >&2; exit 1; }
    target_layers=$(tr ',' '\n' <<<"$target_cases" | grep -Fxf <(tr ',' '\n' <<<"$layer_cases") | paste -sd+ -)
    if "$qemu_run" "$target" "$dir/infer_target.elf" -semihosting-config "arg=img,arg=conform,arg=$(realpath "$smdl"),arg=$data,arg=$ops,arg=${target_cases//,/+},arg=${target_layers:-none}" >/dev/null 2>&1; then
      exact=true
    else
      exact=false
    fi
    ran+=("$name")
    rows+=("      \"$name\": {\"instructions\": $instructions, \"instructions_reference_kernels\": $reference, \"vs_reference_kernels\": $(awk -v a="$instructions" -v b="$reference" 'BEGIN{printf "%.3f", a/b}'), \"vs_cortex_m4\": $(awk -v a="$instructions" -v b="${m4_instructions[$name]}" 'BEGIN{printf "%.3f", a/b}'), \"arena_bytes\": $arena, \"model_bytes\": $(stat -c %s "$smdl"), \"bit_exact\": $exact}")
  done < <(deploy/conformance-models.sh "$target")
  local left_out
  left_out=$(deploy/conformance-models.sh | cut -d'|' -f1 |
    { grep -vxF -f <(printf '%s\n' "${ran[@]}") || true; } |
    awk '{ printf "%s\"%s\"", (NR > 1 ? ", " : ""), $1 }')
  printf '    "%s": {\n      "target": "%s",\n      "engine_flash_bytes": %d,\n      "models_not_run": [%s],\n      "models": {\n' \
    "$target" "$description" "$(engine_flash_of "$dir")" "$left_out"
  printf '%s' "${rows[0]}"
  printf ',\n%s' "${rows[@]:1}"
  printf '\n      }\n    }'
}

declare -A m4_instructions=()
declare -A tflm_instr=([kws]=7697250 [vww]=24102775 [ic]=29865095 [ad]=583225)
declare -A tflm_arena=([kws]=22772 [vww]=100660 [ic]=54340 [ad]=2260)
{
  echo "{"
  echo "  \"target\": \"cortex-m4 (qemu mps2-an386, -icount shift=3)\","
  echo "  \"engine_flash_bytes\": $engine_flash,"
  echo "  \"flash_bytes_by_kernel_file\": $op_flash_json,"
  echo "  \"pruned_50_percent\": {"
  printf '%s' "${pruned_entries[0]}"
  printf ',\n%s' "${pruned_entries[@]:1}"
  printf '\n  },\n'
  echo "  \"models\": {"
  entries=()
  # Every conformance model (tests/infer/conformance_models.cmake): name|model|golden|ops|cases|
  # layer cases|target cases|host variants.
  while IFS='|' read -r name model golden_dir ops cases layer_cases target_cases variants; do
    smdl=$build/infer-models/cortex-m4/$name.smdl
    data=$(cd ../shared/conformance/"$golden_dir" && pwd)
    first_case=${target_cases%%,*}
    bench=$("$qemu_run" cortex-m4 "$image" -semihosting-config "arg=img,arg=bench,arg=$(realpath "$smdl"),arg=$data,arg=$first_case" 2>&1)
    instructions=$(sed -n 's/^instructions \([0-9]*\).*/\1/p' <<<"$bench")
    arena=$(sed -n 's/.* arena \([0-9]*\).*/\1/p' <<<"$bench")
    profile=$("$qemu_run" cortex-m4 "$image" -semihosting-config "arg=img,arg=profile,arg=$(realpath "$smdl"),arg=$data,arg=$first_case" 2>&1)
    by_op=$(awk '$1 == "op" { sum[$2] += $5; if ($2 >= n) n = $2 + 1 }
      END { for (i = 0; i < n; ++i) printf "%s%d", (i ? ", " : "["), sum[i]; printf "]" }' <<<"$profile")
    by_type=$(awk '$1 == "op" { if (!($3 in sum)) order[n++] = $3; sum[$3] += $5 }
      END { for (i = 0; i < n; ++i) printf "%s\"%s\": %d", (i ? ", " : "{"), order[i], sum[order[i]]; printf "}" }' <<<"$profile")
    # QEMU splits -semihosting-config at commas: the runner's lists use '+'.
    target_layers=$(tr ',' '\n' <<<"$target_cases" | grep -Fxf <(tr ',' '\n' <<<"$layer_cases") | paste -sd+ -)
    if "$qemu_run" cortex-m4 "$image" -semihosting-config "arg=img,arg=conform,arg=$(realpath "$smdl"),arg=$data,arg=$ops,arg=${target_cases//,/+},arg=${target_layers:-none}" >/dev/null 2>&1; then
      exact=true
    else
      exact=false
    fi
    linked_flash=$(probe_flash_json "$name" "$smdl" "$profile")  # (fails the bench on a bad list)
    if [ -n "${tflm_instr[$name]:-}" ]; then
      versus="\"instructions_vs_tflm_cmsis_nn\": $(awk -v a="$instructions" -v b="${tflm_instr[$name]}" 'BEGIN{printf "%.3f", a/b}'),
      \"arena_vs_tflm\": $(awk -v a="$arena" -v b="${tflm_arena[$name]}" 'BEGIN{printf "%.3f", a/b}'),"
    else
      tflm_host=$(grep -o '"arena_used_bytes_host_x86_64": [0-9]*' "$data/manifest.json" | grep -o '[0-9]*$')
      versus="\"tflm_arena_bytes_x86_64\": ${tflm_host:-null},"
    fi
    entries+=("$(cat <<JSON
    "$name": {
      "instructions": $instructions,
      "instructions_by_op_type": $by_type,
      "instructions_by_op": $by_op,
      $linked_flash"arena_bytes": $arena,
      $versus
      "model_bytes": $(stat -c %s "$smdl"),
      "bit_exact": $exact
    }
JSON
)")
    m4_instructions[$name]=$instructions
  done < <(deploy/conformance-models.sh)
  printf '%s' "${entries[0]}"
  printf ',\n%s' "${entries[@]:1}"
  printf '\n  },\n'
  echo "  \"other_targets\": {"
  other_target_row cortex-m0 "qemu microbit (nRF51822: 256 KB flash, 16 KB RAM), -icount shift=0, no-dsp kernels; instructions_reference_kernels: the same image with our reference kernels (TFLM's reference arithmetic; TFLM itself is not built here)"
  echo ","
  other_target_row rv32 "qemu virt, -icount shift=0, no-dsp kernels; instructions_reference_kernels: the same image with our reference kernels (TFLM's reference arithmetic; TFLM itself is not built here)"
  printf '\n  }\n'
  echo "}"
} > "$out"
echo "wrote $out"
