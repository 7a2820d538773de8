// The `sottoctl model ...` commands as library functions (import, inspect, run), so the CLI
// dispatcher only forwards its arguments. Each returns a process exit status.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace sotto::gw::model {

// model import MODEL.tflite -o MODEL.smdl [--target generic|cortex-m4|cortex-m0|rv32]
int model_import_command(const std::vector<std::string> &args, std::ostream &out,
                         std::ostream &err);
// model inspect MODEL.smdl
int model_inspect_command(const std::vector<std::string> &args, std::ostream &out,
                          std::ostream &err);
// model run MODEL.smdl --input IN.bin --output OUT.bin
int model_run_command(const std::vector<std::string> &args, std::ostream &out, std::ostream &err);
// Dispatches args[0] in {import, inspect, run} to the functions above.
int model_command(const std::vector<std::string> &args, std::ostream &out, std::ostream &err);

}  // namespace sotto::gw::model
