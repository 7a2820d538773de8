#!/usr/bin/env bash
# OTA rollout benchmark (called by deploy/bench.sh ota): rolls a signed 64 KB model out to 1,000
# sotto-sim devices (each running the SDK's real updater on its own MQTT connection) through a
# private broker and sottod. The model is a real int8 one (sotto-model-synth, then `sottoctl
# model import`): the signer and every device run its self-test vector on the engine. Measures
#   - wall time from `sottoctl rollout start` to the rollout's "done", in one wave and in the
#     default waves 5,25,100 (a second, newer version on the same fleet),
#   - bytes sent to each device (OtaOffer/OtaChunk payloads, and as MQTT PUBLISH packets) against
#     the bundle's size,
#   - the device's verification cost on the emulated Cortex-M4 (QEMU -icount, instructions): the
#     ECDSA P-256 signature check and the SHA-256 of a 64 KB model (tests/ota/verify_cost_target).
# Usage: deploy/bench-ota.sh OUTPUT.json
# Env: DEVICES (1000), MODEL_BYTES (65536: the synthetic model's size, about), BUILD_DIR
# (default: build, built here in Release).
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/lib.sh

out=${1:?usage: bench-ota.sh OUTPUT.json}
devices=${DEVICES:-1000}
model_bytes=${MODEL_BYTES:-65536}
# Simulated time runs slowly so the fleet's own events and Health stay a light background load
# (about 1,000 messages a minute) and the figures are about the rollout.
time_scale=${TIME_SCALE:-60}
build=${BUILD_DIR:-build}
if [ -z "${BUILD_DIR:-}" ]; then
  build_release sottod sotto-sim sottoctl sotto-model-synth
fi
bin=$build/bin

work=$PWD/build/bench/ota-work
rm -rf "$work" && mkdir -p "$work"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# --- device verification cost (Cortex-M4 under QEMU) --------------------------------------
verify_json='{"available": false, "reason": "no Cortex-M4 cross tree in '"$build"' (SOTTO_CROSS=OFF or no arm-none-eabi-gcc/QEMU)"}'
elf=${CROSS_ELF:-$build/cross/cortex-m4/bin/ota_verify_cost.elf}
# grep without -q reads all of ninja's output: with pipefail, ninja killed by SIGPIPE would
# make the test false even when the target exists.
if [ -z "${CROSS_ELF:-}" ] && [ -f "$build/build.ninja" ] &&
  ninja -C "$build" -t targets all 2>/dev/null | grep '^sotto_cross_cortex-m4:' > /dev/null; then
  cmake --build "$build" --target sotto_cross_cortex-m4 > "$work/cross-build.log" 2>&1 ||
    verify_json='{"available": false, "reason": "the Cortex-M4 cross tree did not build; see build/bench/ota-work/cross-build.log"}'
fi
qemu_run=${QEMU_RUN:-$bin/sotto-qemu-run}
if [ -f "$elf" ] && [ -x "$qemu_run" ]; then
  if "$qemu_run" cortex-m4 "$elf" > "$work/verify-cost.txt" 2>&1; then
    verify_json=$(/usr/bin/python3 - "$work/verify-cost.txt" <<'PY'
import json, sys
counts = dict(line.split() for line in open(sys.argv[1]) if line.strip())
print(json.dumps({
    "available": True,
    "target": "cortex-m4 (QEMU mps2-an386, -icount shift=3: counts are instructions, not cycles)",
    "crypto": "mbedTLS 2.28 ECP/bignum in C (-Os), no assembly acceleration",
    "ecdsa_p256_verify_instructions": int(counts["ecdsa_p256_verify_instructions"]),
    "sha256_64k_instructions": int(counts["sha256_64k_instructions"]),
    "sha256_instructions_per_byte": round(int(counts["sha256_64k_instructions"]) / 65536, 1),
}))
PY
)
  else
    verify_json='{"available": false, "reason": "ota_verify_cost.elf failed under QEMU; see build/bench/ota-work/verify-cost.txt"}'
  fi
fi

# --- broker, gateway, fleet ------------------------------------------------------------------
broker_port=$(free_port)
http_port=$(free_port)
broker=tcp://127.0.0.1:$broker_port
write_broker_config "$work" "$broker_port"
/usr/sbin/mosquitto -c "$work/mosquitto.conf" 2>> "$work/mosquitto.stderr" &
broker_pid=$!
pids+=($broker_pid)
wait_for_port "$broker_port" 20
"$bin/sottod" --broker "$broker" --db "$work/sotto.db" \
  --http-port "$http_port" 2> "$work/sottod.log" &
gateway_pid=$!
pids+=($gateway_pid)
wait_for_gateway "$http_port" 30
ctl=("$bin/sottoctl" --gateway "http://127.0.0.1:$http_port")

"${ctl[@]}" keygen --out "$work/keys" > /dev/null
"${ctl[@]}" keys trust "$work/keys/signing_key.pub.pem" > /dev/null  # the devices below trust it
"$bin/sotto-model-synth" --bytes "$model_bytes" --seed 64 -o "$work/model.tflite" > /dev/null
"${ctl[@]}" model import "$work/model.tflite" -o "$work/model.smdl" > /dev/null
model_bytes=$(stat -c %s "$work/model.smdl")
for version in 2 3; do
  "${ctl[@]}" model sign "$work/model.smdl" --key "$work/keys/signing_key.pem" --version "$version" \
    --target-class 1 -o "$work/model-v$version.sotb" > /dev/null
done
bundle_bytes=$(stat -c %s "$work/model-v2.sotb")

ulimit -n "$(ulimit -Hn)"
"$bin/sotto-sim" --devices "$devices" --sites bench:agri --broker "$broker" \
  --fleet-key "$work/keys/signing_key.pub.pem" --slot-bytes "$(( (model_bytes + 1023) / 1024 * 1024 ))" \
  --duration 3600 --time-scale "$time_scale" --threads 16 --quiet --summary-json "$work/sim-summary.json" > "$work/sotto-sim.log" 2>&1 &
sim_pid=$!
pids+=($sim_pid)
wait_for_metric "$http_port" sotto_devices_known "$devices" 300 ||
  { echo "bench-ota: only $(metric "$http_port" sotto_devices_known) of $devices devices reported" >&2; exit 1; }

# cpu_seconds PID: user + system CPU time the process has used so far.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }
cpu_snapshot() { echo "$(cpu_seconds "$gateway_pid") $(cpu_seconds "$broker_pid") $(cpu_seconds "$sim_pid")"; }

# rollout VERSION WAVES -> prints seconds; leaves the rollout's JSON in $work/rollout-VERSION.json
rollout() {
  local version=$1 waves=$2 start id state
  start=$(date +%s.%N)
  id=$("${ctl[@]}" --json rollout start "$work/model-v$version.sotb" --site bench --waves "$waves" \
    --max-failure-pct 2 | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  local deadline=$((SECONDS + 900))
  while [ $SECONDS -lt $deadline ]; do
    state=$(curl -sf "http://127.0.0.1:$http_port/api/v1/rollouts/$id" | tee "$work/rollout-$version.json" |
      /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
    case "$state" in done|halted|aborted) break ;; esac
    sleep 0.1
  done
  [ "$state" = done ] || { echo "bench-ota: rollout $id ended $state" >&2; exit 1; }
  /usr/bin/python3 -c 'import sys,time; print(round(time.time() - float(sys.argv[1]), 2))' "$start"
}
read -r gw0 br0 sim0 < <(cpu_snapshot)
one_wave_s=$(rollout 2 100)
read -r gw1 br1 sim1 < <(cpu_snapshot)
three_waves_s=$(rollout 3 5,25,100)
echo "rolled $model_bytes bytes to $devices devices: one wave ${one_wave_s}s, waves 5,25,100 ${three_waves_s}s"

/usr/bin/python3 - "$out" "$work" <<PY
import json, sys
out, work = sys.argv[1], sys.argv[2]
devices, bundle = $devices, $bundle_bytes
def transfer(version):
    r = json.load(open(f"{work}/rollout-{version}.json"))
    assert r["devices"]["activated"] == devices, r["devices"]
    t = r["transfer"]
    return {
        "activated": r["devices"]["activated"], "failed": r["devices"]["failed"],
        "offers": t["offers"], "resent_offers": t["resent_offers"], "resyncs": t["resyncs"],
        "chunks": t["chunks"],
        "payload_bytes_per_device": round(t["payload_bytes"] / devices, 1),
        "mqtt_publish_bytes_per_device": round(t["wire_bytes"] / devices, 1),
        "payload_over_bundle": round(t["payload_bytes"] / devices / bundle, 4),
        "mqtt_publish_over_bundle": round(t["wire_bytes"] / devices / bundle, 4),
        "status_messages_per_device": round(t["statuses"] / devices, 1),
    }
result = {
    "devices": devices, "model_bytes": $model_bytes, "bundle_bytes": bundle,
    "chunk_bytes": 1024, "window_chunks": 16,
    "machine": "this machine, 2 shared cores: broker, sottod and every simulated device on one host",
    "fleet": "sotto-sim --threads 16 --time-scale $time_scale (each device its own MQTT connection and SDK instance)",
    "rollout_one_wave": {"seconds": $one_wave_s, "waves": [100], **transfer(2),
        "cpu_seconds": {"sottod": round($gw1 - $gw0, 2), "mosquitto": round($br1 - $br0, 2),
                        "sotto_sim_all_devices": round($sim1 - $sim0, 2)}},
    "rollout_waves_5_25_100": {"seconds": $three_waves_s, "waves": [5, 25, 100], **transfer(3)},
    "limit_bytes_per_device": "<= 1.1 x bundle_bytes when nothing fails (payload_over_bundle)",
    "device_verification": json.loads('''$verify_json'''),
}
json.dump(result, open(out, "w"), indent=2)
print(json.dumps(result, indent=2))
PY
echo "wrote $out"
