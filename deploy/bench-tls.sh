#!/usr/bin/env bash
# TLS benchmark (called by deploy/bench.sh tls): what a TLS 1.2 connection costs the device on
# the emulated Cortex-M4, with the suite we recommend (TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256,
# P-256 certificates, mutual authentication). tests/tls/tls_target.elf runs the port's client
# and an mbedTLS broker in one image over memory buffers and prints the client side's figures:
#   - instructions (QEMU -icount shift=3, deterministic) of client init, handshake and one
#     64-byte record each way; median of 3 runs;
#   - peak RAM: the client's stack below its call site + its static RAM (context and mbedTLS's
#     own statics) + the high-water mark of its mbedTLS pool (mbedTLS's buffer allocator over a
#     static pool; no heap);
#   - flash: code + read-only data + initialised data of a firmware with the client minus the
#     same firmware without it (tls_flash_with/without.elf), certificates included.
# The ingest ratio with TLS on against TLS off (gateway side) is added by the gateway's TLS
# work under "ingest"; until then it is null with the reason.
# Usage: deploy/bench-tls.sh OUTPUT.json   (build dir: $SOTTO_BUILD_DIR, default build)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: deploy/bench-tls.sh OUTPUT.json}
build=${SOTTO_BUILD_DIR:-build}
source deploy/lib.sh

if [ "$build" = build ]; then
  build_release sotto_cross_cortex-m4
fi
cross=$build/cross/cortex-m4/bin
for f in "$cross/tls_target.elf" "$cross/tls_flash_with.elf" "$cross/tls_flash_without.elf"; do
  [ -f "$f" ] || { echo "bench-tls: missing $f (cross build failed?)" >&2; exit 1; }
done

runs=()
for i in 1 2 3; do
  runs+=("$("$build/bin/sotto-qemu-run" cortex-m4 "$cross/tls_target.elf" 2>&1)") ||
    { echo "bench-tls: tls_target.elf failed:" >&2; echo "${runs[-1]:-}" >&2; exit 1; }
done
# median of the three runs for one "name value" line
figure() {
  for run in "${runs[@]}"; do echo "$run" | awk -v k="$1" '$1==k{print $2}'; done | sort -n | sed -n 2p
}
size_of() {  # SECTIONS... of an image: sum of their sizes
  local image=$1; shift
  arm-none-eabi-size -A "$image" | awk -v want=" $* " 'index(want, " " $1 " ") {s+=$2} END{print s+0}'
}
flash=$(( $(size_of "$cross/tls_flash_with.elf" .text .ARM.exidx .data) -
          $(size_of "$cross/tls_flash_without.elf" .text .ARM.exidx .data) ))
static_all=$(( $(size_of "$cross/tls_flash_with.elf" .data .bss) -
               $(size_of "$cross/tls_flash_without.elf" .data .bss) ))
pool_reserved=$(grep -o 'define SOTTO_MBEDTLS_TLS_POOL_BYTES [0-9]*' cmake/sotto_mbedtls_tls_pool.c | awk '{print $3}')
static_ram=$(( static_all - pool_reserved ))  # the pool's reserve is counted by its peak below
stack=$(figure client_stack_bytes)
pool_peak=$(figure client_pool_peak_bytes)

cat > "$out" <<JSON
{
  "target": "cortex-m4 (QEMU mps2-an386, -icount shift=3: instructions, not cycles)",
  "suite": "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256, P-256, TLS 1.2, mutual authentication",
  "client_init_instructions": $(figure client_init_instructions),
  "client_handshake_instructions": $(figure client_handshake_instructions),
  "client_record_instructions_64B_each_way": $(figure client_record_instructions),
  "client_ram": {
    "stack_peak_bytes": $stack,
    "static_bytes": $static_ram,
    "mbedtls_pool_peak_bytes": $pool_peak,
    "peak_total_bytes": $(( stack + static_ram + pool_peak )),
    "context_bytes": $(figure client_context_bytes),
    "pool_reserved_bytes": $pool_reserved
  },
  "client_flash_bytes": $flash,
  "broker_side_pool_peak_bytes": $(figure server_pool_peak_bytes),
  "ingest": {"tls_on_to_off_ratio": null, "reason": "measured by the gateway's TLS work (sottod and mosquitto with TLS)"}
}
JSON
echo "wrote $out"
