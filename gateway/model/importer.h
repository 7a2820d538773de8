// Compiles an int8 TFLite model into a .smdl blob: op lowering, requantization, memory plan.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "sotto/model.h"

namespace sotto::gw::model {

enum class Target { kGeneric = 0, kCortexM4 = 1, kCortexM0 = 2, kRv32 = 3 };

// Parses "generic", "cortex-m4", "cortex-m0", "rv32"; throws std::invalid_argument otherwise.
Target parse_target(const std::string &name);

// Thrown for models the engine cannot run; the message names the op, its index and what is
// supported.
class ImportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ImportSummary {
  uint32_t op_count = 0;
  uint32_t arena_bytes = 0;
  uint32_t weight_bytes = 0;
  uint32_t blob_bytes = 0;
};

// The blob opens with this SDK's engine (import_tflite opens what it wrote, so no limit of the
// loader can refuse a model the importer accepted).
std::vector<uint8_t> import_tflite(std::vector<uint8_t> tflite, Target target,
                                   ImportSummary *summary = nullptr);

// "SOTTO_ERR_MODEL_SHAPE_MISMATCH at operator 3 (FULLY_CONNECTED): weights: expected ..." for a
// blob sotto_model_open refused.
std::string fault_text(const sotto_model_fault_t &fault);

}  // namespace sotto::gw::model
