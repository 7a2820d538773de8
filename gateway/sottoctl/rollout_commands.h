// Rollouts from the operator's side, over sottod's /api/v1/rollouts:
//   sottoctl rollout start BUNDLE --site S | --devices ID,... [--waves 5,25,100]
//                                  [--max-failure-pct 2]
//   sottoctl rollout status [ID]      (all rollouts, or one with its waves and failures)
//   sottoctl rollout pause|resume|abort ID
// A rollout sends a model bundle or a key rotation (sottoctl keys rotate); status shows both.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "cli.h"
#include "cli_arguments.h"

namespace sotto::gw::ctl {

int rollout_command(CliContext &context, const std::vector<std::string> &args);

// Shared with `sottoctl keys rotate`, which starts a rollout too: the API query for --site or
// --devices, --waves and --max-failure-pct (throws UsageError naming a bad one), and a rollout's
// one-line summary ("rollout 3: running, model v2, wave 1 of 3, 4 of 40 activated, 0 failed").
std::string rollout_target_query(const Arguments &arguments);
std::string rollout_progress_line(const boost::json::object &rollout);

}  // namespace sotto::gw::ctl
