// The TFLite -> smdl compiler behind import_tflite (internal to gateway/model): one instance
// per import. importer.cpp holds tensors, constants, the plan and the writer; lower_*.cpp lower
// the operators.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "importer.h"
#include "memory_plan.h"
#include "quantize_params.h"
#include "smdl_format.h"
#include "tflite_model.h"

namespace sotto::gw::model::detail {

// "supported: CONV_2D, ..." for messages: every TFLite builtin the importer lowers.
const std::string &supported_ops_text();

// "INT8", "FLOAT32", ... for a TFLite TensorType.
const char *type_name(int8_t t);

// An op record of `kind` with no second input and the full int8 activation range.
sotto_smdl_op_t blank_op(uint32_t kind);

// TFLite's padding: SAME centres the window (extra pixel at the end), VALID pads nothing.
int32_t padding_before(int32_t stride, int32_t dilation, int32_t in, int32_t filter, int32_t out);

class Compiler {
 public:
  Compiler(const TfModel &m, Target target) : m_(m), target_(target) {}
  std::vector<uint8_t> run(ImportSummary *summary);

 private:
  [[noreturn]] void fail(size_t op_index, const std::string &what) const {
    const TfOperator &op = m_.operators[op_index];
    throw ImportError("operator " + std::to_string(op_index) + " (" + builtin_op_name(op.builtin) +
                      "): " + what);
  }
  // The smdl tensor for TFLite tensor tf_index (int8, or float32 when allow_float).
  uint32_t activation(size_t op_index, int32_t tf_index, bool allow_float = false);
  // The activation op `op_index` reads at input `slot`; the plan keeps it live until this op.
  uint32_t input(size_t op_index, size_t slot, bool allow_float = false);
  // The activation op `op_index` writes (lower() checked that it has exactly one output).
  uint32_t output(size_t op_index, bool allow_float = false) {
    return activation(op_index, m_.operators[op_index].outputs[0], allow_float);
  }
  const TfTensor &constant(size_t op_index, size_t slot, int8_t type);
  uint32_t append_data(const void *bytes, size_t n);
  void set_multipliers(sotto_smdl_op_t *rec, const std::vector<QuantizedMultiplier> &q);
  void append_weights(sotto_smdl_op_t *rec, const std::vector<uint8_t> &weights);
  // The optional int32 bias at input 2, one per output channel; null when the op has none.
  const TfTensor *append_bias(size_t op_index, sotto_smdl_op_t *rec, int32_t channels);
  // ACT_MIN/ACT_MAX for the TFLite fused activation in options field `field` (none when the
  // options are absent).
  void set_fused_activation(size_t op_index, sotto_smdl_op_t *rec, int field);
  void lower(size_t i);

 public:
  // One lowering per row of op_table.h (lower_conv_2d, ...): reads TFLite operator i, appends
  // its op record(s); lower_*.cpp define them, importer.cpp maps TFLite builtins onto them.
#define SOTTO_DECLARE_LOWERING(NAME, KIND, TFLITE_BUILTIN, STEM) void lower_##STEM(size_t i);
  SOTTO_OP_TABLE(SOTTO_DECLARE_LOWERING)
#undef SOTTO_DECLARE_LOWERING

 private:
  void lower_conv(size_t i, bool depthwise);
  void lower_pool(size_t i, bool average);
  void check_broadcast(size_t i, int32_t input, int32_t output) const;
  uint32_t scratch_bytes(const sotto_smdl_op_t &rec) const;

  const TfModel &m_;
  Target target_;
  std::map<int32_t, uint32_t> act_index_;  // TFLite tensor -> smdl tensor
  std::vector<sotto_smdl_tensor_t> tensors_;
  std::vector<std::string> names_;  // TFLite names of tensors_, for messages
  std::vector<PlanItem> plan_;
  std::vector<sotto_smdl_op_t> ops_;
  std::vector<uint8_t> data_;
  uint32_t weight_bytes_ = 0;
};

}  // namespace sotto::gw::model::detail
