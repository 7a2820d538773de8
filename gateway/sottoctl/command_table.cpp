// Every sottoctl command: adding one is a function in its area plus one line here.
#include "cli.h"
#include "digest_self_test.h"
#include "fleet_commands.h"
#include "model_commands.h"
#include "rollout_commands.h"
#include "sign_commands.h"

namespace sotto::gw::ctl {

namespace {

// Commands from the gateway libraries take (args, out, err); adapt them to the table.
template <typename Function>
auto local(Function function) {
  return [function](CliContext &context, const std::vector<std::string> &args) {
    return function(args, context.out, context.err);
  };
}

int model_command_route(CliContext &context, const std::vector<std::string> &args) {
  if (args.empty()) throw UsageError("missing model subcommand (import, inspect, run, sign)");
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "import" || args[0] == "inspect" || args[0] == "run") {
    return sotto::gw::model::model_command(args, context.out, context.err);
  }
  if (args[0] == "sign") {
    // The digest stand-in until the inference engine runs models (same function as sotto-sim).
    return model_sign_command(rest, context.out, context.err, digest_self_test_runner);
  }
  throw UsageError("unknown model subcommand '" + args[0] +
                   "' (expected import, inspect, run or sign)");
}

}  // namespace

const std::vector<Command> &commands() {
  static const std::vector<Command> kCommands = {
      {"fleet", "", "per-site summary: devices, events by kind, drops, low batteries",
       fleet_command},
      {"devices", "[--site SITE]", "every known device with its last report", devices_command},
      {"events", "DEVICE [--limit N] [--kind KIND]", "a device's latest events, newest first",
       events_command},
      {"keygen", "--out DIR", "create a fleet signing key pair (ECDSA P-256, PEM)",
       local(keygen_command)},
      {"model",
       "import MODEL.tflite -o MODEL.smdl [--target generic|cortex-m4|cortex-m0|rv32] | "
       "inspect MODEL.smdl | run MODEL.smdl --input IN.bin --output OUT.bin | "
       "sign MODEL --key KEY --version N --target-class CLASS -o BUNDLE",
       "compile, inspect or run a model; sign it into a bundle for rollout", model_command_route},
      {"rollout",
       "start BUNDLE --site S | --devices ID,... [--waves 5,25,100] [--max-failure-pct 2] | "
       "status [ID] | pause ID | resume ID | abort ID",
       "roll a signed model out in waves; watch, pause, resume or abort it", rollout_command},
  };
  return kCommands;
}

}  // namespace sotto::gw::ctl
