#!/usr/bin/env bash
# Installs the Debian packages sotto needs, by purpose:
#   (default)   build, test, benchmark and run the demo from this tree (runtime + build sets)
#   --runtime   only what the gateway needs to run: the libraries sotto-gateway's .deb depends on
#               (dpkg-shlibdeps derives that list at packaging time) and mosquitto
#   --package   additionally what deploy/package.sh and deploy/package-test.sh need: the arm64
#               cross toolchain and multiarch :arm64 -dev packages, debootstrap, qemu-user-static
# Idempotent: when everything is present it only checks and returns (no apt-get update).
# Debian packages only; --no-install-recommends keeps QEMU from pulling in desktop libraries.
# It never starts, stops, enables or disables a system service: the demo and the tests start
# private brokers on free ports, so a site's own mosquitto keeps running untouched.
set -euo pipefail

mode=build
case "${1:-}" in
  "") ;;
  --runtime) mode=runtime ;;
  --package) mode=package ;;
  *) echo "install-deps: unknown option '$1' (--runtime or --package)" >&2; exit 2 ;;
esac

# sotto-gateway's Depends as dpkg-shlibdeps computes them (plus libc and libstdc++, always there).
runtime=(
  mosquitto
  libboost-json1.81.0 libpaho-mqttpp3-1 libpaho-mqtt1.3 libsqlite3-0 libmbedcrypto7 libtomlplusplus3
  libprotobuf32
)
build=(
  build-essential cmake ninja-build pkg-config git ca-certificates procps curl python3
  libboost1.81-dev libboost-json1.81-dev libboost-program-options1.81-dev libboost-system1.81-dev
  libpaho-mqtt-dev libpaho-mqttpp-dev libssl-dev openssl
  libsqlite3-dev sqlite3
  nanopb libnanopb-dev python3-protobuf protobuf-compiler
  libmbedtls-dev
  libtomlplusplus-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
  gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib qemu-system-arm
  gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-system-misc
  dpkg-dev
  # The web dashboard's browser tests (tests/e2e/dashboard_browser_test.cpp): headless Chromium.
  chromium
  # Model pipeline (build and tests): float ONNX import (classes generated from libonnx-dev's
  # onnx.proto by protoc, on libprotobuf; gateway/model/onnx_proto.cmake) and training the fleet's models (deploy/train/train.py under /usr/bin/python3).
  libonnx-dev libprotobuf-dev python3-numpy python3-torch python3-onnx
)
# The arm64 build of the gateway links the same libraries as the amd64 one (gateway/*/CMakeLists).
# ONNX needs no :arm64 package: the importer's classes are generated from the amd64 libonnx-dev's
# architecture-independent onnx.proto (libonnx-dev:arm64 could not be installed beside it anyway:
# both own /usr/lib/libonnxifi.so).
arm64_dev=(
  libboost1.81-dev libboost-json1.81-dev libboost-system1.81-dev libpaho-mqtt-dev
  libpaho-mqttpp-dev libssl-dev libsqlite3-dev libmbedtls-dev libnanopb-dev libtomlplusplus-dev
  libprotobuf-dev
)
package=(crossbuild-essential-arm64 debootstrap qemu-user-static "${arm64_dev[@]/%/:arm64}")

case $mode in
  runtime) packages=("${runtime[@]}") ;;
  build) packages=("${runtime[@]}" "${build[@]}") ;;
  package) packages=("${runtime[@]}" "${build[@]}" "${package[@]}") ;;
esac

need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: $1; run as root" >&2
    exit 1
  fi
}

# Multiarch: apt installs :arm64 packages only once dpkg knows the architecture.
if [ "$mode" = package ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
  need_root "dpkg does not know the arm64 architecture yet (dpkg --add-architecture arm64)"
  dpkg --add-architecture arm64
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  need_root "missing packages (${missing[*]})"
  echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
