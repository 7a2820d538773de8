// The gateway's store on this machine, for the commands that open it directly instead of going
// through sottod's API (token, which the API cannot hand out, and backup).
#pragma once

#include "cli_arguments.h"
#include "config.h"

namespace sotto::gw::ctl {

// From --db PATH or the store section of --config FILE (default /etc/sotto/sottod.toml when it
// exists); throws UsageError for both or neither, and std::runtime_error when the database's
// folder does not exist (a typo must not create a fresh database nobody reads).
StoreConfig local_store_config(const Arguments &arguments);

}  // namespace sotto::gw::ctl
