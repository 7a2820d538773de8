// The parts of a TFLite flatbuffer the importer needs, read with our own FlatBuffers reader.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "flatbuffer_view.h"

namespace sotto::gw::model {

// TFLite TensorType values we name in messages.
enum class TfType : int8_t {
  kFloat32 = 0,
  kInt32 = 2,
  kUInt8 = 3,
  kInt64 = 4,
  kInt16 = 7,
  kInt8 = 9
};

struct TfTensor {
  int32_t index = 0;  // in the subgraph's tensor list
  std::string name;
  std::vector<int32_t> shape;
  int8_t type = 0;
  uint32_t buffer = 0;
  std::vector<float> scales;
  std::vector<int64_t> zero_points;
  int32_t quantized_dimension = 0;
  std::vector<uint8_t> data;  // constant contents (empty for activations)
  bool is_variable = false;   // state a stateful op keeps across invokes (SVDF's)

  // "tensor 'conv1/out'" for messages, "tensor 7" when the model leaves it unnamed.
  std::string label() const {
    return name.empty() ? "tensor " + std::to_string(index) : "tensor '" + name + "'";
  }
};

struct TfOperator {
  int32_t builtin = -1;  // BuiltinOperator code
  std::string custom;    // the operator code's custom_code (CUSTOM ops)
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
  FlatTable options;  // builtin options table (field layout depends on the op)
};

struct TfModel {
  std::vector<uint8_t> bytes;  // owns the flatbuffer; options tables point into it
  std::vector<TfTensor> tensors;
  std::vector<TfOperator> operators;
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
};

// Parses `bytes` (the whole .tflite file); throws std::runtime_error on malformed input.
void parse_tflite(std::vector<uint8_t> bytes, TfModel *model);

// "TRANSPOSE", or "CUSTOM 'TFLite_Detection_PostProcess'" with the custom code, for messages.
std::string operator_name(const TfOperator &op);

// TFLite's name for a BuiltinOperator code (every one of its schema), "UNKNOWN" beyond it.
const char *builtin_op_name(int32_t code);

}  // namespace sotto::gw::model
