#!/usr/bin/env bash
# Benchmarks, not tests: writes JSON under build/bench/. The machine is shared and noisy, so
# rates are compared as ratios measured in the same run and instruction counts come from QEMU
# -icount; medians of repeated runs where a figure is timed.
#
# Usage: deploy/bench.sh [events] [gateway] [inference] [models] [ota] [tls] [storm]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/lib.sh

wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(events gateway inference models ota tls storm)
for name in "${wanted[@]}"; do
  case "$name" in events|gateway|inference|models|ota|tls|storm) ;; *) echo "bench.sh: unknown benchmark '$name' (events, gateway, inference, models, ota, tls, storm)" >&2; exit 2 ;; esac
done

deploy/install-deps.sh
mkdir -p build/bench

for name in "${wanted[@]}"; do
  case "$name" in
    events)
      build_release sotto-bench-events
      build/bin/sotto-bench-events build/bench/events.json
      echo "wrote build/bench/events.json" ;;
    gateway)
      build_release sottod sotto-bench-ingest
      deploy/bench-gateway.sh build/bench/gateway.json ;;
    inference)
      deploy/bench-inference.sh build/bench/inference.json ;;
    models)
      deploy/bench-models.sh build/bench/models.json ;;
    ota)
      deploy/bench-ota.sh build/bench/ota.json ;;
    tls)
      # The device half of tls.json first, then the gateway's half (key "gateway"), which
      # keeps every other key.
      deploy/bench-tls.sh build/bench/tls.json
      build_release sottod sottoctl sotto-bench-ingest
      deploy/bench-tls-gateway.sh build/bench/tls.json ;;
    storm)
      build_release sottod sotto-sim
      deploy/bench-storm.sh build/bench/storm.json ;;
  esac
done
