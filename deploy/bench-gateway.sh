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
ingested_metric=sotto_ingest_events_stored_total

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
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# One sottod run: create its session, stop it, queue the load, start it and time the drain.
# Prints "rate rss_kib".
gateway_run() {
  local run=$1 n_devices=$2 n_events=$3 dir=$work/gateway-$1
  mkdir -p "$dir"
  local http_port; http_port=$(free_port)
  local args=(--config deploy/sottod.toml --broker "$broker_url" --db "$dir/sotto.db"
              --http-port "$http_port" --client-id "bench-gw-$run")
  # stdout away from the caller's pipe: a gateway left running must not hold it open.
  build/bin/sottod "${args[@]}" > /dev/null 2>> "$dir/sottod.log" & local pid=$!
  wait_for_gateway "$http_port" 60 || { kill -KILL "$pid"; echo "bench-gateway: sottod did not start; see $dir/sottod.log" >&2; exit 1; }
  kill -TERM "$pid"; wait "$pid" || true
  "$load" publish --broker "$broker_url" --site "site-$run" --devices "$n_devices" --events "$n_events" > /dev/null
  local expected_events=$n_events
  build/bin/sottod "${args[@]}" > /dev/null 2>> "$dir/sottod.log" & pid=$!
  # The broker hands over the queued backlog before it confirms the subscription, so readiness
  # can take as long as the drain itself.
  wait_for_gateway "$http_port" 600 || { kill -KILL "$pid"; echo "bench-gateway: sottod did not become ready; see $dir/sottod.log" >&2; exit 1; }
  # Wait until every event is stored, then time ingest from the gateway's own receive
  # timestamps (first to last stored event), as the bare subscriber times first to last message.
  wait_for_metric "$http_port" "$ingested_metric" "$expected_events" 600 ||
    { echo "bench-gateway: sottod stored only $(metric "$http_port" "$ingested_metric") of $expected_events" >&2; exit 1; }
  local rss; rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
  kill -TERM "$pid"; wait "$pid" || true
  sqlite3 "$dir/sotto.db" "SELECT (COUNT(*) - 1) * 1000.0 / MAX(MAX(received_ms) - MIN(received_ms), 1), $rss FROM events" | tr '|' ' '
}

broker_rates=() gateway_rates=()
for run in $(seq 1 "$runs"); do
  "$load" drain --broker "$broker_url" --client-id "bench-bare-$run" --prepare > /dev/null
  "$load" publish --broker "$broker_url" --site "bare-$run" --devices "$devices" --events "$events" > /dev/null
  rate=$("$load" drain --broker "$broker_url" --client-id "bench-bare-$run" --expect $((devices + events)) | json_field rate)
  broker_rates+=("$rate")
  read -r gw_rate _ < <(gateway_run "$run" "$devices" "$events")
  gateway_rates+=("$gw_rate")
  echo "run $run: broker -> bare subscriber $rate msg/s, sottod $gw_rate events/s"
done
broker_median=$(printf '%s\n' "${broker_rates[@]}" | median)
gateway_median=$(printf '%s\n' "${gateway_rates[@]}" | median)

# Memory per known device: the same load from few and from many devices.
read -r _ rss_few < <(gateway_run few "$devices" "$many_devices")
read -r _ rss_many < <(gateway_run many "$many_devices" "$many_devices")

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
