// The `sottoctl model ...` commands as library functions (import, inspect, run), so the CLI
// dispatcher only forwards its arguments. Each returns a process exit status; a bad command
// line throws sotto::gw::UsageError, a failed step std::runtime_error (sottoctl maps both).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace sotto::gw::model {

// model import MODEL.tflite -o MODEL.smdl [--target generic|cortex-m4|cortex-m0|rv32]
int model_import_command(const std::vector<std::string> &args, std::ostream &out);
// model inspect MODEL.smdl [--target cortex-m4|cortex-m0|rv32 [--clock-mhz F]
//   [--inferences-per-hour N] [--battery-mah C] [power model overrides]]: with --target, what
//   the model costs on that chip (cost_model.h)
int model_inspect_command(const std::vector<std::string> &args, std::ostream &out);
// model run MODEL.smdl --input IN.bin... --output OUT.bin... (one per model input / output)
int model_run_command(const std::vector<std::string> &args, std::ostream &out);

}  // namespace sotto::gw::model
