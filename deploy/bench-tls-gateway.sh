#!/usr/bin/env bash
# The gateway half of build/bench/tls.json (called by deploy/bench.sh tls): what TLS costs ingest.
# Two private brokers with the shipped settings run side by side, one plain and one with the
# shipped TLS listener, client certificates and ACL (deploy/mosquitto-tls.conf over a fresh fleet
# PKI); in each of RUNS rounds the same load is queued for sottod on each and drained by it
# (lib.sh's sottod_ingest_run), and a bare subscriber drains the same load from each. Reported:
# the medians, and TLS-on over TLS-off as ratios of medians measured in the same run.
# Writes the key "gateway" of OUTPUT.json and leaves every other key as it was (the device half
# comes from deploy/bench-tls.sh).
# Usage: deploy/bench-tls-gateway.sh OUTPUT.json   (env: EVENTS, DEVICES, RUNS)
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/lib.sh

out=${1:?usage: bench-tls-gateway.sh OUTPUT.json}
events=${EVENTS:-50000}
devices=${DEVICES:-100}
runs=${RUNS:-3}

work=$PWD/build/bench/tls-gateway-work
rm -rf "$work" && mkdir -p "$work/plain" "$work/tls"
pki=$work/pki
pids=()
cleanup() { for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# The fleet PKI, and two bench identities: the load generator publishes for every device and the
# bare subscriber reads every uplink, rights no device has; they are added to this private
# broker's ACL only.
build/bin/sottoctl pki init --out "$pki" > /dev/null
for who in bench-load bench-bare; do
  build/bin/sottoctl device provision "$who" --site bench --class 1 --out "$work/$who" \
    --pki "$pki" --no-reload > /dev/null
done
cat >> "$pki/broker.acl" <<ACL

# benchmark only
user bench-load
topic write sotto/v1/#
user bench-bare
topic read sotto/v1/#
ACL

plain_port=$(free_port)
tls_port=$(free_port)
tls_gateway_port=$(free_port)
write_broker_config "$work/plain" "$plain_port"
write_broker_config "$work/tls" "$tls_port" "$pki" "$tls_gateway_port"
for side in plain tls; do
  /usr/sbin/mosquitto -c "$work/$side/mosquitto.conf" 2>> "$work/$side/mosquitto.stderr" &
  pids+=($!)
done
wait_for_port "$plain_port" 20 && wait_for_port "$tls_port" 20

plain_url=tcp://127.0.0.1:$plain_port
tls_url=ssl://127.0.0.1:$tls_port
identity() { echo --ca "$pki/ca.crt" --cert "$work/$1/device.crt" --key "$work/$1/device.key"; }
plain_gateway=(--broker "$plain_url") plain_load=(--broker "$plain_url") plain_bare=(--broker "$plain_url")
tls_gateway=(--broker "ssl://127.0.0.1:$tls_gateway_port" --pki "$pki")  # sottod's own listener
read -ra tls_load <<< "--broker $tls_url $(identity bench-load)"
read -ra tls_bare <<< "--broker $tls_url $(identity bench-bare)"

json_field() { /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
# bare_rate SIDE RUN: the bare subscriber's drain rate of a queued load on that broker.
bare_rate() {
  local -n load_flags=${1}_load bare_flags=${1}_bare
  local id="bench-bare-$1-$2"
  build/bin/sotto-bench-ingest drain "${bare_flags[@]}" --client-id "$id" --prepare > /dev/null
  build/bin/sotto-bench-ingest publish "${load_flags[@]}" --site "bare-$2" --devices "$devices" --events "$events" > /dev/null
  build/bin/sotto-bench-ingest drain "${bare_flags[@]}" --client-id "$id" --expect $((devices + events)) | json_field rate
}

declare -A rates=()
for run in $(seq 1 "$runs"); do
  for side in plain tls; do
    result=$(sottod_ingest_run "$work/$side/gateway-$run" "$devices" "$events" "site-$run" \
      "bench-gw-$side-$run" "${side}_gateway" "${side}_load")
    read -r gateway_rate _ <<< "$result"
    rates[gateway_$side]+="$gateway_rate "
    rates[bare_$side]+="$(bare_rate "$side" "$run") "
  done
  echo "run $run: sottod plain ${rates[gateway_plain]##* } tls ${rates[gateway_tls]##* } events/s"
done

/usr/bin/python3 - "$out" <<PY
import json, os, statistics, sys
path = sys.argv[1]
runs = {k: [float(x) for x in v.split()] for k, v in {
    "gateway_plain": "${rates[gateway_plain]}", "gateway_tls": "${rates[gateway_tls]}",
    "bare_plain": "${rates[bare_plain]}", "bare_tls": "${rates[bare_tls]}"}.items()}
med = {k: statistics.median(v) for k, v in runs.items()}
gateway = {
    "what": "sottod draining a queued load of QoS 1 events over TLS 1.3 with client "
            "certificates and the fleet ACL (deploy/mosquitto-tls.conf) against plain MQTT, same run, "
            "same machine; and a bare subscriber draining the same load from each broker",
    "events_per_run": $events, "devices": $devices, "runs": $runs,
    "sottod_events_per_s": {"tls": {"runs": runs["gateway_tls"], "median": med["gateway_tls"]},
                            "plain": {"runs": runs["gateway_plain"], "median": med["gateway_plain"]}},
    "bare_subscriber_msgs_per_s": {"tls": {"runs": runs["bare_tls"], "median": med["bare_tls"]},
                                   "plain": {"runs": runs["bare_plain"], "median": med["bare_plain"]}},
    "ingest_tls_on_to_off_ratio": round(med["gateway_tls"] / med["gateway_plain"], 3),
    "bare_subscriber_tls_on_to_off_ratio": round(med["bare_tls"] / med["bare_plain"], 3),
}
document = {}
if os.path.exists(path):
    with open(path) as existing:
        document = json.load(existing)
document["gateway"] = gateway
with open(path + ".tmp", "w") as tmp:
    json.dump(document, tmp, indent=2)
os.replace(path + ".tmp", path)
print(json.dumps({"gateway": gateway}, indent=2))
PY
