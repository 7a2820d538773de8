#!/usr/bin/env bash
# Reconnect-storm benchmark (called by deploy/bench.sh storm): DEVICES simulated devices (real
# SDK: queue in flash, backoff with jitter, paced flush) in one sotto-sim process whose devices'
# connections share one event loop (--transport shared; SIMS splits them over more processes),
# connected through the shipped broker settings to sottod, on a plain loopback listener with the
# TLS listener's max_connections. No TLS here: the storm measures queueing, backoff and the
# broker's limits alone (5,000 handshakes would be part of every figure); deploy/bench-tls-gateway.sh
# measures what TLS costs, and the e2e DeviceQueue tests run a storm over TLS with a certificate
# per device. A power cut: sottod is killed (-9) and the broker stopped, every device queues
# EVENTS events, and OUTAGE_S seconds (default 30) after the cut the broker and sottod start
# again and all devices reconnect at once.
# Measured per run, with the SDK's full jitter and without jitter (exact exponential backoff),
# side by side: events acknowledged to the devices and stored (sottod's API and metrics; stored
# exactly once), the time from the restart until every device is connected (established
# connections at the broker, sampled every 0.25 s), until the devices had every event
# acknowledged, and until the last event was stored, peak connections, the devices' connect
# attempts and the broker's refusals, sottod's store rate against the broker's acceptance rate
# over the same storm, the CPU seconds broker, sottod and simulators spent on it (which one
# bounds the rate), peak RSS of the broker and of sottod, and /api/v1/fleet and
# /api/v1/devices/{id} latency (p50/p99) while the storm lasts. REPEATS runs per mode: each figure
# is the median over them, and every run is kept under "repeats".
# Usage: deploy/bench-storm.sh OUTPUT.json
#   (env: DEVICES, EVENTS, SIMS, MODES, REPEATS, OUTAGE_S, TIMEOUT_S)
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/lib.sh

out=${1:?usage: bench-storm.sh OUTPUT.json}
devices=${DEVICES:-5000}
events=${EVENTS:-64}
# sotto-sim processes; each holds devices/SIMS sockets on its one event loop.
sims=${SIMS:-1}
modes=${MODES:-"none full"}
repeats=${REPEATS:-1}
# How long broker and sottod stay down: a gateway's reboot. The devices' backoff grows meanwhile
# (1, 2, 4, 8, 16 s ceilings...), which is what tells jitter from no jitter when they return.
outage_s=${OUTAGE_S:-30}
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
# A process still running (not exited, not a zombie).
running() {
  local state; state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}
# CPU seconds (user + system) a process has used so far.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a + b }'; }
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
# writes "PATH SECONDS" per request ("PATH error" for a failed one).
sample_api() {
  local port=$1 device=$2 stop=$3 log=$4
  while [ ! -e "$stop" ]; do
    for path in /api/v1/fleet "/api/v1/devices/$device"; do
      local seconds
      # curl prints the time even when the request failed (sottod not listening yet).
      seconds=$(curl -sf -o /dev/null --max-time 30 -w '%{time_total}' "http://127.0.0.1:$port$path") ||
        seconds=error
      echo "$path $seconds" >> "$log"
    done
  done
}
# Writes "EPOCH_SECONDS CONNECTIONS" every 0.25 s until STOP_FILE exists: the connections the
# broker has established on PORT (the devices' and sottod's). Meanwhile keeps each simulator's
# CPU seconds in DIR/sim-PID.cpu (the last reading before it exits: bash reaps it at once).
sample_connections() {
  local port=$1 stop=$2 log=$3 dir=$4 pid seconds
  shift 4
  while [ ! -e "$stop" ]; do
    echo "$(now) $(ss -Htn state established "( sport = :$port )" | wc -l)" >> "$log"
    for pid in "$@"; do
      seconds=$(cpu_seconds "$pid" 2>/dev/null) && echo "$seconds" > "$dir/sim-$pid.cpu"
    done
    sleep 0.25
  done
}

run_storm() {
  local jitter=$1 repeat=$2
  local dir=$work/$jitter-$repeat  # its own line: bash expands a local's words before assigning any
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
    build/bin/sotto-sim --devices "$per_sim" --sites "storm-$i:industrial" --transport shared \
      --time-scale 1 \
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

  # The power cut: sottod dies at once, the broker saves its sessions (it holds nothing queued
  # now; a real cut loses up to autosave_interval of queued messages, README). Each device then
  # queues its events in flash while nothing answers.
  local cut; cut=$(now)
  kill -KILL "$gateway"; wait "$gateway" || true
  kill -TERM "$broker"; wait "$broker" || true
  for pid in "${sim_pids[@]}"; do kill -USR1 "$pid"; done
  for i in $(seq 1 "$sims"); do
    wait_for_log_line "$dir/sim-$i.log" "$((per_sim * events)) held events queued" 300 ||
      fail "sotto-sim $i did not queue its events; see $dir/sim-$i.log"
  done

  local back_at; back_at=$(add "$cut" "$outage_s")
  while awk -v back="$back_at" -v now="$(now)" 'BEGIN { exit !(now < back) }'; do sleep 0.1; done
  local start stop_file=$dir/sampling.stop broker_log_lines
  broker_log_lines=$(wc -l < "$dir/mosquitto.log")  # the storm's lines follow these
  local sim_cpu_before=0
  for pid in "${sim_pids[@]}"; do sim_cpu_before=$(add "$sim_cpu_before" "$(cpu_seconds "$pid")"); done
  start=$(now)
  /usr/sbin/mosquitto -c "$dir/mosquitto.conf" 2>> "$dir/mosquitto.stderr" & broker=$!
  pids+=("$broker")
  build/bin/sottod "${gateway_args[@]}" > /dev/null 2>> "$dir/sottod.log" & gateway=$!
  pids+=("$gateway")
  sample_connections "$broker_port" "$stop_file" "$dir/connections.txt" "$dir" "${sim_pids[@]}" &
  local connection_sampler=$!
  sample_api "$http_port" storm-1-00001 "$stop_file" "$dir/latency.txt" &
  local api_sampler=$!
  # The moment the devices of all simulators had every event acknowledged (each exits then).
  ( for pid in "${sim_pids[@]}"; do while running "$pid"; do sleep 0.05; done; done
    now > "$dir/acknowledged.at" ) &
  local ack_waiter=$!
  local deadline=$((SECONDS + timeout_s)) stored=0 last=""
  while [ $SECONDS -lt $deadline ]; do
    stored=$(metric "$http_port" sotto_ingest_events_stored_total)
    stored=${stored%.*}
    if [ "$stored" -ge "$expected" ]; then last=$(now); break; fi
    sleep 0.2
  done
  [ -n "$last" ] || { touch "$stop_file"; fail "sottod stored $stored of $expected events within ${timeout_s} s; see $dir"; }
  local broker_rss gateway_rss
  broker_rss=$(peak_rss_kib "$broker")
  gateway_rss=$(peak_rss_kib "$gateway")
  # CPU each side spent on the storm (broker and sottod started with it; the simulators' count
  # from the restart on), to tell which one bounds the rate.
  local broker_cpu gateway_cpu sim_cpu=0
  broker_cpu=$(cpu_seconds "$broker")
  gateway_cpu=$(cpu_seconds "$gateway")
  wait "$ack_waiter" || true
  for pid in "${sim_pids[@]}"; do wait "$pid" || fail "a sotto-sim did not deliver everything; see $dir/sim-*.log"; done
  touch "$stop_file"
  wait "$api_sampler" "$connection_sampler" || true
  for i in $(seq 1 "$sims"); do
    [ -s "$dir/sim-$i.json" ] || fail "sotto-sim $i wrote no summary; see $dir/sim-$i.log"
  done
  for pid in "${sim_pids[@]}"; do sim_cpu=$(add "$sim_cpu" "$(cat "$dir/sim-$pid.cpu")"); done
  sim_cpu=$(add "$sim_cpu" "-$sim_cpu_before")
  sleep 1  # a late duplicate would be counted by now
  local api_total duplicates stored_final
  api_total=$(api_events "$http_port")
  duplicates=$(metric "$http_port" sotto_ingest_duplicates_total)
  stored_final=$(metric "$http_port" sotto_ingest_events_stored_total)
  kill -TERM "$gateway" "$broker"; wait "$gateway" "$broker" 2>/dev/null || true

  tail -n +"$((broker_log_lines + 1))" "$dir/mosquitto.log" > "$dir/mosquitto-storm.log"
  /usr/bin/python3 - "$dir" "$jitter" "$cut" "$start" "$last" "$(cat "$dir/acknowledged.at")" \
    "$broker_rss" "$gateway_rss" "$api_total" "${stored_final%.*}" "${duplicates%.*}" \
    "$expected" "$devices" "$broker_cpu" "$gateway_cpu" "$sim_cpu" > "$dir/result.json" <<'PY'
import glob, json, sys
(dir_, jitter, cut, start, last, acked_at, broker_rss, gateway_rss, api_total, stored, duplicates,
 expected, devices, broker_cpu, gateway_cpu, sim_cpu) = sys.argv[1:]
start, last, acked_at = float(start), float(last), float(acked_at)
expected, devices = int(expected), int(devices)
latency = {"/api/v1/fleet": [], "device": []}
errors = 0
for line in open(f"{dir_}/latency.txt"):
    path, _, value = line.strip().partition(" ")
    if value == "error":
        errors += 1
    elif value:
        latency["/api/v1/fleet" if path == "/api/v1/fleet" else "device"].append(float(value) * 1000)
def summary(samples):
    samples = sorted(samples)
    pct = lambda p: round(samples[min(len(samples) - 1, int(round(p / 100 * (len(samples) - 1))))], 2)
    return {"requests": len(samples), "p50": pct(50), "p99": pct(99), "max": round(samples[-1], 2)} if samples else None
connections = [(float(t) - start, int(n)) for t, n in (l.split() for l in open(f"{dir_}/connections.txt"))]
# Every device and sottod's two connections (ingest and rollout): DEVICES + 2.
all_connected = next((t for t, n in connections if n >= devices + 2), None)
link = {"connects": 0, "connect_attempts": 0, "connect_failures": 0, "tcp_refused": 0,
        "broker_refusals": 0, "connection_losses": 0, "publish_failures": 0}
# The broker's own account of the storm (its log after the restart).
broker_log = open(f"{dir_}/mosquitto-storm.log").read()
# The broker's log has whole seconds: the last device's first CONNECT accepted in the storm.
first_connect = {}
for line in broker_log.splitlines():
    stamp, _, text = line.partition(": ")
    if text.startswith("New client connected") and " as sotto-sim-" in text:
        first_connect.setdefault(text.split(" as ")[1].split(" ")[0], int(stamp))
every_device_by_log = (max(first_connect.values()) - start
                       if len(first_connect) == devices else None)
broker = {"tcp_connections_accepted": broker_log.count("New connection from"),
          "clients_connected": broker_log.count("New client connected"),
          "refused_max_connections": broker_log.count("max_connections exceeded"),
          "too_many_fds": broker_log.count("Too many fds")}
delivered = emitted = dropped = 0
for path in sorted(glob.glob(f"{dir_}/sim-*.json")):
    summary_json = json.load(open(path))
    for key in link:
        link[key] += summary_json["link"][key]
    delivered += summary_json["totals"]["delivered"]
    emitted += summary_json["totals"]["emitted"]
    dropped += summary_json["totals"]["dropped"]
stored_s, acked_s = last - start, acked_at - start
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
    "seconds_without_broker_and_sottod": round(start - float(cut), 2),
    "seconds_until_every_device_connected": round(all_connected, 2) if all_connected is not None else None,
    "seconds_until_every_device_connected_by_broker_log": round(every_device_by_log, 1) if every_device_by_log is not None else None,
    "seconds_until_devices_had_every_event_acknowledged": round(acked_s, 2),
    "seconds_until_last_event_stored": round(stored_s, 2),
    "peak_connections_at_broker": max(n for _, n in connections),
    "broker_accept_rate_events_per_s": round(expected / acked_s, 1),
    "sottod_store_rate_events_per_s": round(expected / stored_s, 1),
    "store_rate_over_broker_rate": round(acked_s / stored_s, 3),
    "peak_rss_kib": {"broker": int(broker_rss), "sottod": int(gateway_rss)},
    "cpu_seconds_until_last_stored": {"broker": float(broker_cpu), "sottod": float(gateway_cpu),
                                      "simulators": float(sim_cpu)},
    "api_latency_ms_during_storm": {"fleet": summary(latency["/api/v1/fleet"]),
                                    "device": summary(latency["device"]), "errors": errors},
    "broker_during_storm": broker,
    "device_links_whole_run": link,
}, indent=2))
PY
  echo "storm ($jitter jitter, run $repeat): $(/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["seconds_until_every_device_connected"], "s to all connected,", r["seconds_until_last_event_stored"], "s to the last of", r["events_stored_api"], "events; exactly once:", r["stored_exactly_once"], "; fleet p99", r["api_latency_ms_during_storm"]["fleet"]["p99"], "ms")' "$dir/result.json")"
}

for mode in $modes; do
  case "$mode" in none|full) ;; *) fail "MODES: expected none and/or full, got '$mode'" ;; esac
done
# Modes alternate within each repeat, so both see the same machine load as far as possible.
for repeat in $(seq 1 "$repeats"); do
  for mode in $modes; do run_storm "$mode" "$repeat"; done
done

/usr/bin/python3 - "$work" "$out" "$devices" "$events" "$sims" "$repeats" "$outage_s" $modes <<'PY'
import glob, json, os, platform, statistics, subprocess, sys
work, out, devices, events, sims, repeats, outage, *modes = sys.argv[1:]
def median_of(values):
    if all(isinstance(v, dict) for v in values):
        return {k: median_of([v[k] for v in values]) for k in values[0]}
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return statistics.median(values)
    if all(isinstance(v, bool) for v in values):
        return all(values)
    return values[0] if all(v == values[0] for v in values) else values
runs = {}
for m in modes:
    each = [json.load(open(f"{work}/{m}-{r}/result.json")) for r in range(1, int(repeats) + 1)]
    runs[f"{m}_jitter"] = dict(median_of(each), repeats=each)
git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
json.dump({
    "benchmark": "storm",
    "what": "a power cut: sottod killed and the broker stopped, devices queue their events in "
            "flash, then broker and sottod start and all devices reconnect at once; plain TCP "
            "on loopback with the shipped broker settings; each figure is the median of the repeats",
    "devices": int(devices), "events_per_device": int(events), "sim_processes": int(sims),
    "outage_seconds_at_least": float(outage),
    "sim_transport": "shared event loop (sotto-sim --transport shared)",
    "commit": git, "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                               "load_average_at_end": open("/proc/loadavg").read().split()[:3]},
    "runs": runs,
}, open(out, "w"), indent=2)
print(f"wrote {out}")
PY
