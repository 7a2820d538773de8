#!/usr/bin/env bash
# The package test (slow: not part of deploy/test.sh): installs the .debs from build/packages/
# (deploy/package.sh) into brand-new Debian 12 roots made with debootstrap, one per architecture,
# the arm64 one running under qemu-user-static through binfmt_misc, and checks in each
# (deploy/package-test-root.sh has the details):
#   - `apt install ./sotto-gateway_*.deb` pulls every dependency; user, /var/lib/sotto,
#     conffiles and the enabled unit are there; every binary answers --version
#   - the broker snippet, once enabled, starts Debian's own mosquitto the way its unit does;
#     sottod runs as the sotto user with the installed unit's ExecStart, stores the events of a
#     sotto-sim fleet, `sottoctl fleet` shows the exact counts, and every log line carries its
#     syslog priority (stderr standing in for the journal's stream)
#   - `apt install ./libsotto-device-dev_*.deb`: a host program builds with find_package and with
#     pkg-config and runs; on amd64 also examples/cortex-m4-qemu, built against the installed
#     package with Debian's arm-none-eabi-gcc and run under QEMU
#   - remove keeps the user, the database and the edited conffile; purge removes them all
# The services run in a private network namespace, so nothing collides with the host's ports.
# Each run makes its roots with debootstrap (as ../shared/tools/fresh-debian.sh does) in /tmp and
# removes them afterwards, so nothing big stays behind; the arm64 one takes minutes under qemu.
#
# Usage: deploy/package-test.sh [--bench] [amd64|arm64]...   (default: both)
#   --bench      also measure each root's sottod ingest rate with the gateway benchmark's method
#                (build/bench/package-ingest.json: amd64, arm64 under qemu-user, their ratio)
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/lib.sh

bench=no arches=()
for arg in "$@"; do
  case $arg in
    --bench) bench=yes ;;
    amd64 | arm64) arches+=("$arg") ;;
    *) echo "package-test.sh: unknown argument '$arg' (--bench, amd64, arm64)" >&2; exit 2 ;;
  esac
done
[ ${#arches[@]} -gt 0 ] || arches=(amd64 arm64)
[ "$(id -u)" -eq 0 ] || { echo "package-test.sh: run as root (debootstrap, chroot)" >&2; exit 1; }

packages=$PWD/build/packages
for arch in "${arches[@]}"; do
  for name in sotto-gateway libsotto-device-dev; do
    compgen -G "$packages/${name}_*_$arch.deb" > /dev/null ||
      { echo "package-test.sh: no $packages/${name}_*_$arch.deb; run deploy/package.sh first" >&2; exit 1; }
  done
done
deploy/install-deps.sh --package

# binfmt_misc runs arm64 binaries through qemu-aarch64-static. The F flag in Debian's entry
# opens the interpreter now, so it works inside the chroot without a copy there.
if [[ " ${arches[*]} " == *" arm64 "* ]] && [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  /lib/systemd/systemd-binfmt /usr/lib/binfmt.d/qemu-aarch64.conf
fi

mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
root='' broker_dir=''
cleanup() {
  if [ -n "$root" ]; then
    for m in dev/pts dev sys proc; do umount -l "$root/$m" 2>/dev/null || true; done
    grep -q " $root/" /proc/mounts || rm -rf --one-file-system "$root"
  fi
  [ -z "$broker_dir" ] || rm -rf "$broker_dir"
}
trap cleanup EXIT

timings=()
timed() {  # timed LABEL COMMAND...: runs it, records and prints how long it took
  local label=$1 start=$SECONDS status=0
  shift
  "$@" || status=$?
  timings+=("$label $((SECONDS - start)) s")
  echo "   ($((SECONDS - start)) s)"
  return $status
}
in_root() {  # in_root [ENV=VALUE...] STEP: one step of package-test-root.sh, with the network
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb "$@"
}
isolated() {  # isolated COMMAND...: in a new network namespace with only loopback
  unshare --net --fork bash -c 'ip link set lo up && exec "$@"' isolated "$@"
}

make_root() {
  local arch=$1
  root=$(mktemp -d "/tmp/sotto-package-test-$arch.XXXX")
  chmod 755 "$root"  # mktemp's 0700 would keep the sotto and mosquitto users out of /
  debootstrap --variant=minbase --arch="$arch" bookworm "$root" "$mirror" > "$root.debootstrap.log" 2>&1 ||
    { tail -n 20 "$root.debootstrap.log" >&2; exit 1; }
  rm -f "$root.debootstrap.log"
  cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/"
  rm -f "$root/etc/apt/sources.list"
  cp /etc/resolv.conf "$root/etc/"
  for m in proc sys dev dev/pts; do mount --bind "/$m" "$root/$m"; done
  mkdir -p "$root/tmp/sotto-test/debs" "$root/tmp/sotto-test/src/tests"
  cp "$packages"/*_"$arch".deb "$root/tmp/sotto-test/debs/"
  cp deploy/package-test-root.sh "$root/tmp/sotto-test/"
  cp -r examples "$root/tmp/sotto-test/src/"
  cp -r tests/package tests/examples "$root/tmp/sotto-test/src/tests/"
}


step_script=/tmp/sotto-test/package-test-root.sh
bench_port=''
[ $bench = no ] || bench_port=1884
bench_results=()
for arch in "${arches[@]}"; do
  echo "== $arch: a fresh Debian 12 root"
  timed "$arch root" make_root "$arch"
  echo "== $arch: apt install ./sotto-gateway"
  timed "$arch install-gateway" in_root "BENCH_PORT=$bench_port" "$step_script" install-gateway
  echo "== $arch: broker snippet, sottod, sotto-sim, sottoctl fleet"
  if [ $bench = yes ]; then
    # A native broker for the benchmark starts inside the namespace, the root's step beside it.
    broker_dir=$(mktemp -d /tmp/sotto-package-bench.XXXX)
    write_broker_config "$broker_dir" "$bench_port"
    out=$broker_dir/run-gateway.out
    timed "$arch run-gateway" isolated bash -c '
      /usr/sbin/mosquitto -c "$1/mosquitto.conf" 2>> "$1/mosquitto.stderr" & broker=$!
      shift
      chroot "$@"; status=$?
      kill -TERM $broker; wait $broker; exit $status' _ "$broker_dir" "$root" /usr/bin/env -i \
      HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin "BENCH_PORT=$bench_port" \
      "BENCH_EVENTS=${BENCH_EVENTS:-20000}" "$step_script" run-gateway > "$out" 2>&1 ||
      { cat "$out"; exit 1; }
    cat "$out"
    bench_results+=("$arch $(sed -n 's/^bench median \([0-9.]*\) events\/s$/\1/p' "$out")")
    rm -rf "$broker_dir"
    broker_dir=''
  else
    timed "$arch run-gateway" isolated chroot "$root" /usr/bin/env -i HOME=/root \
      PATH=/usr/sbin:/usr/bin:/sbin:/bin "$step_script" run-gateway
  fi
  firmware=no
  [ "$arch" != amd64 ] || firmware=yes  # firmware is built on the developer's PC
  echo "== $arch: apt install ./libsotto-device-dev$([ $firmware = yes ] && echo ' + Cortex-M4 toolchain')"
  timed "$arch install-sdk" in_root FIRMWARE=$firmware "$step_script" install-sdk
  echo "== $arch: the SDK from the package: find_package, pkg-config$([ $firmware = yes ] && echo ', example firmware')"
  timed "$arch use-sdk" in_root FIRMWARE=$firmware "$step_script" use-sdk
  echo "== $arch: remove, then purge"
  timed "$arch remove" in_root "$step_script" remove
  cleanup
  root=''
done

echo "== package test passed (${arches[*]})"
printf '   %s\n' "${timings[@]}"
if [ $bench = yes ]; then
  mkdir -p build/bench
  /usr/bin/python3 - build/bench/package-ingest.json "${bench_results[@]}" <<'PY'
import json, sys
rates = {entry.split()[0]: float(entry.split()[1]) for entry in sys.argv[2:]}
result = {"method": "deploy/bench-gateway.sh's: a queued session drained by the packaged sottod, "
                    "first to last stored event; native broker; medians of 3 runs",
          "sottod_ingest_events_per_s": rates}
if "amd64" in rates and "arm64" in rates:
    result["arm64_qemu_user_over_amd64"] = round(rates["arm64"] / rates["amd64"], 3)
json.dump(result, open(sys.argv[1], "w"), indent=2)
print(json.dumps(result, indent=2))
PY
fi
