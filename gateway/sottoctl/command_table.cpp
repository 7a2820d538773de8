// Every sottoctl command: adding one is a function in its area plus one line here.
#include "audit_commands.h"
#include "backup_command.h"
#include "class_commands.h"
#include "cli.h"
#include "fleet_commands.h"
#include "key_commands.h"
#include "model_commands.h"
#include "model_self_test.h"
#include "pki_commands.h"
#include "rollout_commands.h"
#include "sign_commands.h"
#include "token_commands.h"

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
    // The device SDK's own self-test, so the promised digest is what every device computes. A
    // class name is looked up in the gateway; the signer itself only knows numbers.
    return model_sign_command(with_class_number(context, rest, "--target-class"), context.out,
                              context.err, model_self_test);
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
      {"pki", "init --out DIR [--fleet-name NAME] [--broker-name N,...] [--gateway-name N,...]",
       "create the fleet CA, sottod's and the broker's certificates, CRL and broker ACL",
       pki_command},
      {"device",
       "enroll CSR --site S --class C -o CERT | provision ID --site S --class C --out DIR | "
       "revoke ID | list --certs   [--pki DIR] [--broker-pid-file F] [--no-reload] [--days N]",
       "give a device its certificate (from its own request, or made here), revoke it, list "
       "certificates; the broker's ACL and CRL follow and it is reloaded",
       device_command},
      {"class", "add NAME NUMBER | list",
       "name a device class (kept in the gateway's registry); --class and --target-class take "
       "the name",
       class_command},
      {"backup", "PATH [--config FILE | --db FILE]",
       "a consistent copy of the gateway's store, taken while it ingests (run on the gateway)",
       backup_command},
      {"keygen", "--out DIR", "create a fleet signing key pair (ECDSA P-256, PEM)",
       local(keygen_command)},
      {"model",
       "import MODEL.tflite|MODEL.onnx -o MODEL.smdl [--target generic|cortex-m4|cortex-m0|rv32] "
       "[--calibration CAL.npy [--validation VAL.npy]] [--prune SPARSITY [--prune-channels]] | "
       "inspect MODEL.smdl [--target cortex-m4|cortex-m0|rv32 [--clock-mhz F] "
       "[--inferences-per-hour N] [--battery-mah C]] | "
       "run MODEL.smdl --input IN.bin... --output OUT.bin... | "
       "sign MODEL.smdl --key KEY --version N --target-class NAME|NUMBER -o BUNDLE",
       "compile, inspect or run a model; sign it into a bundle for rollout", model_command_route},
      {"rollout",
       "start BUNDLE --site S | --devices ID,... [--waves 5,25,100] [--max-failure-pct 2] | "
       "status [ID] | pause ID | resume ID | abort ID",
       "roll a signed model out in waves; watch, pause, resume or abort it", rollout_command},
      {"keys",
       "list | trust PUB.pem | rotate --new-key NEW.pem --signing-key KEY.pem [--retire KEY_ID] "
       "--site S | --devices ID,... [--waves 5,25,100] [--max-failure-pct 2] | retire KEY_ID",
       "fleet signing keys: which the devices trust; rotate one through the rollout waves",
       keys_command},
      {"token",
       "create --role viewer|operator --name NAME [--out FILE] | list | revoke NAME|ID "
       "[--db PATH | --config FILE]",
       "API tokens, on the gateway machine (its database; default /etc/sotto/sottod.toml)",
       token_command},
      {"audit", "[--limit N] [--before ID]",
       "the audit log: operator actions and refused requests, newest first (operator token)",
       audit_command},
  };
  return kCommands;
}

}  // namespace sotto::gw::ctl
