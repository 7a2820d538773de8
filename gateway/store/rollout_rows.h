// Rollout state as the storage seam (store.h) passes it: one row per rollout and one per target
// device, so a gateway restart continues a rollout where it was.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sotto::gw {

struct RolloutSpec {
  std::string bundle_path;
  uint32_t model_version = 0;
  std::vector<unsigned> waves{5, 25, 100};  // cumulative percent
  uint32_t max_failure_permille = 20;       // 2.0 %
};

struct RolloutRow {
  int64_t id = 0;
  RolloutSpec spec;
  std::string state;  // running | paused | halted | aborted | done
  int64_t current_wave = 0;
  int64_t wave_count = 0;
  std::string halt_reason;
};

struct WaveCounts {
  int64_t devices = 0;
  int64_t activated = 0;
  int64_t failed = 0;
};

struct RolloutDeviceRow {
  std::string device;
  int64_t wave = 0;
  std::string state;  // pending | transferring | activated | failed
  int64_t next_offset = 0;
  int64_t failure = 0;  // sotto.v1.OtaFailure
};

}  // namespace sotto::gw
