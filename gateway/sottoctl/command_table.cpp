// Every sottoctl command: adding one is a function in its area plus one line here.
#include "backup_command.h"
#include "cli.h"
#include "fleet_commands.h"
#include "model_commands.h"
#include "model_self_test.h"
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
  if (args[0] == "import") return model::model_import_command(rest, context.out);
  if (args[0] == "inspect") return model::model_inspect_command(rest, context.out);
  if (args[0] == "run") return model::model_run_command(rest, context.out);
  if (args[0] == "sign") {
    // The device SDK's own self-test, so the promised digest is what every device computes.
    return model_sign_command(rest, context.out, context.err, model_self_test);
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
      {"backup", "PATH [--config FILE | --db FILE]",
       "a consistent copy of the gateway's store, taken while it ingests (run on the gateway)",
       backup_command},
      {"keygen", "--out DIR", "create a fleet signing key pair (ECDSA P-256, PEM)",
       local(keygen_command)},
      {"model",
       "import MODEL.tflite -o MODEL.smdl [--target generic|cortex-m4|cortex-m0|rv32] | "
       "inspect MODEL.smdl [--target cortex-m4|cortex-m0|rv32 [--clock-mhz F] "
       "[--inferences-per-hour N] [--battery-mah C]] | "
       "run MODEL.smdl --input IN.bin... --output OUT.bin... | "
       "sign MODEL.smdl --key KEY --version N --target-class CLASS -o BUNDLE",
       "compile, inspect or run a model; sign it into a bundle for rollout", model_command_route},
      {"rollout",
       "start BUNDLE --site S | --devices ID,... [--waves 5,25,100] [--max-failure-pct 2] | "
       "status [ID] | pause ID | resume ID | abort ID",
       "roll a signed model out in waves; watch, pause, resume or abort it", rollout_command},
  };
  return kCommands;
}

}  // namespace sotto::gw::ctl
