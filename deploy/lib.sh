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

# write_broker_config DIR PORT: the shipped deploy/mosquitto.conf with a private listener port
# (kept in place, so the listener's own settings such as max_connections stay with it) and
# persistence directory (the system broker service is never used). It runs as the invoking user:
# started as root, mosquitto would switch to its own user and fail to write its persistence file.
write_broker_config() {
  local dir=$1 port=$2
  grep -vE '^(port|persistence_location|log_dest|pid_file|user|include_dir|password_file|acl_file) ' \
    deploy/mosquitto.conf | sed -E "s/^listener [0-9]+ .*/listener $port 127.0.0.1/" > "$dir/mosquitto.conf"
  cat >> "$dir/mosquitto.conf" <<CONF
user $(id -un)
persistence_location $dir/
log_dest file $dir/mosquitto.log
CONF
}

# build_release TARGET...: the optimised host build under build/ (no sanitizers).
build_release() {
  mkdir -p build
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSOTTO_SANITIZE=OFF > build/configure.log 2>&1 ||
    { cat build/configure.log >&2; return 1; }
  cmake --build build -j "$(nproc)" --target "$@"
}
