// Lowers each TFLite operator to an smdl op record (lower_*.cpp) with its tensors and constants;
// plan_and_write.cpp plans the arena and writes the blob.
#include "importer.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "compiler.h"
#include "reference_fallback.h"

namespace sotto::gw::model {
namespace detail {

namespace {

using Lowering = void (Compiler::*)(size_t);

struct TfliteLowering {
  int32_t builtin;  // TFLite BuiltinOperator
  Lowering lower;
};

// TFLite builtin -> lowering: each op_table.h row with a TFLite code, then the TFLite ops
// lowered into an op of another name.
const TfliteLowering kLowerings[] = {
#define SOTTO_LOWERING_ROW(NAME, KIND, TFLITE_BUILTIN, STEM) \
  {TFLITE_BUILTIN, &Compiler::lower_##STEM},
    SOTTO_OP_TABLE(SOTTO_LOWERING_ROW)
#undef SOTTO_LOWERING_ROW
        {60 /* PADV2, with the output zero point as its constant */, &Compiler::lower_pad},
};

}  // namespace

const std::string &supported_ops_text() {
  static const std::string text = [] {
    std::string s = "supported: ";
    bool first = true;
    for (const TfliteLowering &l : kLowerings) {
      if (l.builtin < 0) continue;
      s += (first ? "" : ", ") + std::string(builtin_op_name(l.builtin));
      first = false;
    }
    return s;
  }();
  return text;
}

const char *type_name(int8_t t) {
  switch (t) {
    case 0:
      return "FLOAT32";
    case 1:
      return "FLOAT16";
    case 2:
      return "INT32";
    case 3:
      return "UINT8";
    case 4:
      return "INT64";
    case 7:
      return "INT16";
    case 9:
      return "INT8";
    default:
      return "OTHER";
  }
}

sotto_smdl_op_t blank_op(uint32_t kind) {
  sotto_smdl_op_t rec{};
  rec.kind = kind;
  rec.input1 = SOTTO_SMDL_NO_TENSOR;
  rec.params[SOTTO_P_ACT_MIN] = -128;
  rec.params[SOTTO_P_ACT_MAX] = 127;
  return rec;
}

int32_t padding_before(int32_t stride, int32_t dilation, int32_t in, int32_t filter, int32_t out) {
  const int32_t effective = (filter - 1) * dilation + 1;
  const int32_t total = (out - 1) * stride + effective - in;
  return total > 0 ? total / 2 : 0;
}

std::string type_set_text(TypeSet types) {
  static const char *const kNames[SOTTO_SMDL_TYPE_COUNT_] = {"INT8", "FLOAT32", "INT16", "INT32",
                                                             "UINT8"};
  static const uint32_t kOrder[] = {SOTTO_SMDL_INT8, SOTTO_SMDL_INT16, SOTTO_SMDL_INT32,
                                    SOTTO_SMDL_UINT8, SOTTO_SMDL_FLOAT32};
  std::string text;
  for (uint32_t type : kOrder) {
    if ((types & (1u << type)) != 0) text += (text.empty() ? "" : ", ") + std::string(kNames[type]);
  }
  return text;
}

namespace {

// The engine's element type for a TFLite TensorType, or -1 when it has none.
int32_t smdl_type_of(int8_t tflite_type) {
  switch (static_cast<TfType>(tflite_type)) {
    case TfType::kInt8:
      return SOTTO_SMDL_INT8;
    case TfType::kInt16:
      return SOTTO_SMDL_INT16;
    case TfType::kInt32:
      return SOTTO_SMDL_INT32;
    case TfType::kUInt8:
      return SOTTO_SMDL_UINT8;
    case TfType::kFloat32:
      return SOTTO_SMDL_FLOAT32;
    default:
      return -1;
  }
}

}  // namespace

uint32_t Compiler::activation(size_t op_index, int32_t tf_index) {
  if (tf_index < 0) fail(op_index, "missing activation tensor");
  auto found = act_index_.find(tf_index);
  if (found != act_index_.end()) return found->second;
  const TfTensor &t = m_.tensors[static_cast<size_t>(tf_index)];
  const int32_t type = smdl_type_of(t.type);
  if (type < 0) {
    fail(op_index, t.label() + " has type " + type_name(t.type) + "; supported: " +
                       type_set_text(kInt8 | kInt16 | kInt32 | kUInt8 | kFloat32));
  }
  if (!t.data.empty()) {
    fail(op_index, t.label() + " is a constant; supported: activations only");
  }
  // Integer activations carry one scale and zero point; int32 ones (shapes, counts) may have
  // none.
  const bool quantized = t.scales.size() == 1 && t.zero_points.size() == 1;
  const bool unquantized_ok = type == SOTTO_SMDL_FLOAT32 || type == SOTTO_SMDL_INT32;
  if (!quantized && !(unquantized_ok && t.scales.empty() && t.zero_points.empty())) {
    fail(op_index, t.label() + " lacks per-tensor quantization");
  }
  if (t.shape.empty() || t.shape.size() > 4) {
    fail(op_index, t.label() + " has rank " + std::to_string(t.shape.size()) + "; supported: 1..4");
  }
  sotto_smdl_tensor_t rec{};
  rec.rank = static_cast<int32_t>(t.shape.size());
  for (int d = 0; d < 4; ++d) rec.dims[d] = 1;
  // Right-align so the channel dimension is always dims[3] (NHWC).
  const size_t skip = 4 - t.shape.size();
  uint64_t elements = 1;
  for (size_t d = 0; d < t.shape.size(); ++d) {
    if (t.shape[d] < 1) fail(op_index, t.label() + " has a dynamic or empty dimension");
    if (static_cast<uint32_t>(t.shape[d]) > SOTTO_SMDL_MAX_DIM) {
      fail(op_index, t.label() + " has a dimension of " + std::to_string(t.shape[d]) +
                         "; the engine's limit is " + std::to_string(SOTTO_SMDL_MAX_DIM));
    }
    rec.dims[skip + d] = t.shape[d];
    elements *= static_cast<uint64_t>(t.shape[d]);
  }
  const uint64_t bytes = elements * sotto_smdl_type_bytes(static_cast<uint32_t>(type));
  if (bytes > SOTTO_SMDL_MAX_TENSOR_BYTES) {
    fail(op_index, t.label() + " is larger than the engine's limit of 2^30 bytes");
  }
  rec.type = static_cast<uint32_t>(type);
  rec.bytes = static_cast<uint32_t>(bytes);
  rec.scale = quantized && type != SOTTO_SMDL_FLOAT32 ? t.scales[0] : 0.0f;
  rec.zero_point =
      quantized && type != SOTTO_SMDL_FLOAT32 ? static_cast<int32_t>(t.zero_points[0]) : 0;
  const uint32_t index = static_cast<uint32_t>(tensors_.size());
  tensors_.push_back(rec);
  names_.push_back(t.label());
  PlanItem item;
  item.bytes = rec.bytes;
  item.first_op = static_cast<int32_t>(op_index);
  item.last_op = static_cast<int32_t>(op_index);
  plan_.push_back(item);
  act_index_[tf_index] = index;
  return index;
}

void Compiler::check_type(size_t op_index, uint32_t index, TypeSet types, const char *role) const {
  if ((types & (1u << tensors_[index].type)) != 0) return;
  fail(op_index, std::string(role) + " " + names_[index] + " has type " +
                     type_set_text(1u << tensors_[index].type) +
                     "; supported: " + type_set_text(types));
}

uint32_t Compiler::input(size_t op_index, size_t slot, TypeSet types) {
  const TfOperator &op = m_.operators[op_index];
  if (slot >= op.inputs.size()) fail(op_index, "missing input " + std::to_string(slot));
  const uint32_t index = activation(op_index, op.inputs[slot]);
  check_type(op_index, index, types, "input");
  plan_[index].last_op = std::max(plan_[index].last_op, static_cast<int32_t>(op_index));
  return index;
}

uint32_t Compiler::output(size_t op_index, TypeSet types) {
  const uint32_t index = activation(op_index, m_.operators[op_index].outputs[0]);
  check_type(op_index, index, types, "output");
  return index;
}

const TfTensor &Compiler::constant(size_t op_index, size_t slot, int8_t type) {
  const TfOperator &op = m_.operators[op_index];
  if (slot >= op.inputs.size() || op.inputs[slot] < 0)
    fail(op_index, "missing input " + std::to_string(slot));
  const TfTensor &t = m_.tensors[static_cast<size_t>(op.inputs[slot])];
  if (t.type != type) {
    fail(op_index, "constant " + t.label() + " has type " + type_name(t.type) + ", expected " +
                       type_name(type));
  }
  if (t.data.empty()) fail(op_index, "input " + t.label() + " must be a constant");
  return t;
}

uint32_t Compiler::append_data(const void *bytes, size_t n) {
  while (data_.size() % 4) data_.push_back(0);
  const uint32_t offset = static_cast<uint32_t>(data_.size());
  const uint8_t *b = static_cast<const uint8_t *>(bytes);
  data_.insert(data_.end(), b, b + n);
  return offset;
}

void Compiler::append_weights(sotto_smdl_op_t *rec, const std::vector<uint8_t> &weights) {
  rec->weights_offset = append_data(weights.data(), weights.size());
  rec->weights_bytes = static_cast<uint32_t>(weights.size());
  weight_bytes_ += rec->weights_bytes;
}

const TfTensor *Compiler::append_bias(size_t op_index, sotto_smdl_op_t *rec, int32_t channels,
                                      size_t slot) {
  const TfOperator &op = m_.operators[op_index];
  if (op.inputs.size() <= slot || op.inputs[slot] < 0) return nullptr;
  const TfTensor &bias = constant(op_index, slot, static_cast<int8_t>(TfType::kInt32));
  if (bias.data.size() != static_cast<size_t>(channels) * 4) fail(op_index, "bias size mismatch");
  rec->bias_offset = append_data(bias.data.data(), bias.data.size());
  rec->bias_count = static_cast<uint32_t>(channels);
  return &bias;
}

void Compiler::set_fused_activation(size_t op_index, sotto_smdl_op_t *rec, int field) {
  const sotto_smdl_tensor_t &out = tensors_[rec->output];
  const bool int16 = out.type == SOTTO_SMDL_INT16;
  activation_range(m_.operators[op_index].options.scalar<int8_t>(field, 0), out.scale,
                   out.zero_point, &rec->params[SOTTO_P_ACT_MIN], &rec->params[SOTTO_P_ACT_MAX],
                   int16 ? -32768 : -128, int16 ? 32767 : 127);
}

void Compiler::set_multipliers(sotto_smdl_op_t *rec, const std::vector<QuantizedMultiplier> &q) {
  std::vector<int32_t> mult, shift;
  for (const QuantizedMultiplier &x : q) {
    mult.push_back(x.multiplier);
    shift.push_back(x.shift);
  }
  rec->multiplier_offset = append_data(mult.data(), mult.size() * 4);
  rec->multiplier_count = static_cast<uint32_t>(mult.size());
  rec->shift_offset = append_data(shift.data(), shift.size() * 4);
  rec->shift_count = static_cast<uint32_t>(shift.size());
}

namespace {

const TfliteLowering *lowering_for(int32_t builtin) {
  for (const TfliteLowering &l : kLowerings) {
    if (l.builtin == builtin && builtin >= 0) return &l;
  }
  return nullptr;
}

}  // namespace

void Compiler::check_ops_supported() const {
  for (size_t i = 0; i < m_.operators.size(); ++i) {
    const TfOperator &op = m_.operators[i];
    if (lowering_for(op.builtin) == nullptr) {
      throw ImportError("unsupported operator " + operator_name(op) + " (builtin code " +
                        std::to_string(op.builtin) + ") at index " + std::to_string(i) + "; " +
                        supported_ops_text());
    }
  }
}

void Compiler::lower(size_t i) {
  const TfOperator &op = m_.operators[i];
  if (op.outputs.size() != 1) fail(i, "expects exactly one output");
  (this->*lowering_for(op.builtin)->lower)(i);
}

// Working memory the target's optimized kernels use (kernels/<target>/): on the Cortex-M4 the
// sizes the loader checks without the reference fallback (reference_fallback.h), so the plan and
// the check cannot disagree.
uint32_t Compiler::scratch_bytes(const sotto_smdl_op_t &rec) const {
  const sotto_smdl_tensor_t &in = tensors_[rec.input0];
  if (rec.kind == SOTTO_OP_UNIDIRECTIONAL_SEQUENCE_LSTM) {  // its gates, on every target
    const uint32_t step_batches =
        rec.params[SOTTO_P_LSTM_TIME_MAJOR] != 0 ? static_cast<uint32_t>(in.dims[2]) : 1u;
    const uint64_t bytes = sotto_smdl_lstm_scratch_bytes(
        step_batches, static_cast<uint32_t>(tensors_[rec.output].dims[3]));
    if (bytes > SOTTO_SMDL_MAX_TENSOR_BYTES) {
      throw ImportError("UNIDIRECTIONAL_SEQUENCE_LSTM scratch of " + std::to_string(bytes) +
                        " bytes; supported: at most 2^30");
    }
    return static_cast<uint32_t>(bytes);
  }
  if (target_ != Target::kCortexM4) return 0;
  const uint32_t channels = static_cast<uint32_t>(tensors_[rec.output].dims[3]);
  if (rec.kind == SOTTO_OP_DEPTHWISE_CONV_2D) {
    // Larger windows run the reference kernel, which needs none.
    const int64_t taps =
        static_cast<int64_t>(rec.params[SOTTO_P_KERNEL_H]) * rec.params[SOTTO_P_KERNEL_W];
    if (taps > sotto_infer::kM4DepthwiseMaxTaps) return 0;
    const uint64_t bytes = static_cast<uint64_t>(16 + 2 * taps) * channels;
    return bytes <= SOTTO_SMDL_MAX_TENSOR_BYTES
               ? sotto_infer::m4_depthwise_scratch_bytes(static_cast<int32_t>(channels),
                                                         static_cast<int32_t>(taps))
               : 0;
  }
  // int16 and sparse weights run the reference kernel, which needs none.
  if (rec.kind != SOTTO_OP_CONV_2D || in.type != SOTTO_SMDL_INT8 ||
      rec.params[SOTTO_P_SPARSE_WEIGHTS] != 0) {
    return 0;
  }
  const uint32_t window = static_cast<uint32_t>(rec.params[SOTTO_P_KERNEL_H] *
                                                rec.params[SOTTO_P_KERNEL_W] * in.dims[3]);
  return static_cast<uint32_t>(
      sotto_infer::m4_conv_2d_scratch_bytes(rec.params[SOTTO_P_FC_WEIGHTS_INTERLEAVED],
                                            static_cast<uint32_t>(in.dims[3]), window, channels));
}

std::vector<uint8_t> Compiler::run(ImportSummary *summary) {
  if (m_.operators.empty()) throw ImportError("model has no operators");
  check_ops_supported();
  if (m_.inputs.empty() || m_.outputs.empty()) {
    throw ImportError("model has no inputs or no outputs");
  }
  // Every graph input is written before the first op runs.
  std::vector<uint32_t> inputs;
  for (int32_t tf : m_.inputs) inputs.push_back(activation(0, tf));
  for (size_t i = 0; i < m_.operators.size(); ++i) {
    lower(i);
    sotto_smdl_op_t &rec = ops_.back();
    rec.scratch_bytes = scratch_bytes(rec);
  }
  std::vector<uint32_t> outputs;
  for (size_t k = 0; k < m_.outputs.size(); ++k) {
    auto found = act_index_.find(m_.outputs[k]);
    if (found == act_index_.end()) {
      throw ImportError("model output " + std::to_string(k) + " (" +
                        m_.tensors[static_cast<size_t>(m_.outputs[k])].label() +
                        ") is not produced by any operator");
    }
    outputs.push_back(found->second);
    plan_[found->second].last_op = static_cast<int32_t>(m_.operators.size());  // read after
  }
  return plan_and_write(inputs, outputs, summary);
}

}  // namespace detail

std::string fault_text(const sotto_model_fault_t &f) {
  std::string where;
  if (f.op_index >= 0) {
    where = " at operator " + std::to_string(f.op_index) + " (" + f.op_name + ")";
  } else if (f.tensor_index >= 0) {
    where = " at tensor " + std::to_string(f.tensor_index);
  }
  return sotto_err_name(f.error) + where + ": " + f.check;
}

Target parse_target(const std::string &name) {
  if (name == "generic") return Target::kGeneric;
  if (name == "cortex-m4") return Target::kCortexM4;
  if (name == "cortex-m0") return Target::kCortexM0;
  if (name == "rv32") return Target::kRv32;
  throw std::invalid_argument("unknown target '" + name +
                              "'; supported: generic, cortex-m4, cortex-m0, rv32");
}

std::vector<uint8_t> import_tflite(std::vector<uint8_t> tflite, Target target,
                                   ImportSummary *summary, const PruneOptions &prune,
                                   const BlobOptions &blob) {
  TfModel m;
  try {
    parse_tflite(std::move(tflite), &m);
  } catch (const ImportError &) {
    throw;
  } catch (const std::exception &e) {
    throw ImportError(std::string("malformed TFLite file: ") + e.what());
  }
  return detail::Compiler(m, target, prune, blob).run(summary);
}

}  // namespace sotto::gw::model
