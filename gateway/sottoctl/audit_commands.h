// The audit log from the operator's side (operator token), over sottod's /api/v1/audit:
//   sottoctl audit [--limit N] [--before ID]   newest first
#pragma once

#include <string>
#include <vector>

#include "cli.h"

namespace sotto::gw::ctl {

int audit_command(CliContext &context, const std::vector<std::string> &args);

}  // namespace sotto::gw::ctl
