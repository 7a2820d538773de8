// The wave state machine over the store's rollout rows. Every change is one write of its own,
// so a crash between two leaves each row consistent on its own; advance_rollout is idempotent
// and recomputes from the rows after a restart.
#include "rollout_store.h"

#include <sstream>
#include <stdexcept>

#include "wave_plan.h"

namespace sotto::gw {
namespace {

std::string percent(int64_t permille) {
  std::ostringstream out;
  out << permille / 10 << "." << permille % 10 << "%";
  return out.str();
}

}  // namespace

int64_t RolloutStore::create(const RolloutSpec &spec, const std::vector<std::string> &devices) {
  return writer_.create_rollout(spec, devices, wave_sizes(devices.size(), spec.waves));
}

RolloutRow RolloutStore::get(int64_t id) {
  std::optional<RolloutRow> row = reader_.rollout(id);
  if (!row) throw std::runtime_error("rollout " + std::to_string(id) + " does not exist");
  return *row;
}

std::vector<std::string> RolloutStore::wave_devices(int64_t id, int64_t wave) {
  std::vector<std::string> devices;
  for (const RolloutDeviceRow &row : reader_.rollout_devices(id, wave))
    devices.push_back(row.device);
  return devices;
}

std::string advance_rollout(RolloutStore &store, int64_t id) {
  RolloutRow row = store.get(id);
  while (row.state == "running") {
    const WaveCounts counts = store.wave_counts(id, row.current_wave);
    const double max_pct = row.spec.max_failure_permille / 10.0;
    if (wave_exceeds_failure_limit(static_cast<size_t>(counts.failed),
                                   static_cast<size_t>(counts.devices), max_pct)) {
      std::ostringstream reason;
      reason << "wave " << row.current_wave + 1 << " of " << row.wave_count << ": " << counts.failed
             << " of " << counts.devices << " devices failed, above the "
             << percent(row.spec.max_failure_permille) << " limit";
      store.set_state(id, "halted", reason.str());
      return "halted";
    }
    if (counts.activated + counts.failed < counts.devices) {
      return row.state;  // the wave is still in progress
    }
    if (row.current_wave + 1 >= row.wave_count) {
      store.set_state(id, "done");
      return "done";
    }
    row.current_wave += 1;
    store.set_current_wave(id, row.current_wave);
  }
  return row.state;
}

}  // namespace sotto::gw
