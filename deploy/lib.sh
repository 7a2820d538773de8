# Shared by demo.sh and bench.sh (sourced, not run): a private broker and a gateway under build/.

# A TCP port on 127.0.0.1 that is free right now, below the kernel's ephemeral range so no
# outgoing connection can take it before our listener binds.
free_port() {
  /usr/bin/python3 - <<'PY'
import random, socket
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
for _ in range(200):
    port = random.randint(10000, low - 1)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
else:
    raise SystemExit("free_port: no free loopback port below %d" % low)
PY
}

# wait_for_port PORT SECONDS: true once something accepts connections on 127.0.0.1:PORT.
wait_for_port() {
  local port=$1 deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# wait_for_gateway HTTP_PORT SECONDS: true once sottod answers /healthz with 200, i.e. it is
# connected and subscribed (before that, devices' messages would reach no subscriber).
wait_for_gateway() {
  local port=$1 deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && return 0
    sleep 0.1
  done
  return 1
}

# metric HTTP_PORT NAME: the value of one of the gateway's Prometheus metrics (0 when absent or
# when the gateway does not answer).
metric() {
  { curl -sf ${SOTTO_TOKEN:+-H "Authorization: Bearer $SOTTO_TOKEN"} "http://127.0.0.1:$1/metrics" || true; } |
    awk -v name="$2" '$1 == name { print $2; found=1 } END { if (!found) print 0 }'
}

# wait_for_metric HTTP_PORT NAME COUNT SECONDS: true once the metric has reached COUNT.
wait_for_metric() {
  local port=$1 name=$2 count=$3 deadline=$((SECONDS + $4)) value
  while [ $SECONDS -lt $deadline ]; do
    value=$(metric "$port" "$name")
    [ "${value%.*}" -ge "$count" ] && return 0
    sleep 0.2
  done
  return 1
}

# write_broker_config DIR PORT [PKI_DIR GATEWAY_PORT]: the shipped deploy/mosquitto.conf with a
# private listener and persistence directory (the system broker service is never used), writing
# its pid to DIR/mosquitto.pid. With PKI_DIR (from `sottoctl pki init`) the listeners are the
# shipped deploy/mosquitto-tls.conf as it is (its connection limit included), the devices' on
# PORT and sottod's own on GATEWAY_PORT, with PKI_DIR's certificates, CRL and ACL: what a
# gateway deploys. Without it, a plain anonymous loopback
# listener with the same max_connections (for benchmarks that compare or isolate the broker).
# It runs as the invoking user: started as root, mosquitto would switch to its own user and
# fail to write its persistence file.
write_broker_config() {
  local dir=$1 port=$2 pki=${3:-} gateway_port=${4:-}
  grep -vE '^(listener|port|persistence_location|log_dest|pid_file|user|include_dir|password_file|acl_file) ' \
    deploy/mosquitto.conf > "$dir/mosquitto.conf"
  cat >> "$dir/mosquitto.conf" <<CONF
user $(id -un)
persistence_location $dir/
pid_file $dir/mosquitto.pid
log_dest file $dir/mosquitto.log
CONF
  if [ -n "$pki" ]; then
    # The first listener is the devices', the second sottod's own (see mosquitto-tls.conf).
    [ -n "$gateway_port" ] || { echo "write_broker_config: a TLS broker needs the gateway port" >&2; return 2; }
    awk -v port="$port" -v gateway_port="$gateway_port" -v pki="$pki" '
      /^listener / { print "listener " (++listeners == 1 ? port : gateway_port) " 127.0.0.1"; next }
      { while ((at = index($0, "/etc/sotto/pki")) > 0) $0 = substr($0, 1, at - 1) pki substr($0, at + 14)
        print }' deploy/mosquitto-tls.conf >> "$dir/mosquitto.conf"
  else
    printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$port" >> "$dir/mosquitto.conf"
    grep -E '^max_connections ' deploy/mosquitto-tls.conf >> "$dir/mosquitto.conf"
  fi
}

# sottod_ingest_run DIR DEVICES EVENTS SITE CLIENT_ID SOTTOD_FLAGS LOAD_FLAGS: one timed ingest by
# sottod (deploy/sottod.toml): create its session, stop it, queue the load
# (sotto-bench-ingest: one Health per device, then the events), start it and wait until every
# event is stored; the rate comes from the gateway's own receive timestamps (first to last stored
# event), as the bare subscriber times first to last message. SOTTOD_FLAGS and LOAD_FLAGS name
# arrays holding the broker flags of each. Prints "rate rss_kib".
sottod_ingest_run() {
  local dir=$1 n_devices=$2 n_events=$3 site=$4 client_id=$5
  local -n gateway_flags=$6 load_flags=$7
  mkdir -p "$dir"
  local http_port; http_port=$(free_port)
  local args=(--config deploy/sottod.toml "${gateway_flags[@]}" --db "$dir/sotto.db"
              --http-port "$http_port" --client-id "$client_id")
  local metric_name=sotto_ingest_events_stored_total
  # stdout away from the caller's pipe: a gateway left running must not hold it open.
  build/bin/sottod "${args[@]}" > /dev/null 2>> "$dir/sottod.log" & local pid=$!
  wait_for_gateway "$http_port" 60 || { kill -KILL "$pid"; echo "sottod did not start; see $dir/sottod.log" >&2; return 1; }
  kill -TERM "$pid"; wait "$pid" || true
  build/bin/sotto-bench-ingest publish "${load_flags[@]}" --site "$site" --devices "$n_devices" --events "$n_events" > /dev/null
  build/bin/sottod "${args[@]}" > /dev/null 2>> "$dir/sottod.log" & pid=$!
  # The broker hands over the queued backlog before it confirms the subscription, so readiness
  # can take as long as the drain itself.
  wait_for_gateway "$http_port" 600 || { kill -KILL "$pid"; echo "sottod did not become ready; see $dir/sottod.log" >&2; return 1; }
  wait_for_metric "$http_port" "$metric_name" "$n_events" 600 ||
    { echo "sottod stored only $(metric "$http_port" "$metric_name") of $n_events" >&2; kill -TERM "$pid"; return 1; }
  local rss; rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
  kill -TERM "$pid"; wait "$pid" || true
  sqlite3 "$dir/sotto.db" "SELECT (COUNT(*) - 1) * 1000.0 / MAX(MAX(event_time_ms + received_delay_ms) - MIN(event_time_ms + received_delay_ms), 1), $rss FROM events" | tr '|' ' '
}

# median: the median of the numbers on stdin, one per line.
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# build_release TARGET...: the optimised host build under build/ (no sanitizers).
build_release() {
  mkdir -p build
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSOTTO_SANITIZE=OFF > build/configure.log 2>&1 ||
    { cat build/configure.log >&2; return 1; }
  cmake --build build -j "$(nproc)" --target "$@"
}
