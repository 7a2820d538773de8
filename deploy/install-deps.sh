#!/usr/bin/env bash
# Installs every Debian package sotto needs to build, test, benchmark and run the demo.
# Idempotent: when everything is present it only checks and returns (no apt-get update).
# Debian packages only; --no-install-recommends keeps QEMU from pulling in desktop libraries.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates procps curl python3
  libboost1.81-dev libboost-json1.81-dev libboost-program-options1.81-dev libboost-system1.81-dev
  libpaho-mqtt-dev libpaho-mqttpp-dev libssl-dev openssl
  libsqlite3-dev sqlite3
  nanopb libnanopb-dev python3-protobuf protobuf-compiler
  libmbedtls-dev
  libtomlplusplus-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
  mosquitto
  gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib qemu-system-arm
  gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-system-misc
  dpkg-dev
  # Model pipeline (build and tests): float ONNX import (onnx.proto's C++ classes on protobuf)
  # and training the fleet's models (deploy/train/train.py under /usr/bin/python3).
  libonnx-dev libprotobuf-dev python3-numpy python3-torch python3-onnx
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages (${missing[*]}); run as root to install them" >&2
    exit 1
  fi
  echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The system mosquitto service is not ours: tests and the demo start private brokers.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet mosquitto 2>/dev/null; then
  systemctl disable --now mosquitto >/dev/null 2>&1 || true
fi
