#!/usr/bin/env bash
# The main job: a fleet PKI (sottoctl pki init), a private mosquitto with the shipped TLS
# listener and ACL, the gateway (sottod) with SQLite under build/demo/, and a simulated fleet of
# 60 devices on two farms, a plant and a hospital ward running the real device SDK, each with its
# own certificate and deciding with its site's trained model (deploy/models.sh: trained once,
# then reused from build/models/ while its inputs are unchanged). After the run it prints the
# fleet summary (which model each site runs), revokes one device's certificate, then rolls a
# retrained irrigation/frost model out in waves to an orchard fleet that runs the first one
# (deploy/demo-rollout.sh), prints where the API is and stops everything it started. The API
# asks for a bearer token, as on a real gateway: the demo makes an operator token first.
#
# Usage: deploy/demo.sh [--duration SECONDS] [--devices N] [--keep]
#   --duration  how long the fleet runs (default 45)
#   --devices   fleet size (default 60)
#   --keep      leave broker and gateway running afterwards (their PIDs are printed)
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/lib.sh

duration=45 devices=60 keep=no
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=${2:?--duration needs seconds}; shift 2 ;;
    --devices) devices=${2:?--devices needs a number}; shift 2 ;;
    --keep) keep=yes; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
[[ $duration =~ ^[0-9]+$ && $duration -gt 0 ]] || { echo "demo.sh: --duration must be a positive whole number of seconds, got '$duration'" >&2; exit 2; }
[[ $devices =~ ^[0-9]+$ && $devices -gt 0 ]] || { echo "demo.sh: --devices must be a positive whole number, got '$devices'" >&2; exit 2; }

deploy/install-deps.sh
echo "== building sottod, sottoctl, sotto-sim (release)"
build_release sottod sottoctl sotto-sim sotto-dataset

echo "== models   industrial, agri, wearable (deploy/models.sh; trained once, then reused)"
deploy/models.sh --bin build/bin --out build/models > build/models.log 2>&1 ||
  { cat build/models.log >&2; echo "demo.sh: training the models failed (log above)" >&2; exit 1; }
grep -E "reusing|training took" build/models.log | sed 's/^/           /'
# The rollout's new version: the irrigation/frost model retrained with another seed and more
# epochs (no pruning exists yet).
deploy/models.sh --bin build/bin --out build/models-retrained --kinds agri --seed 1235 --epochs 40 \
  > build/models-retrained.log 2>&1 ||
  { cat build/models-retrained.log >&2; echo "demo.sh: retraining the agri model failed" >&2; exit 1; }
grep -E "reusing|training took" build/models-retrained.log | sed 's/^/           /'

demo=$PWD/build/demo
rm -rf "$demo" && mkdir -p "$demo"
broker_port=$(free_port)
http_port=$(free_port)
pids=()
stop_all() {
  [ "$keep" = yes ] && return 0
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_all EXIT

pki=$demo/pki
echo "== fleet PKI (sottoctl pki init --out $pki)"
build/bin/sottoctl pki init --out "$pki" | sed 's/^/  /'
broker=ssl://127.0.0.1:$broker_port
gateway_port=$(free_port)
write_broker_config "$demo" "$broker_port" "$pki" "$gateway_port"
/usr/sbin/mosquitto -c "$demo/mosquitto.conf" 2>> "$demo/mosquitto.stderr" &
pids+=($!)
wait_for_port "$broker_port" 20 || { echo "demo.sh: mosquitto did not start; see $demo/mosquitto.log" >&2; exit 1; }
echo "== broker   $broker (private, TLS with client certificates and the fleet ACL, $demo/mosquitto.conf)"

# The API asks for a bearer token even on loopback, as it does on a real gateway: the operator's
# token is made in the gateway's database first (sottoctl token create), and every sottoctl and
# metrics call below sends it ($SOTTO_TOKEN).
sed 's/^require_token = false$/require_token = true/' deploy/sottod.toml > "$demo/sottod.toml"
grep -q '^require_token = true$' "$demo/sottod.toml" || { echo "demo.sh: deploy/sottod.toml has no 'require_token = false' line to turn on" >&2; exit 1; }
build/bin/sottoctl token create --role operator --name demo --db "$demo/sotto.db" \
  --out "$demo/operator.token"
SOTTO_TOKEN=$(cat "$demo/operator.token")
export SOTTO_TOKEN
echo "== token    operator token 'demo' in $demo/operator.token (mode 0600)"

build/bin/sottod --config "$demo/sottod.toml" --broker "ssl://127.0.0.1:$gateway_port" --pki "$pki" \
  --db "$demo/sotto.db" --http-port "$http_port" \
  2> "$demo/sottod.log" &
pids+=($!)
wait_for_gateway "$http_port" 30 || { echo "demo.sh: sottod did not become ready; see $demo/sottod.log" >&2; exit 1; }
echo "== gateway  http://127.0.0.1:$http_port (SQLite at $demo/sotto.db, log $demo/sottod.log)"

echo "== fleet    $devices devices on farm-north, farm-south (agriculture), plant-1 (industrial) and ward-1 (wearable), ${duration}s"
echo "           each runs its site's model on its own sensor windows (agri 1, industrial 2, wearable 3)"
echo "           and has its own certificate from $pki (provisioned on first run, as sottoctl device provision does)"
build/bin/sotto-sim --devices "$devices" \
  --sites farm-north:agri,farm-south:agri,plant-1:industrial,ward-1:wearable \
  --model agri=build/models/agri.smdl --model industrial=build/models/industrial.smdl \
  --model wearable=build/models/wearable.smdl \
  --duration "$duration" --seed 2026 --broker "$broker" --pki "$pki" \
  --broker-pid-file "$demo/mosquitto.pid" --summary-json "$demo/sim-summary.json"
# The simulator knows what each window really held; a device never does. This is the models'
# accuracy as the fleet saw it (agri labels look hours ahead: deploy/models.sh scores those).
/usr/bin/python3 - "$demo/sim-summary.json" <<'PY'
import json, sys
devices = json.load(open(sys.argv[1]))["devices"]
for kind, heads in (("industrial", ("condition",)), ("wearable", ("heart", "fall"))):
    rows = [d for d in devices if d["kind"] == kind and "truth" in d]
    windows = sum(d["truth"]["windows"] for d in rows)
    if windows:
        agree = ", ".join(f"{h} {sum(d['truth'][h + '_correct'] for d in rows) / windows:.3f}"
                          for h in heads)
        print(f"== accuracy {kind}: {agree} on {windows} windows (decision = simulator's truth)")
PY

ctl=(build/bin/sottoctl --gateway "http://127.0.0.1:$http_port")  # token: $SOTTO_TOKEN
# Every event a device saw acknowledged is in the broker; wait until the gateway has stored them.
delivered=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["delivered"])' "$demo/sim-summary.json")
wait_for_metric "$http_port" sotto_ingest_events_stored_total "$delivered" 60 ||
  echo "demo.sh: the gateway stored $(metric "$http_port" sotto_ingest_events_stored_total) of $delivered delivered events; see $demo/sottod.log" >&2
echo "== gateway stored $(metric "$http_port" sotto_ingest_events_stored_total) of the $delivered events the devices delivered"
echo
echo "== fleet summary (sottoctl fleet)"
"${ctl[@]}" fleet
echo
echo "== busiest devices (sottoctl devices)"
# Captured first: with pipefail, `sottoctl ... | head` would fail the demo whenever head closes
# the pipe before sottoctl has written its last line.
devices_table=$("${ctl[@]}" devices)
head -n 12 <<< "$devices_table"
echo
echo "== revocation: plant-1-001 was stolen (sottoctl device revoke plant-1-001)"
"${ctl[@]}" device revoke plant-1-001 --pki "$pki" --broker-pid-file "$demo/mosquitto.pid"
certs=$("${ctl[@]}" device list --certs --pki "$pki")
awk 'NR == 1 || $1 == "plant-1-001" || $1 == "plant-1-002"' <<< "$certs"
echo "   (the broker refuses its certificate from now on; its events stay in the gateway)"
echo
PKI=$pki BROKER_PID_FILE=$demo/mosquitto.pid deploy/demo-rollout.sh "http://127.0.0.1:$http_port" \
  "$broker" "$PWD/build" "$PWD/build/models/agri.smdl" "$PWD/build/models-retrained/agri.smdl" \
  "$demo/rollout"
echo
echo "Web:      http://127.0.0.1:$http_port/   (the dashboard: fleet, devices, rollouts; --keep to browse it; it asks for the token)"
echo "API:      http://127.0.0.1:$http_port/api/v1/devices   (also /api/v1/events, /api/v1/aggregates, /metrics; bearer token in $demo/operator.token)"
echo "CLI:      ${ctl[*]} --token-file $demo/operator.token fleet | devices | events DEVICE | rollout status | audit"
if [ "$keep" = yes ]; then
  echo "Kept running (--keep): broker and gateway PIDs ${pids[*]}; stop them with: kill ${pids[*]}"
fi
