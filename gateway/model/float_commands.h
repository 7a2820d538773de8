// The parts of `sottoctl model import|run` that deal with float data: importing a float ONNX or
// TFLite model with a calibration set, and running a model on a .npy of float samples.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli_arguments.h"
#include "importer.h"

namespace sotto::gw::model {

// "MODEL.smdl: N ops, arena ..., weights ..., file ..." after an import, and a line on the
// layers stored sparse when there are any.
void print_import_summary(const std::string &path, const ImportSummary &s, std::ostream &out);

// Imports `bytes` when it is a float model (--calibration required, --validation and
// --percentile optional), writes the .smdl and prints the agreement; false for an int8 TFLite
// model, which the caller imports as it is (and which takes none of those options).
bool import_float_command(const std::vector<uint8_t> &bytes, Target target,
                          const PruneOptions &prune, const Arguments &arguments,
                          const std::string &output, std::ostream &out);

// Runs a model on every sample of a float32 .npy and writes the outputs as .npy: a .smdl on the
// device engine (input quantized and output dequantized with the model's own parameters;
// --layout nchw takes channels-first samples, as the ONNX model did), or a float ONNX/TFLite
// model on the float reference (in its own layout). False when this is the raw-bytes case.
bool run_npy_command(const std::vector<uint8_t> &model, const std::string &input_path,
                     const std::optional<std::string> &layout, const std::string &output_path,
                     std::ostream &out);

}  // namespace sotto::gw::model
