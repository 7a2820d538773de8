#!/usr/bin/env bash
# Gateway ingest benchmark (called by deploy/bench.sh), all on one private broker:
# - drain ratio: sottod drains a backlog of N queued QoS 1 messages from its persistent session
#   (journal written before each PUBACK, store in batches), against a bare Paho subscriber
#   draining the same backlog in the same run; once with store.synchronous = "normal" and once
#   with "full" (journal fdatasync'ed per batch before the PUBACKs). Rates are first to last
#   receipt, as the bare subscriber is timed; "all stored" rates run to the last commit.
# - API latency while sottod drains: /api/v1/fleet and /api/v1/devices/{id}, p50 and p99.
# - bytes per event on disk (database file after the run, indexes included).
# - resident memory per known device: the same number of events from few and from many devices.
# Medians of RUNS runs. Usage: deploy/bench-gateway.sh OUTPUT.json
#   (env: EVENTS, DEVICES, RUNS, MANY_DEVICES)
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/lib.sh

out=${1:?usage: bench-gateway.sh OUTPUT.json}
events=${EVENTS:-100000}
devices=${DEVICES:-100}
runs=${RUNS:-3}
many_devices=${MANY_DEVICES:-100000}

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

# wait_stored_and_probe HTTP_PORT EVENTS [LATENCY_PREFIX]: waits until sottod has stored EVENTS
# events and prints the wall clock (ms) at that moment. With LATENCY_PREFIX it times GET
# /api/v1/fleet and /api/v1/devices/dev-0 in turn meanwhile and writes the latencies (ms) to
# PREFIX.fleet and PREFIX.device.
wait_stored_and_probe() {
  local http_port=$1 expected=$2 probe_out=${3:-}
  /usr/bin/python3 - "$http_port" "$expected" "$probe_out" <<'PY'
import sys, time, urllib.request
port, expected, probe_out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
def stored():
    try:
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30).read().decode()
    except Exception:
        return 0
    for line in text.splitlines():
        if line.startswith("sotto_ingest_events_stored_total "):
            return int(float(line.split()[1]))
    return 0
lat = {"fleet": [], "device": []}
deadline = time.time() + 900
while time.time() < deadline:
    if stored() >= expected:
        print(int(time.time() * 1000))
        break
    if probe_out:
        for name, path in (("fleet", "/api/v1/fleet"), ("device", "/api/v1/devices/dev-0")):
            start = time.perf_counter()
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30).read()
            lat[name].append((time.perf_counter() - start) * 1000)
    else:
        time.sleep(0.02)
else:
    sys.exit("bench-gateway: sottod did not store %d events in time" % expected)
if probe_out:
    for name, values in lat.items():
        open(f"{probe_out}.{name}", "w").write("\n".join("%.3f" % v for v in values) + "\n")
PY
}

# One sottod run: create its session, stop it, queue the load, start it and time the drain.
# Prints "received_rate stored_rate rss_kib bytes_per_event".
gateway_run() {
  local run=$1 n_devices=$2 n_events=$3 synchronous=$4 probe=${5:-} dir=$work/gateway-$1
  mkdir -p "$dir"
  local http_port; http_port=$(free_port)
  printf '[store]\nsynchronous = "%s"\n' "$synchronous" > "$dir/sottod.toml"
  local args=(--config "$dir/sottod.toml" --broker "$broker_url" --db "$dir/sotto.db"
              --http-port "$http_port" --client-id "bench-gw-$run")
  # stdout away from the caller's pipe: a gateway left running must not hold it open.
  build/bin/sottod "${args[@]}" > /dev/null 2>> "$dir/sottod.log" & local pid=$!
  wait_for_gateway "$http_port" 60 || { kill -KILL "$pid"; echo "bench-gateway: sottod did not start; see $dir/sottod.log" >&2; exit 1; }
  kill -TERM "$pid"; wait "$pid" || true
  "$load" publish --broker "$broker_url" --site "site-$run" --devices "$n_devices" --events "$n_events" > /dev/null
  build/bin/sottod "${args[@]}" > /dev/null 2>> "$dir/sottod.log" & pid=$!
  local done_ms; done_ms=$(wait_stored_and_probe "$http_port" "$n_events" ${probe:+"$dir/latency"})
  local rss; rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
  kill -TERM "$pid"; wait "$pid" || true
  local bytes; bytes=$(stat -c %s "$dir/sotto.db")
  sqlite3 "$dir/sotto.db" "SELECT (COUNT(*) - 1) * 1000.0 / MAX(MAX(event_time_ms + received_delay_ms) - MIN(event_time_ms + received_delay_ms), 1), COUNT(*) * 1000.0 / MAX($done_ms - MIN(event_time_ms + received_delay_ms), 1), $rss, $bytes * 1.0 / COUNT(*) FROM events" | tr '|' ' '
}

percentile() {  # percentile P FILE
  sort -g "$2" | awk -v p="$1" '{ v[NR] = $1 } END { i = int((NR - 1) * p / 100) + 1; print v[i] }'
}

broker_rates=() normal_rates=() normal_stored=() full_rates=() full_stored=() disk=()
for run in $(seq 1 "$runs"); do
  "$load" drain --broker "$broker_url" --client-id "bench-bare-$run" --prepare > /dev/null
  "$load" publish --broker "$broker_url" --site "bare-$run" --devices "$devices" --events "$events" > /dev/null
  rate=$("$load" drain --broker "$broker_url" --client-id "bench-bare-$run" --expect $((devices + events)) | json_field rate)
  broker_rates+=("$rate")
  read -r received stored _ bytes < <(gateway_run "normal-$run" "$devices" "$events" normal)
  normal_rates+=("$received"); normal_stored+=("$stored"); disk+=("$bytes")
  read -r received stored _ _ < <(gateway_run "full-$run" "$devices" "$events" full)
  full_rates+=("$received"); full_stored+=("$stored")
  echo "run $run: bare subscriber $rate msg/s; sottod normal ${normal_rates[-1]} received, ${normal_stored[-1]} stored /s; full ${full_rates[-1]} received, ${full_stored[-1]} stored /s"
done
med() { printf '%s\n' "$@" | median; }

# API latency while sottod drains the same backlog (a run of its own: the probing takes CPU).
gateway_run api "$devices" "$events" normal probe > /dev/null
fleet_p50=$(percentile 50 "$work/gateway-api/latency.fleet"); fleet_p99=$(percentile 99 "$work/gateway-api/latency.fleet")
device_p50=$(percentile 50 "$work/gateway-api/latency.device"); device_p99=$(percentile 99 "$work/gateway-api/latency.device")
probes=$(wc -l < "$work/gateway-api/latency.fleet")

# Memory per known device: the same number of events from few and from many devices.
read -r _ _ rss_few _ < <(gateway_run few "$devices" "$many_devices" normal)
read -r _ _ rss_many _ < <(gateway_run many "$many_devices" "$many_devices" normal)

/usr/bin/python3 - "$out" <<PY
import json, sys
def floats(text): return [float(x) for x in text.split()]
broker = floats("${broker_rates[*]}")
bm = $(med "${broker_rates[@]}")
result = {
    "events_per_run": $events, "devices": $devices, "runs": $runs,
    "broker_to_bare_subscriber_msgs_per_s": {"runs": broker, "median": bm},
    "gateway_normal": {
        "received_events_per_s": {"runs": floats("${normal_rates[*]}"), "median": $(med "${normal_rates[@]}")},
        "all_stored_events_per_s": {"runs": floats("${normal_stored[*]}"), "median": $(med "${normal_stored[@]}")},
        "ratio_to_bare_subscriber": round($(med "${normal_rates[@]}") / bm, 3),
        "persistence": "journal write() before each batch's PUBACKs; SQLite WAL synchronous=NORMAL"},
    "gateway_full": {
        "received_events_per_s": {"runs": floats("${full_rates[*]}"), "median": $(med "${full_rates[@]}")},
        "all_stored_events_per_s": {"runs": floats("${full_stored[*]}"), "median": $(med "${full_stored[@]}")},
        "ratio_to_bare_subscriber": round($(med "${full_rates[@]}") / bm, 3),
        "persistence": "journal write()+fdatasync() before each batch's PUBACKs; SQLite synchronous=FULL"},
    "disk_bytes_per_event": {"runs": floats("${disk[*]}"), "median": round($(med "${disk[@]}"), 1),
                             "what": "database file size / events after a drain (indexes, registry, aggregates included)"},
    "api_latency_ms_during_drain": {"probes": $probes,
        "fleet": {"p50": $fleet_p50, "p99": $fleet_p99},
        "device": {"p50": $device_p50, "p99": $device_p99}},
    "gateway_rss_kib": {"devices_${devices}": $rss_few, "devices_${many_devices}": $rss_many},
    "gateway_rss_bytes_per_known_device": round(($rss_many - $rss_few) * 1024 / ($many_devices - $devices), 1),
}
json.dump(result, open(sys.argv[1], "w"), indent=2)
print(json.dumps(result, indent=2))
PY
