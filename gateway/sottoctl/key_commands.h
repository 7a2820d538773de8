// The fleet's signing keys from the operator's side, over sottod's /api/v1/keys:
//   sottoctl keys list                        which keys the gateway knows, and who trusts them
//   sottoctl keys trust PUB.pem               the key devices were provisioned with
//   sottoctl keys rotate --new-key NEW.pem --signing-key KEY.pem [--retire KEY_ID]
//                        --site S | --devices ID,... [--waves 5,25,100] [--max-failure-pct 2]
//       signs a key rotation here (the private keys never leave this machine) and sends it
//       through the rollout machinery; follow it with `sottoctl rollout status ID`
//   sottoctl keys retire KEY_ID               the gateway sends nothing signed by it any more
#pragma once

#include <string>
#include <vector>

#include "cli.h"

namespace sotto::gw::ctl {

int keys_command(CliContext &context, const std::vector<std::string> &args);

}  // namespace sotto::gw::ctl
