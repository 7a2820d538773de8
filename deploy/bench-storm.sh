#!/usr/bin/env bash
# Reconnect-storm benchmark (called by deploy/bench.sh storm): DEVICES simulated devices (real
# SDK, queue in flash, several sotto-sim processes) are connected through the shipped broker
# config to sottod; the broker stops, every device queues EVENTS events, the broker starts again
# and all devices reconnect at once. Measured per run, with the SDK's full jitter and without
# jitter (exact exponential backoff), side by side: every event stored exactly once (sottod's
# API and metrics against what the devices had acknowledged), the time from the broker's
# restart until the last event was stored, peak RSS of the broker and of sottod, the API's
# latency (p50/p99) while the storm lasts, and the devices' reconnect counts.
# Usage: deploy/bench-storm.sh OUTPUT.json   (env: DEVICES, EVENTS, SIMS, MODES, TIMEOUT_S)
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/lib.sh

out=${1:?usage: bench-storm.sh OUTPUT.json}
devices=${DEVICES:-5000}
events=${EVENTS:-64}
# sotto-sim processes, 500 devices each by default. Paho's async client serves all of a
# process's clients from one receive and one send thread, and its work per packet grows with the
# number of clients (most of sotto-sim's CPU time is in those threads): the storm's cost grows
# faster than its devices per process. On a 2-core machine 1,000 devices stored 64,000 events in
# 266 s from one process and in 47 s from two. Each holds devices/SIMS sockets.
sims=${SIMS:-$(((devices + 499) / 500))}
modes=${MODES:-"none full"}
timeout_s=${TIMEOUT_S:-1800}
expected=$((devices * events))
per_sim=$(((devices + sims - 1) / sims))
[ $((per_sim * sims)) -eq "$devices" ] || { echo "bench-storm: DEVICES ($devices) must divide by SIMS ($sims)" >&2; exit 2; }

work=$PWD/build/bench/storm-work
rm -rf "$work" && mkdir -p "$work"
# One socket per device in each simulator, one per client in the broker.
ulimit -n "$(ulimit -Hn)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

fail() { echo "bench-storm: $*" >&2; exit 1; }
now() { date +%s.%N; }
peak_rss_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
# Events sottod says it stored: the fleet API's per-site counts (the sum over sites).
api_events() {
  curl -sf --max-time 30 "http://127.0.0.1:$1/api/v1/fleet" |
    /usr/bin/python3 -c 'import json,sys; print(sum(s["events"] for s in json.load(sys.stdin)["sites"]))' 2>/dev/null ||
    echo 0
}
wait_for_log_line() {  # FILE TEXT SECONDS
  local deadline=$((SECONDS + $3))
  until grep -q "$2" "$1" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}
# Requests the fleet summary and one device, one after the other, until STOP_FILE exists;
# writes each latency in seconds (or "error").
sample_api() {
  local port=$1 device=$2 stop=$3 log=$4
  while [ ! -e "$stop" ]; do
    for path in /api/v1/fleet "/api/v1/devices/$device"; do
      curl -s -o /dev/null --max-time 30 -w '%{time_total}\n' "http://127.0.0.1:$port$path" >> "$log" ||
        echo error >> "$log"
    done
  done
}

run_storm() {
  local jitter=$1
  local dir=$work/$jitter  # its own line: bash expands a local's words before assigning any
  mkdir -p "$dir"
  local broker_port http_port
  broker_port=$(free_port)
  http_port=$(free_port)
  write_broker_config "$dir" "$broker_port"
  /usr/sbin/mosquitto -c "$dir/mosquitto.conf" 2>> "$dir/mosquitto.stderr" & local broker=$!
  pids+=("$broker")
  wait_for_port "$broker_port" 20 || fail "mosquitto did not listen; see $dir/mosquitto.log"
  local gateway_args=(--config deploy/sottod.toml --broker "tcp://127.0.0.1:$broker_port"
                      --db "$dir/sotto.db" --http-port "$http_port" --client-id "storm-gw-$jitter")
  build/bin/sottod "${gateway_args[@]}" > /dev/null 2>> "$dir/sottod.log" & local gateway=$!
  pids+=("$gateway")
  wait_for_gateway "$http_port" 60 || fail "sottod did not start; see $dir/sottod.log"

  local sim_pids=()
  for i in $(seq 1 "$sims"); do
    build/bin/sotto-sim --devices "$per_sim" --sites "storm-$i:industrial" \
      --events-per-device "$events" --hold-events --queue-in-flash --queue-events "$events" \
      --reconnect-jitter "$jitter" --broker "tcp://127.0.0.1:$broker_port" --seed "$i" \
      --duration "$timeout_s" --drain-timeout 600 --summary-json "$dir/sim-$i.json" --quiet \
      > "$dir/sim-$i.log" 2>&1 &
    sim_pids+=($!)
    pids+=($!)
  done
  # Every device connected and its boot Health stored.
  wait_for_metric "$http_port" sotto_devices_known "$devices" 900 ||
    fail "only $(metric "$http_port" sotto_devices_known) of $devices devices reached sottod; see $dir/sim-*.log"

  kill -TERM "$broker"; wait "$broker" || true
  for pid in "${sim_pids[@]}"; do kill -USR1 "$pid"; done
  for i in $(seq 1 "$sims"); do
    wait_for_log_line "$dir/sim-$i.log" "$((per_sim * events)) held events queued" 300 ||
      fail "sotto-sim $i did not queue its events; see $dir/sim-$i.log"
  done

  local start stop_file=$dir/sampling.stop
  start=$(now)
  /usr/sbin/mosquitto -c "$dir/mosquitto.conf" 2>> "$dir/mosquitto.stderr" & broker=$!
  pids+=("$broker")
  sample_api "$http_port" storm-1-00001 "$stop_file" "$dir/latency.txt" &
  local sampler=$!
  local deadline=$((SECONDS + timeout_s)) stored=0 last=""
  while [ $SECONDS -lt $deadline ]; do
    stored=$(metric "$http_port" sotto_ingest_events_stored_total)
    stored=${stored%.*}
    if [ "$stored" -ge "$expected" ]; then last=$(now); break; fi
    sleep 0.2
  done
  touch "$stop_file"
  wait "$sampler" || true
  [ -n "$last" ] || fail "sottod stored $stored of $expected events within ${timeout_s} s; see $dir"
  local broker_rss gateway_rss
  broker_rss=$(peak_rss_kib "$broker")
  gateway_rss=$(peak_rss_kib "$gateway")
  for pid in "${sim_pids[@]}"; do wait "$pid" || fail "a sotto-sim did not deliver everything; see $dir/sim-*.log"; done
  sleep 1  # a late duplicate would be counted by now
  local api_total duplicates stored_final
  api_total=$(api_events "$http_port")
  duplicates=$(metric "$http_port" sotto_ingest_duplicates_total)
  stored_final=$(metric "$http_port" sotto_ingest_events_stored_total)
  kill -TERM "$gateway" "$broker"; wait "$gateway" "$broker" 2>/dev/null || true

  /usr/bin/python3 - "$dir" "$jitter" "$start" "$last" "$broker_rss" "$gateway_rss" \
    "$api_total" "${stored_final%.*}" "${duplicates%.*}" "$expected" "$sims" > "$dir/result.json" <<'PY'
import glob, json, statistics, sys
(dir_, jitter, start, last, broker_rss, gateway_rss, api_total, stored, duplicates, expected,
 sims) = sys.argv[1:]
samples, errors = [], 0
for line in open(f"{dir_}/latency.txt") if glob.glob(f"{dir_}/latency.txt") else []:
    line = line.strip()
    if line == "error":
        errors += 1
    elif line:
        samples.append(float(line) * 1000)
samples.sort()
def pct(p):
    return round(samples[min(len(samples) - 1, int(round(p / 100 * (len(samples) - 1))))], 2) if samples else None
link = {"connects": 0, "connect_attempts": 0, "connect_failures": 0, "connection_losses": 0,
        "publish_failures": 0}
delivered = emitted = dropped = 0
for path in sorted(glob.glob(f"{dir_}/sim-*.json")):
    summary = json.load(open(path))
    for key in link:
        link[key] += summary["link"][key]
    delivered += summary["totals"]["delivered"]
    emitted += summary["totals"]["emitted"]
    dropped += summary["totals"]["dropped"]
expected = int(expected)
print(json.dumps({
    "jitter": jitter,
    "events_expected": expected,
    "events_emitted_by_devices": emitted,
    "events_acknowledged_to_devices": delivered,
    "events_dropped_by_devices": dropped,
    "events_stored_metric": int(stored),
    "events_stored_api": int(api_total),
    "duplicates_received_and_dropped": int(duplicates),
    "stored_exactly_once": int(stored) == expected and int(api_total) == expected and delivered == expected,
    "seconds_from_broker_restart_to_last_stored": round(float(last) - float(start), 2),
    "peak_rss_kib": {"broker": int(broker_rss), "sottod": int(gateway_rss)},
    "api_latency_ms_during_storm": {"requests": len(samples), "errors": errors, "p50": pct(50),
                                    "p99": pct(99), "max": round(samples[-1], 2) if samples else None},
    "device_links": link,
}, indent=2))
PY
  echo "storm ($jitter jitter): $(/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["seconds_from_broker_restart_to_last_stored"], "s to the last of", r["events_stored_api"], "events; exactly once:", r["stored_exactly_once"], "; API p99", r["api_latency_ms_during_storm"]["p99"], "ms")' "$dir/result.json")"
}

for mode in $modes; do
  case "$mode" in none|full) ;; *) fail "MODES: expected none and/or full, got '$mode'" ;; esac
  run_storm "$mode"
done

/usr/bin/python3 - "$work" "$out" "$devices" "$events" "$sims" $modes <<'PY'
import json, platform, subprocess, sys
work, out, devices, events, sims, *modes = sys.argv[1:]
runs = {f"{m}_jitter": json.load(open(f"{work}/{m}/result.json")) for m in modes}
git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
json.dump({
    "benchmark": "storm",
    "what": "devices queue events in flash while the broker is down, then all reconnect at once",
    "devices": int(devices), "events_per_device": int(events), "sim_processes": int(sims),
    "commit": git, "machine": {"cpus": __import__("os").cpu_count(), "platform": platform.platform()},
    "runs": runs,
}, open(out, "w"), indent=2)
print(f"wrote {out}")
PY
