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
#include "prune.h"
#include "quantize_params.h"
#include "smdl_format.h"
#include "tflite_model.h"

namespace sotto::gw::model::detail {

// "supported: CONV_2D, ..." for messages: every TFLite builtin the importer lowers.
const std::string &supported_ops_text();

// "INT8", "FLOAT32", ... for a TFLite TensorType.
const char *type_name(int8_t t);

// Element types an op accepts for one of its tensors: bits 1 << sotto_smdl_type.
using TypeSet = uint32_t;
constexpr TypeSet kInt8 = 1u << SOTTO_SMDL_INT8;
constexpr TypeSet kFloat32 = 1u << SOTTO_SMDL_FLOAT32;
constexpr TypeSet kInt16 = 1u << SOTTO_SMDL_INT16;
constexpr TypeSet kInt32 = 1u << SOTTO_SMDL_INT32;
constexpr TypeSet kUInt8 = 1u << SOTTO_SMDL_UINT8;

// "INT8, INT16" for messages.
std::string type_set_text(TypeSet types);

// An op record of `kind` with no second input and the full int8 activation range.
sotto_smdl_op_t blank_op(uint32_t kind);

// TFLite's padding: SAME centres the window (extra pixel at the end), VALID pads nothing.
int32_t padding_before(int32_t stride, int32_t dilation, int32_t in, int32_t filter, int32_t out);

class Compiler {
 public:
  Compiler(const TfModel &m, Target target, const PruneOptions &prune = {},
           const BlobOptions &blob = {})
      : m_(m), target_(target), prune_(prune), blob_(blob) {}
  std::vector<uint8_t> run(ImportSummary *summary);

 private:
  [[noreturn]] void fail(size_t op_index, const std::string &what) const {
    const TfOperator &op = m_.operators[op_index];
    throw ImportError("operator " + std::to_string(op_index) + " (" + operator_name(op) +
                      "): " + what);
  }
  // The smdl tensor for TFLite tensor tf_index, made when first met: any type the engine has
  // (each op's input()/output() says which it takes).
  uint32_t activation(size_t op_index, int32_t tf_index);
  // The activation op `op_index` reads at input `slot`, of one of `types`; the plan keeps it
  // live until this op.
  uint32_t input(size_t op_index, size_t slot, TypeSet types = kInt8);
  // The activation op `op_index` writes, of one of `types` (lower() checked that it has exactly
  // one output).
  uint32_t output(size_t op_index, TypeSet types = kInt8);
  // The variable tensor op `op_index` keeps across invokes at input `slot`, of one of `types`:
  // its own (no other op's or the graph's), planned over the whole run so nothing shares it.
  uint32_t state(size_t op_index, size_t slot, TypeSet types);
  // Refuses tensor `index` unless its type is one of `types`; role: "input", "output", "state".
  void check_type(size_t op_index, uint32_t index, TypeSet types, const char *role) const;
  // Plans the arena (tensors, scratch, in-place pairs) and writes the blob (plan_and_write.cpp).
  std::vector<uint8_t> plan_and_write(const std::vector<uint32_t> &inputs,
                                      const std::vector<uint32_t> &outputs, ImportSummary *summary);
  const TfTensor &constant(size_t op_index, size_t slot, int8_t type);
  uint32_t append_data(const void *bytes, size_t n);
  void set_multipliers(sotto_smdl_op_t *rec, const std::vector<QuantizedMultiplier> &q);
  void append_weights(sotto_smdl_op_t *rec, const std::vector<uint8_t> &weights);
  // The optional int32 bias at input `slot`, one per output channel; null when the op has none.
  const TfTensor *append_bias(size_t op_index, sotto_smdl_op_t *rec, int32_t channels,
                              size_t slot = 2);
  // ACT_MIN/ACT_MAX for the TFLite fused activation in options field `field` (none when the
  // options are absent).
  void set_fused_activation(size_t op_index, sotto_smdl_op_t *rec, int field);
  void lower(size_t i);
  // Refuses the first operator no lowering handles, before any tensor type is looked at.
  void check_ops_supported() const;

 public:
  // One lowering per row of op_table.h (lower_conv_2d, ...): reads TFLite operator i, appends
  // its op record(s); lower_*.cpp define them, importer.cpp maps TFLite builtins onto them.
#define SOTTO_DECLARE_LOWERING(NAME, KIND, TFLITE_BUILTIN, STEM) void lower_##STEM(size_t i);
  SOTTO_OP_TABLE(SOTTO_DECLARE_LOWERING)
#undef SOTTO_DECLARE_LOWERING

 private:
  void lower_conv(size_t i, bool depthwise);
  void lower_add_or_sub(size_t i, uint32_t kind);
  // Refuses an op that copies elements unless input and output share type and quantization.
  void check_same_quantization(size_t i, const sotto_smdl_op_t &rec) const;
  void lower_pool(size_t i, bool average);
  void check_broadcast(size_t i, int32_t input, int32_t output) const;
  // The engine's limits (smdl_format.h), refused here with the reason rather than by the loader.
  void check_window(size_t i, const sotto_smdl_op_t &rec) const;
  void check_accumulation_depth(size_t i, uint64_t depth, int32_t weight_offset,
                                const std::vector<uint8_t> &weights) const;
  uint32_t scratch_bytes(const sotto_smdl_op_t &rec) const;
  // TFLite's 16x8 quantization (int16 activations, int8 weights) as the engine takes it: zero
  // points 0 on input, output and filter (input 1), at most SOTTO_SMDL_MAX_ACCUMULATION_DEPTH
  // products per output; the int64 bias at input `slot` (two int32 words each, within +-2^46).
  void check_16x8(size_t i, const sotto_smdl_op_t &rec, uint64_t depth) const;
  void append_bias_64(size_t i, sotto_smdl_op_t *rec, int32_t channels, size_t slot);
  // One multiplier per output channel: input scale x the channel's filter scale / output scale
  // (in double, as TFLM); int16 refuses shifts beyond 7 (the 64-bit requantization's range).
  std::vector<QuantizedMultiplier> conv_multipliers(size_t i, const sotto_smdl_tensor_t &in,
                                                    const TfTensor &filter,
                                                    const sotto_smdl_tensor_t &out,
                                                    bool int16) const;
  // Prunes `rows` per the options and appends them, block-sparse when store_sparse says so
  // (setting SOTTO_P_SPARSE_WEIGHTS); a layer with a weight offset stays as it is, dense.
  // True when stored sparse.
  bool append_prunable_weights(sotto_smdl_op_t *rec, const WeightRows &rows,
                               const std::vector<float> &scales, int32_t weight_offset);

  const TfModel &m_;
  Target target_;
  PruneOptions prune_;
  BlobOptions blob_;                       // what the blob may use beyond what older engines read
  ImportSummary sparse_;                   // its sparse_* fields, copied into the summary
  std::map<int32_t, uint32_t> act_index_;  // TFLite tensor -> smdl tensor
  std::vector<sotto_smdl_tensor_t> tensors_;
  std::vector<std::string> names_;  // labels of tensors_ ("tensor 'x'"), for messages
  std::vector<PlanItem> plan_;
  std::vector<sotto_smdl_op_t> ops_;
  std::vector<uint8_t> data_;
  uint32_t weight_bytes_ = 0;
};

}  // namespace sotto::gw::model::detail
