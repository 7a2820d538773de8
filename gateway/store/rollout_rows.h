// Rollout state as the storage seam (store.h) passes it: one row per rollout and one per target
// device, so a gateway restart continues a rollout where it was. A rollout sends either a model
// bundle or a key rotation (proto/sotto/v1/key_rotation.proto) through the same waves.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sotto::gw {

// A rollout's payload.
enum class RolloutKind { kModel, kKeys };
inline const char *rollout_kind_name(RolloutKind kind) {
  return kind == RolloutKind::kKeys ? "keys" : "model";
}

struct RolloutSpec {
  std::string bundle_path;     // the bundle, or the signed key rotation, kept as a file
  uint32_t model_version = 0;  // the bundle's version, or the rotation's key_list_version
  std::vector<unsigned> waves{5, 25, 100};  // cumulative percent
  uint32_t max_failure_permille = 20;       // 2.0 %
  RolloutKind kind = RolloutKind::kModel;
  // Key rotations only: the key added (its id and 65-byte public point, recorded among the
  // fleet keys when the rollout is created) and the key retired.
  std::optional<uint32_t> adds_key_id{};
  std::vector<uint8_t> adds_public_key{};
  std::optional<uint32_t> retires_key_id{};
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
