// The float path of `sottoctl model import`: a float32 ONNX or TFLite model plus a calibration
// set becomes an int8 .smdl (quantizer.h, then the same compiler as int8 TFLite), and the
// result is measured against the float model (agreement.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agreement.h"
#include "float_graph.h"
#include "importer.h"
#include "npy.h"

namespace sotto::gw::model {

// The float graph of a float32 ONNX or TFLite file; nullopt for a TFLite file that is already
// quantized (the int8 path). Throws ImportError for anything else.
std::optional<fp::Graph> read_float_model(const std::vector<uint8_t> &bytes);

// The samples of `array` in the graph's device layout. Each sample is shaped like the model's
// input in its own layout (channels first for ONNX), with or without the batch dim of 1;
// anything else is refused naming both shapes.
std::vector<std::vector<float>> device_samples(const fp::Graph &graph, const NpyArray &array,
                                               const std::string &what);

struct FloatImportOptions {
  Target target = Target::kGeneric;
  std::vector<std::vector<float>> calibration;  // device layout
  std::string calibration_name;
  std::vector<std::vector<float>> validation;  // empty: agreement is measured on calibration
  std::string validation_name;
  double percentile = 0;  // 0: min/max ranges
  PruneOptions prune;     // applied to the int8 weights (agreement measures its effect too)
};

struct FloatImportResult {
  std::vector<uint8_t> smdl;
  ImportSummary summary;
  AgreementReport agreement;
};

FloatImportResult import_float(const fp::Graph &graph, const FloatImportOptions &options);

}  // namespace sotto::gw::model
