// Read-only fleet views over sottod's HTTP API: `devices`, `events DEVICE`, `fleet`.
#pragma once

#include <string>
#include <vector>

#include "cli.h"

namespace sotto::gw::ctl {

int devices_command(CliContext &context, const std::vector<std::string> &args);
int events_command(CliContext &context, const std::vector<std::string> &args);
int fleet_command(CliContext &context, const std::vector<std::string> &args);

}  // namespace sotto::gw::ctl
