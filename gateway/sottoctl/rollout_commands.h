// Rollouts from the operator's side, over sottod's /api/v1/rollouts:
//   sottoctl rollout start BUNDLE --site S | --devices ID,... [--waves 5,25,100]
//                                  [--max-failure-pct 2]
//   sottoctl rollout status [ID]      (all rollouts, or one with its waves and failures)
//   sottoctl rollout pause|resume|abort ID
#pragma once

#include <string>
#include <vector>

#include "cli.h"

namespace sotto::gw::ctl {

int rollout_command(CliContext &context, const std::vector<std::string> &args);

}  // namespace sotto::gw::ctl
