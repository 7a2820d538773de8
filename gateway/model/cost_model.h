// `sottoctl model inspect MODEL.smdl --target T ...`: what the model costs on that chip before
// it is flashed: arena (RAM) and flash bytes exactly, instructions per inference from the
// target's per-op table, and energy, average power and battery life under the target's power
// model (each figure overridable). The formulas are in README "What a model costs on a chip".
#pragma once

#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cli_arguments.h"
#include "host_model.h"
#include "target_profile.h"

namespace sotto::gw::model {

// The inspect options this adds (each takes a value).
const std::set<std::string> &cost_option_names();

struct CostOptions {
  Target target = Target::kGeneric;
  PowerModel power;  // the target's, with the overrides applied
  double inferences_per_hour = 3600;
  double battery_mah = 220;  // a CR2032 coin cell
  double cycles_per_instruction = 1;
};

// nullopt when no --target was given (plain inspect); throws UsageError naming the option and
// what it takes for a bad value or for a cost option without --target.
std::optional<CostOptions> parse_cost_options(const Arguments &arguments);
CostOptions cost_options_for(const TargetProfile &profile);  // the profile's defaults

struct ModelCost {
  std::string imported_for;  // the target the .smdl was imported for
  uint32_t arena_bytes = 0;
  uint32_t model_bytes = 0;   // the whole .smdl, in flash as it is
  uint32_t weight_bytes = 0;  // of which weights
  uint32_t engine_core_bytes = 0;
  std::vector<std::pair<std::string, uint32_t>> kernel_bytes;  // each linked op once, by name
  uint64_t flash_bytes = 0;
  std::vector<std::string> unmeasured_ops;  // no instruction row for them on this target
  uint64_t instructions = 0;                // valid when unmeasured_ops is empty
  double active_seconds = 0;                // run + wake-up, per inference
  double energy_uj = 0;                     // per inference
  double duty = 0;                          // awake fraction of the time
  double average_mw = 0;
  double battery_days = 0;
};

// Throws std::runtime_error when the rate leaves no time to sleep (the inferences of an hour
// take longer than the hour) or a kernel's flash is missing from the profile.
ModelCost estimate_cost(const HostModel &model, const TargetProfile &profile,
                        const CostOptions &options);
void print_cost(const ModelCost &cost, const TargetProfile &profile, const CostOptions &options,
                std::ostream &out);

}  // namespace sotto::gw::model
