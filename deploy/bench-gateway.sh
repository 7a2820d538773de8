#!/usr/bin/env bash
# Gateway ingest benchmark (called by deploy/bench.sh): sottod's sustained ingest rate with
# persistence on, against the broker's raw delivery rate to a bare subscriber measured in the
# same run on the same broker, and sottod's resident memory per known device.
#
# Both consumers face the same task: a persistent session holds N queued QoS 1 messages and the
# consumer connects and drains it. Repeated RUNS times; medians are reported.
# Usage: deploy/bench-gateway.sh OUTPUT.json   (env: EVENTS, DEVICES, RUNS, MANY_DEVICES)
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/lib.sh

out=${1:?usage: bench-gateway.sh OUTPUT.json}
events=${EVENTS:-100000}
devices=${DEVICES:-100}
runs=${RUNS:-3}
many_devices=${MANY_DEVICES:-10000}

work=$PWD/build/bench/gateway-work
rm -rf "$work" && mkdir -p "$work"
broker_port=$(free_port)
broker_url=tcp://127.0.0.1:$broker_port
load=build/bin/sotto-bench-ingest
pids=()
cleanup() { for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

write_broker_config "$work" "$broker_port"
/usr/sbin/mosquitto -c "$work/mosquitto.conf" 2>> "$work/mosquitto.stderr" &
pids+=($!)
wait_for_port "$broker_port" 20

json_field() { /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

# One sottod run on the plain broker: prints "rate rss_kib" (lib.sh's sottod_ingest_run).
gateway_run() {
  local gateway_flags=(--broker "$broker_url") load_flags=(--broker "$broker_url")
  sottod_ingest_run "$work/gateway-$1" "$2" "$3" "site-$1" "bench-gw-$1" gateway_flags load_flags
}

broker_rates=() gateway_rates=()
for run in $(seq 1 "$runs"); do
  "$load" drain --broker "$broker_url" --client-id "bench-bare-$run" --prepare > /dev/null
  "$load" publish --broker "$broker_url" --site "bare-$run" --devices "$devices" --events "$events" > /dev/null
  rate=$("$load" drain --broker "$broker_url" --client-id "bench-bare-$run" --expect $((devices + events)) | json_field rate)
  broker_rates+=("$rate")
  result=$(gateway_run "$run" "$devices" "$events")
  read -r gw_rate _ <<< "$result"
  gateway_rates+=("$gw_rate")
  echo "run $run: broker -> bare subscriber $rate msg/s, sottod $gw_rate events/s"
done
broker_median=$(printf '%s\n' "${broker_rates[@]}" | median)
gateway_median=$(printf '%s\n' "${gateway_rates[@]}" | median)

# Memory per known device: the same load from few and from many devices.
result=$(gateway_run few "$devices" "$many_devices")
read -r _ rss_few <<< "$result"
result=$(gateway_run many "$many_devices" "$many_devices")
read -r _ rss_many <<< "$result"

/usr/bin/python3 - "$out" <<PY
import json, sys
broker = [float(x) for x in "${broker_rates[*]}".split()]
gateway = [float(x) for x in "${gateway_rates[*]}".split()]
rss_few, rss_many = int("$rss_few"), int("$rss_many")
result = {
    "events_per_run": $events, "devices": $devices, "runs": $runs,
    "broker_to_bare_subscriber_msgs_per_s": {"runs": broker, "median": $broker_median},
    "gateway_ingest_events_per_s": {"runs": gateway, "median": $gateway_median, "persistence": "SQLite WAL, synchronous per deploy/sottod.toml"},
    "gateway_over_broker_ratio": round($gateway_median / $broker_median, 3),
    "gateway_rss_kib": {"devices_${devices}": rss_few, "devices_${many_devices}": rss_many},
    "gateway_rss_bytes_per_known_device": round((rss_many - rss_few) * 1024 / ($many_devices - $devices), 1),
}
json.dump(result, open(sys.argv[1], "w"), indent=2)
print(json.dumps(result, indent=2))
PY
