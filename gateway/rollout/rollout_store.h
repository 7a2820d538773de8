// The rollout engine's view of the gateway store: rollout rows read through a StoreReader and
// changed through a RolloutWriter (store.h), so the engine holds no SQL and sottod can route its
// writes through the one writer thread.
#ifndef SOTTO_GW_ROLLOUT_ROLLOUT_STORE_H
#define SOTTO_GW_ROLLOUT_ROLLOUT_STORE_H

#include <cstdint>
#include <string>
#include <vector>

#include "rollout_rows.h"
#include "store.h"

namespace sotto::gw {

class RolloutStore {
 public:
  RolloutStore(StoreReader &reader, RolloutWriter &writer) : reader_(reader), writer_(writer) {}

  // Assigns devices to waves in the given order; the rollout starts running at wave 0.
  int64_t create(const RolloutSpec &spec, const std::vector<std::string> &devices);
  RolloutRow get(int64_t id);  // throws std::runtime_error for an unknown id
  std::vector<int64_t> unfinished() { return reader_.unfinished_rollouts(); }
  std::vector<std::string> wave_devices(int64_t id, int64_t wave);
  WaveCounts wave_counts(int64_t id, int64_t wave) { return reader_.wave_counts(id, wave); }
  // Every target device in wave order (wave = -1: all waves).
  std::vector<RolloutDeviceRow> devices(int64_t id, int64_t wave = -1) {
    return reader_.rollout_devices(id, wave);
  }
  std::vector<int64_t> all_ids() { return reader_.rollout_ids(); }  // newest first
  // Devices among `devices` that an unfinished (running or paused) rollout targets.
  std::vector<std::string> busy_devices(const std::vector<std::string> &devices) {
    return reader_.devices_in_unfinished_rollouts(devices);
  }
  // The registry's answers the engine needs: a device's site ("" if unknown), a site's devices.
  std::string device_site(const std::string &device) { return reader_.device_site(device); }
  std::vector<std::string> site_devices(const std::string &site) {
    return reader_.site_devices(site);
  }
  // The fleet keys (trust_rows.h): what the engine checks signers against.
  std::optional<FleetKeyRow> fleet_key(uint32_t key_id) { return reader_.fleet_key(key_id); }
  std::vector<std::string> devices_not_trusting(uint32_t key_id,
                                                const std::vector<std::string> &devices) {
    return reader_.devices_not_trusting(key_id, devices);
  }
  int64_t last_key_list_version() { return reader_.last_key_list_version(); }

  void set_state(int64_t id, const std::string &state, const std::string &halt_reason = "") {
    writer_.set_rollout_state(id, state, halt_reason);
  }
  void set_current_wave(int64_t id, int64_t wave) { writer_.set_rollout_wave(id, wave); }
  // state: pending | transferring | activated | failed; failure: OtaFailure value.
  void record_device(int64_t id, const std::string &device, const std::string &state,
                     int64_t next_offset, int64_t failure) {
    writer_.record_rollout_device(id, device, state, next_offset, failure);
  }

 private:
  StoreReader &reader_;
  RolloutWriter &writer_;
};

// Moves a running rollout on after device results changed: halts it (with the reason) when the
// current wave's failures exceed the threshold, starts the next wave when the current one is
// finished, marks it done after the last. Returns the rollout's state afterwards.
std::string advance_rollout(RolloutStore &store, int64_t id);

}  // namespace sotto::gw

#endif  // SOTTO_GW_ROLLOUT_ROLLOUT_STORE_H
