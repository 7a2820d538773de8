// API tokens, administered on the gateway machine straight in the gateway's database (the first
// token cannot come from an API that needs one):
//   sottoctl token create --role viewer|operator --name NAME [--out FILE]  (prints it once)
//   sottoctl token list
//   sottoctl token revoke NAME|TOKEN_ID
// each with [--db PATH | --config FILE] naming the database (default: store.path of
// /etc/sotto/sottod.toml). sottod reads the tokens on every request, so a new or revoked token
// counts at once, without a restart. Creating and revoking are audited as token.create and
// token.revoke by "local:<login name>". These are the one store write outside sottod's writer
// thread: sottoctl is another process; it waits for a gap between sottod's batches when they
// meet (token_commands.cpp).
#pragma once

#include <string>
#include <vector>

#include "cli.h"

namespace sotto::gw::ctl {

int token_command(CliContext &context, const std::vector<std::string> &args);

}  // namespace sotto::gw::ctl
