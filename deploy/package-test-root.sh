#!/usr/bin/env bash
# The package test's steps inside a fresh Debian 12 root (deploy/package-test.sh copies this file,
# the .debs and the example sources to /tmp/sotto-test/ and runs one step at a time).
# Usage (in the root): package-test-root.sh STEP
#   install-gateway  apt install ./sotto-gateway_*.deb: dependencies pulled, user, dirs, conffiles
#   run-gateway      a fleet PKI (sottoctl pki init), the packaged broker snippets (TLS listener
#                    with client certificates) on Debian's mosquitto, sottod as the sotto user
#                    from the unit's ExecStart and LoadCredential, events from sotto-sim with a
#                    certificate per device, exact `sottoctl fleet`
#                    (network-isolated; BENCH_PORT set: also the ingest benchmark)
#   install-sdk      apt install ./libsotto-device-dev_*.deb and the build tools (FIRMWARE=yes:
#                    the Cortex-M4 toolchain and QEMU too)
#   use-sdk          a host program through find_package and through pkg-config; FIRMWARE=yes:
#                    examples/cortex-m4-qemu against the installed package, run under QEMU
#   remove           remove keeps user, state and conffiles; purge removes them all
set -euo pipefail
test_dir=/tmp/sotto-test
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

fail() {
  echo "package test ($(dpkg --print-architecture)): $*" >&2
  exit 1
}
apt_install() {
  apt-get install -y -qq "$@" > "$test_dir/apt.log" 2>&1 || { cat "$test_dir/apt.log" >&2; fail "apt-get install $*"; }
}
deb() { ls "$test_dir"/debs/"$1"_*.deb; }
version() { dpkg-deb -f "$(deb sotto-gateway)" Version | sed 's/-[^-]*$//'; }

# One HTTP GET on 127.0.0.1 with bash alone (the root has no curl): prints the response.
http_get() {
  local port=$1 path=$2
  exec 3<> "/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$path" >&3
  cat <&3
  exec 3<&-
}
metric() { http_get "$1" /metrics 2>/dev/null | awk -v n="$2" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }'; }
wait_until() {  # wait_until SECONDS WHAT COMMAND...
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@"; do
    [ $SECONDS -lt $deadline ] || fail "timed out waiting for $what"
    sleep 0.2
  done
}
healthy() { http_get "$1" /healthz 2>/dev/null | head -n1 | grep -q ' 200 '; }
stored_at_least() { [ "$(metric "$1" sotto_ingest_events_stored_total | cut -d. -f1)" -ge "$2" ]; }
# unit_value UNIT KEY: the value of KEY= in the installed systemd unit.
unit_value() { sed -n "s/^$2=//p" "/lib/systemd/system/$1"; }

install_gateway() {
  apt-get update -qq > "$test_dir/apt.log" 2>&1 || { cat "$test_dir/apt.log" >&2; fail "apt-get update"; }
  apt_install "$(deb sotto-gateway)"
  [ -z "${BENCH_PORT:-}" ] || apt_install sqlite3
  dpkg-query -W -f='${Status}' mosquitto | grep -q "install ok installed" ||
    fail "apt did not pull in mosquitto (Recommends)"
  local v
  v=$(version)
  for binary in sottod sottoctl sotto-sim sotto-model-synth; do
    [ "$(/usr/bin/$binary --version)" = "$binary $v" ] || fail "$binary --version is not '$binary $v'"
  done
  local user_line
  user_line=$(getent passwd sotto) || fail "no sotto user"
  IFS=: read -r _ _ uid _ _ home shell <<< "$user_line"
  [ "$uid" -lt 1000 ] || fail "sotto is not a system user (uid $uid)"
  [ "$home" = /var/lib/sotto ] || fail "sotto's home is $home"
  case "$shell" in */nologin | */false) ;; *) fail "sotto has a login shell ($shell)" ;; esac
  [ "$(stat -c '%U:%G %a' /var/lib/sotto)" = "sotto:sotto 750" ] ||
    fail "/var/lib/sotto is $(stat -c '%U:%G %a' /var/lib/sotto), expected sotto:sotto 750"
  local conffiles
  conffiles=$(dpkg-query -W -f='${Conffiles}' sotto-gateway | awk 'NF { print $1 }' | sort | tr '\n' ' ')
  [ "$conffiles" = "/etc/mosquitto/conf.d/sotto-tls.conf.disabled /etc/mosquitto/conf.d/sotto.conf.disabled /etc/sotto/sottod.toml " ] ||
    fail "conffiles are '$conffiles'"
  [ -L /etc/systemd/system/multi-user.target.wants/sottod.service ] ||
    fail "postinst did not enable sottod.service"
  echo "installed sotto-gateway $v with $(dpkg-query -W -f='${Depends}' sotto-gateway)"
}

run_gateway() {
  # The administrator makes the fleet PKI and enables both broker snippets, as the README says;
  # Debian's mosquitto starts as its unit starts it.
  sottoctl pki init --out /etc/sotto/pki > "$test_dir/pki.log" || { cat "$test_dir/pki.log" >&2; fail "sottoctl pki init"; }
  chown mosquitto /etc/sotto/pki/broker.key
  mv /etc/mosquitto/conf.d/sotto.conf.disabled /etc/mosquitto/conf.d/sotto.conf
  mv /etc/mosquitto/conf.d/sotto-tls.conf.disabled /etc/mosquitto/conf.d/sotto-tls.conf
  local pre
  while read -r pre; do
    eval "${pre#-}"
  done < <(unit_value mosquitto.service ExecStartPre)
  local mosquitto_start
  mosquitto_start=$(unit_value mosquitto.service ExecStart)
  $mosquitto_start > "$test_dir/mosquitto.out" 2>&1 &
  local broker=$!
  for _ in $(seq 1 100); do
    (exec 3<> /dev/tcp/127.0.0.1/8883) 2>/dev/null && break
    kill -0 "$broker" 2>/dev/null || { cat "$test_dir/mosquitto.out" /var/log/mosquitto/mosquitto.log 2>/dev/null >&2; fail "mosquitto exited with the sotto snippet enabled"; }
    sleep 0.2
  done
  (exec 3<> /dev/tcp/127.0.0.1/8883) 2>/dev/null || fail "mosquitto does not listen on 8883"
  ! (exec 3<> /dev/tcp/127.0.0.1/1883) 2>/dev/null || fail "mosquitto also listens on plain 1883"

  # sottod exactly as the unit runs it, stderr standing in for the journal's stream, and its
  # LoadCredential= files copied where systemd would put them, readable by the user alone.
  local user exec_start log=$test_dir/sottod.log credentials=/run/credentials/sottod.service
  user=$(unit_value sottod.service User)
  exec_start=$(unit_value sottod.service ExecStart)
  install -d -o "$user" -m 0500 "$credentials"
  local credential
  while read -r credential; do
    install -o "$user" -m 0400 "${credential#*:}" "$credentials/${credential%%:*}"
  done < <(unit_value sottod.service LoadCredential)
  case "$exec_start" in *"--pki $credentials"*) ;; *) fail "the unit's ExecStart does not read $credentials" ;; esac
  : > "$log"
  # setpriv execs the command as the user, as systemd's User= does: $! is sottod itself (runuser
  # would stay in between as a parent that catches SIGTERM).
  JOURNAL_STREAM=$(stat -c '%d:%i' "$log") setpriv --reuid="$user" --regid="$user" \
    --init-groups -- $exec_start 2>> "$log" &
  local gateway=$!
  wait_until 60 "sottod's /healthz" healthy 8080

  local devices=4 per_device=25
  sotto-sim --devices $devices --sites lab:agri --events-per-device $per_device --duration 300 \
    --broker ssl://127.0.0.1:8883 --pki /etc/sotto/pki --quiet > "$test_dir/sim.log" 2>&1 ||
    { cat "$test_dir/sim.log" >&2; fail "sotto-sim failed"; }
  local expected=$((devices * per_device))
  wait_until 60 "$expected stored events" stored_at_least 8080 $expected
  [ "$(metric 8080 sotto_ingest_events_stored_total)" = "$expected" ] ||
    fail "stored $(metric 8080 sotto_ingest_events_stored_total) events, expected $expected"
  # Columns by their header names (SITE DEVICES MODELS EVENTS ANOMALY CLASSIFICATION THRESHOLD
  # HEARTBEAT ...), so a column added to the table does not shift what is checked.
  local fleet
  fleet=$(sottoctl fleet) || fail "sottoctl fleet failed"
  echo "$fleet"
  echo "$fleet" | awk -v d=$devices -v e=$expected '
    NR == 1 { for (i = 1; i <= NF; ++i) col[$i] = i; next }
    $1 == "lab" {
      found = 1
      kinds = $col["ANOMALY"] + $col["CLASSIFICATION"] + $col["THRESHOLD"] + $col["HEARTBEAT"]
      if ($col["DEVICES"] != d || $col["EVENTS"] != e || kinds != e) bad = 1
    }
    END { exit !(found && !bad) }' ||
    fail "sottoctl fleet does not show $devices devices and $expected events at site lab"
  [ "$(sottoctl devices --site lab | tail -n +2 | wc -l)" = $devices ] ||
    fail "sottoctl devices does not list $devices devices"
  if grep -qv '^<[0-7]>' "$log"; then
    cat "$log" >&2
    fail "a sottod line without a syslog priority while stderr is the journal stream"
  fi
  grep -q '^<6>info: subscribed' "$log" || fail "no <6> subscribed line in sottod's log"

  [ -z "${BENCH_PORT:-}" ] || bench

  kill -TERM "$gateway"
  wait "$gateway" || fail "sottod did not exit 0 on SIGTERM"
  kill -TERM "$broker"
  wait "$broker" || true
  echo "gateway ok: $devices devices over TLS with their own certificates, $expected events, journal priorities on every line"
}

# The gateway benchmark's method (deploy/bench-gateway.sh): the broker holds sottod's session
# with BENCH_EVENTS queued QoS 1 events, sottod connects and drains it; the rate is first to last
# stored event by the gateway's own receive times. The broker runs natively outside the root
# (BENCH_PORT), so the emulated arm64 root measures sottod, not an emulated broker.
bench() {
  local events=${BENCH_EVENTS:-20000} runs=${BENCH_RUNS:-3} devices=40 rates=()
  for run in $(seq 1 "$runs"); do
    local dir=$test_dir/bench-$run
    mkdir -p "$dir" && chown sotto:sotto "$dir"
    local args=(--config /etc/sotto/sottod.toml --broker "tcp://127.0.0.1:$BENCH_PORT"
                --client-id "bench-gw-$run" --db "$dir/sotto.db"
                --http-port 8090)
    setpriv --reuid=sotto --regid=sotto --init-groups -- sottod "${args[@]}" 2>> "$dir/sottod.log" &
    local pid=$!
    wait_until 120 "bench sottod" healthy 8090
    kill -TERM "$pid" && wait "$pid" || true
    sotto-sim --devices $devices --sites "bench-$run:industrial" --events-per-device $((events / devices)) \
      --duration 3600 --drain-timeout 600 --broker "tcp://127.0.0.1:$BENCH_PORT" --quiet \
      > "$dir/sim.log" 2>&1 || { cat "$dir/sim.log" >&2; fail "bench: sotto-sim failed"; }
    setpriv --reuid=sotto --regid=sotto --init-groups -- sottod "${args[@]}" 2>> "$dir/sottod.log" &
    pid=$!
    wait_until 1800 "bench sottod to store $events events" stored_at_least 8090 "$events"
    kill -TERM "$pid" && wait "$pid" || true
    rates+=("$(sqlite3 "$dir/sotto.db" "SELECT ROUND((COUNT(*) - 1) * 1000.0 / MAX(MAX(event_time_ms + received_delay_ms) - MIN(event_time_ms + received_delay_ms), 1), 1) FROM events")")
    echo "bench run $run: ${rates[-1]} events/s"
  done
  printf '%s\n' "${rates[@]}" | sort -g | awk '{ v[NR] = $1 } END { print "bench median " v[int((NR + 1) / 2)] " events/s" }'
}

install_sdk() {
  local tools=(cmake make gcc libc6-dev pkgconf)
  [ "${FIRMWARE:-no}" = no ] ||
    tools+=(ninja-build gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm)
  apt_install --no-install-recommends "$(deb libsotto-device-dev)" "${tools[@]}"
  for dependency in libnanopb-dev libmbedtls-dev; do
    dpkg-query -W -f='${Status}' "$dependency" | grep -q "install ok installed" ||
      fail "libsotto-device-dev did not pull in $dependency"
  done
  echo "installed libsotto-device-dev $(version) with $(dpkg-query -W -f='${Depends}' libsotto-device-dev)"
}

use_sdk() {
  local work=$test_dir/host-consumer
  cmake -S "$test_dir/src/tests/package/host_consumer" -B "$work" > "$test_dir/consumer.log" 2>&1 &&
    cmake --build "$work" >> "$test_dir/consumer.log" 2>&1 ||
    { cat "$test_dir/consumer.log" >&2; fail "find_package(sotto COMPONENTS device) consumer did not build"; }
  "$work/host-consumer" || fail "the find_package consumer failed"
  # shellcheck disable=SC2046  # pkg-config's flags are meant to split
  cc -Wall -Werror -o "$test_dir/pkg-config-consumer" "$test_dir/src/tests/package/host_consumer/main.c" \
    $(pkg-config --cflags --libs sotto) || fail "the pkg-config consumer did not build"
  "$test_dir/pkg-config-consumer" || fail "the pkg-config consumer failed"
  if [ "${FIRMWARE:-no}" = yes ]; then
    "$test_dir/src/tests/examples/run_cortex_m4_qemu.sh" "$test_dir/src/examples/cortex-m4-qemu" \
      "$test_dir/firmware" || fail "examples/cortex-m4-qemu against the installed package"
  fi
}

remove() {
  echo "# the administrator's own setting" >> /etc/sotto/sottod.toml
  apt-get remove -y -qq sotto-gateway > "$test_dir/apt.log" 2>&1 || { cat "$test_dir/apt.log" >&2; fail "apt-get remove"; }
  [ ! -e /usr/bin/sottod ] || fail "remove left /usr/bin/sottod"
  getent passwd sotto > /dev/null || fail "remove deleted the sotto user"
  [ -f /var/lib/sotto/sotto.db ] || fail "remove deleted the fleet database"
  grep -q "administrator's own setting" /etc/sotto/sottod.toml || fail "remove changed the conffile"
  [ "$(dpkg-query -W -f='${db:Status-Abbrev}' sotto-gateway)" = "rc " ] ||
    fail "after remove, dpkg says '$(dpkg-query -W -f='${db:Status-Abbrev}' sotto-gateway)', expected 'rc '"

  apt-get purge -y -qq sotto-gateway libsotto-device-dev > "$test_dir/apt.log" 2>&1 ||
    { cat "$test_dir/apt.log" >&2; fail "apt-get purge"; }
  ! getent passwd sotto > /dev/null || fail "purge left the sotto user"
  ! getent group sotto > /dev/null || fail "purge left the sotto group"
  for gone in /var/lib/sotto /etc/sotto/sottod.toml /etc/systemd/system/multi-user.target.wants/sottod.service \
    /usr/include/sotto /usr/lib/cmake/sotto /usr/lib/sotto /usr/share/sotto; do
    [ ! -e "$gone" ] || fail "purge left $gone"
  done
  # The administrator's enabled copies are theirs (they renamed the conffiles), and so is the
  # fleet CA (sottoctl pki init made it; a purge must not orphan every device): dpkg leaves them.
  [ -f /etc/mosquitto/conf.d/sotto.conf ] || fail "purge deleted the administrator's broker file"
  [ -f /etc/mosquitto/conf.d/sotto-tls.conf ] || fail "purge deleted the administrator's TLS listener file"
  [ -f /etc/sotto/pki/ca.key ] || fail "purge deleted the fleet CA"
  ! dpkg-query -W sotto-gateway > /dev/null 2>&1 || fail "dpkg still knows sotto-gateway"
  echo "remove kept user, /var/lib/sotto and the edited conffile; purge removed them"
}

case "${1:-}" in
  install-gateway) install_gateway ;;
  run-gateway) run_gateway ;;
  install-sdk) install_sdk ;;
  use-sdk) use_sdk ;;
  remove) remove ;;
  *) echo "usage: package-test-root.sh install-gateway|run-gateway|install-sdk|use-sdk|remove" >&2; exit 2 ;;
esac
