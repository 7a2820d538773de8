// `sottoctl backup PATH`: a consistent copy of the gateway's store, taken on the gateway's own
// machine through the storage seam while sottod keeps ingesting.
#pragma once

#include <string>
#include <vector>

#include "cli.h"

namespace sotto::gw::ctl {

// Where the store is: --db FILE, else store.path from --config FILE, else from
// /etc/sotto/sottod.toml when it exists, else the built-in default.
int backup_command(CliContext &context, const std::vector<std::string> &args);

}  // namespace sotto::gw::ctl
