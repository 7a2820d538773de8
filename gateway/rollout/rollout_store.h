// Rollout state in SQLite (the gateway's database, h2's Database wrapper): one row per rollout
// and one per target device, so a gateway restart continues a rollout where it was.
#ifndef SOTTO_GW_ROLLOUT_ROLLOUT_STORE_H
#define SOTTO_GW_ROLLOUT_ROLLOUT_STORE_H

#include <cstdint>
#include <string>
#include <vector>

#include "sqlite.h"

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

class RolloutStore {
 public:
  explicit RolloutStore(Database &db);  // creates its tables if missing

  // Assigns devices to waves in the given order; the rollout starts running at wave 0.
  int64_t create(const RolloutSpec &spec, const std::vector<std::string> &devices);
  RolloutRow get(int64_t id);         // throws std::runtime_error for an unknown id
  std::vector<int64_t> unfinished();  // running or paused: what a restarted gateway resumes
  std::vector<std::string> wave_devices(int64_t id, int64_t wave);
  WaveCounts wave_counts(int64_t id, int64_t wave);
  // Every target device in wave order (wave = -1: all waves).
  std::vector<RolloutDeviceRow> devices(int64_t id, int64_t wave = -1);
  std::vector<int64_t> all_ids();  // newest first
  // Devices among `devices` that an unfinished (running or paused) rollout targets.
  std::vector<std::string> busy_devices(const std::vector<std::string> &devices);

  void set_state(int64_t id, const std::string &state, const std::string &halt_reason = "");
  void set_current_wave(int64_t id, int64_t wave);
  // state: pending | transferring | activated | failed; failure: OtaFailure value.
  void record_device(int64_t id, const std::string &device, const std::string &state,
                     int64_t next_offset, int64_t failure);

 private:
  Database &db_;
};

// Moves a running rollout on after device results changed: halts it (with the reason) when the
// current wave's failures exceed the threshold, starts the next wave when the current one is
// finished, marks it done after the last. Returns the rollout's state afterwards.
std::string advance_rollout(RolloutStore &store, int64_t id);

}  // namespace sotto::gw

#endif  // SOTTO_GW_ROLLOUT_ROLLOUT_STORE_H
