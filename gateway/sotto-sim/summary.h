// What sotto-sim reports at exit: a one-screen table per site and the --summary-json file.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "virtual_device.h"

namespace sotto::gw::sim {

struct RunFacts {
  double wall_seconds = 0;
  double sim_seconds = 0;
  uint64_t seed = 0;
  std::string broker_url;
  bool complete = true;  // every device drained (and reached its event target, if any)
  bool interrupted = false;
};

void print_summary(std::ostream &out, const std::vector<DeviceReport> &reports,
                   const RunFacts &facts);
// Throws std::runtime_error when the file cannot be written.
void write_summary_json(const std::string &path, const std::vector<DeviceReport> &reports,
                        const RunFacts &facts);

}  // namespace sotto::gw::sim
