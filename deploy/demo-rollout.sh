#!/usr/bin/env bash
# The demo's rollout section (called by deploy/demo.sh once the fleet has run): creates a fleet
# signing key (and tells the gateway the devices trust it), starts a small orchard fleet whose
# devices run the SDK's OTA updater with that key and decide with the irrigation/frost model they
# were flashed with (model 1 v1), signs the retrained model as model 1 v2 (the signer runs its
# self-test vector on the SDK's engine), rolls it out in three waves (every device runs the same
# self-test before activating it, then decides with it), shows the progress until it is done or
# halts, and which model the orchard runs after.
#
# Usage: deploy/demo-rollout.sh GATEWAY_URL BROKER_URL BUILD_DIR FACTORY.smdl UPDATE.smdl [WORK_DIR]
#   GATEWAY_URL  sottod's HTTP API, e.g. http://127.0.0.1:8080
#   BROKER_URL   the broker sottod uses, e.g. ssl://127.0.0.1:8883
#   BUILD_DIR    holds bin/sottoctl and bin/sotto-sim
#   FACTORY.smdl the agri model the orchard's devices start with (deploy/models.sh)
#   UPDATE.smdl  the agri model rolled out (retrained: deploy/models.sh --seed)
#   WORK_DIR     keys, bundle and logs (default BUILD_DIR/demo-rollout)
# Env: DEVICES (default 40), SITE (default orchard), WAVES (default 10,50,100); for an ssl://
# broker PKI (the fleet PKI directory the devices get their certificates from) and
# BROKER_PID_FILE (the broker to reload once they have them).
set -euo pipefail

usage="usage: demo-rollout.sh GATEWAY_URL BROKER_URL BUILD_DIR FACTORY.smdl UPDATE.smdl [WORK_DIR]"
gateway=${1:?$usage}
broker=${2:?$usage}
build=${3:?$usage}
factory=${4:?$usage}
update=${5:?$usage}
work=${6:-$build/demo-rollout}
devices=${DEVICES:-40}
site=${SITE:-orchard}
waves=${WAVES:-10,50,100}
ctl=("$build/bin/sottoctl" --gateway "$gateway")

rm -rf "$work" && mkdir -p "$work"
sim_pid=
cleanup() { [ -z "$sim_pid" ] || { kill -TERM "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; }; }
trap cleanup EXIT

echo "== rollout: fleet key (sottoctl keygen), and the gateway told devices trust it (keys trust)"
"${ctl[@]}" keygen --out "$work/keys"
"${ctl[@]}" keys trust "$work/keys/signing_key.pub.pem"

echo "== rollout: $devices devices on site $site with the OTA updater, the fleet's public key and model 1 v1"
tls=()
[ -z "${PKI:-}" ] || tls=(--pki "$PKI" --broker-pid-file "${BROKER_PID_FILE:?BROKER_PID_FILE goes with PKI}")
"$build/bin/sotto-sim" --devices "$devices" --sites "$site:agri" --broker "$broker" "${tls[@]}" \
  --model "agri=$factory" \
  --fleet-key "$work/keys/signing_key.pub.pem" --slot-bytes 32768 --duration 600 --quiet \
  --summary-json "$work/sim-summary.json" > "$work/sotto-sim.log" 2>&1 &
sim_pid=$!
deadline=$((SECONDS + 60))
known=0
while [ $SECONDS -lt $deadline ]; do
  known=$("${ctl[@]}" --json devices --site "$site" |
    /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["devices"]))' 2>/dev/null || echo 0)
  [ "$known" -ge "$devices" ] && break
  sleep 0.5
done
[ "$known" -ge "$devices" ] || { echo "demo-rollout: only $known of $devices devices reported" >&2; exit 1; }

echo "== rollout: the retrained irrigation/frost model, $(stat -c %s "$update") bytes, signed as model 1 v2 for device class 1"
echo "           (sottoctl model sign runs its self-test vector)"
"${ctl[@]}" model sign "$update" --key "$work/keys/signing_key.pem" --model-id 1 --version 2 \
  --target-class 1 -o "$work/orchard-v2.sotb"

echo "== rollout: start (sottoctl rollout start --site $site --waves $waves --max-failure-pct 2)"
started=$("${ctl[@]}" --json rollout start "$work/orchard-v2.sotb" --site "$site" --waves "$waves" \
  --max-failure-pct 2)
id=$(/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' <<< "$started")
last=
deadline=$((SECONDS + 120))
state=running
while [ $SECONDS -lt $deadline ]; do
  status=$("${ctl[@]}" rollout status "$id")  # captured whole: `| head` could SIGPIPE it
  line=${status%%$'\n'*}  # "rollout ID: STATE, model vN, ..."
  [ "$line" = "$last" ] || echo "  $line"
  last=$line
  state=${line#*: }
  state=${state%%,*}
  case "$state" in done|halted|aborted) break ;; esac
  sleep 0.1
done
echo "== rollout: result (sottoctl rollout status $id)"
"${ctl[@]}" rollout status "$id"
[ "$state" = done ]
# Each device tells the gateway its model in its next Health (hourly in simulated time).
site_models() {
  "${ctl[@]}" --json fleet | /usr/bin/python3 -c '
import json, sys
site = next(s for s in json.load(sys.stdin)["sites"] if s["site"] == sys.argv[1])
print(" ".join("%d/v%d:%d" % (m["model_id"], m["model_version"], m["devices"]) for m in site["models"]))' "$site"
}
deadline=$((SECONDS + 30))
models=$(site_models)
while [ "$models" != "1/v2:$devices" ] && [ $SECONDS -lt $deadline ]; do
  sleep 0.5
  models=$(site_models)
done
echo "== rollout: $site now runs $models (model/version:devices, from the devices' Health)"
