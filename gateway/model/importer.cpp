// Lowers each TFLite operator to an smdl op record (lower_*.cpp), derives requantization
// parameters, plans the arena and writes the blob (header, tensor table, op table, constants,
// digest).
#include "importer.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "compiler.h"
#include "in_place.h"

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

uint32_t Compiler::activation(size_t op_index, int32_t tf_index, bool allow_float) {
  if (tf_index < 0) fail(op_index, "missing activation tensor");
  auto found = act_index_.find(tf_index);
  if (found != act_index_.end()) return found->second;
  const TfTensor &t = m_.tensors[static_cast<size_t>(tf_index)];
  const bool is_float = t.type == static_cast<int8_t>(TfType::kFloat32);
  if (t.type != static_cast<int8_t>(TfType::kInt8) && !(allow_float && is_float)) {
    fail(op_index, "tensor '" + t.name + "' has type " + type_name(t.type) +
                       "; supported: INT8 activations (FLOAT32 only into QUANTIZE and out of "
                       "DEQUANTIZE)");
  }
  if (!t.data.empty()) {
    fail(op_index, "tensor '" + t.name + "' is a constant; supported: activations only");
  }
  if (!is_float && (t.scales.size() != 1 || t.zero_points.size() != 1)) {
    fail(op_index, "tensor '" + t.name + "' lacks per-tensor quantization");
  }
  if (t.shape.empty() || t.shape.size() > 4) fail(op_index, "tensor '" + t.name + "' rank");
  sotto_smdl_tensor_t rec{};
  rec.rank = static_cast<int32_t>(t.shape.size());
  for (int d = 0; d < 4; ++d) rec.dims[d] = 1;
  // Right-align so the channel dimension is always dims[3] (NHWC).
  const size_t skip = 4 - t.shape.size();
  uint64_t bytes = 1;
  for (size_t d = 0; d < t.shape.size(); ++d) {
    if (t.shape[d] < 1) fail(op_index, "tensor '" + t.name + "' has a dynamic or empty dimension");
    rec.dims[skip + d] = t.shape[d];
    bytes *= static_cast<uint64_t>(t.shape[d]);
  }
  rec.type = is_float ? SOTTO_SMDL_FLOAT32 : SOTTO_SMDL_INT8;
  rec.bytes = static_cast<uint32_t>(bytes * (is_float ? 4 : 1));
  rec.scale = is_float ? 0.0f : t.scales[0];
  rec.zero_point = is_float ? 0 : static_cast<int32_t>(t.zero_points[0]);
  const uint32_t index = static_cast<uint32_t>(tensors_.size());
  tensors_.push_back(rec);
  names_.push_back(t.name);
  PlanItem item;
  item.bytes = rec.bytes;
  item.first_op = static_cast<int32_t>(op_index);
  item.last_op = static_cast<int32_t>(op_index);
  plan_.push_back(item);
  act_index_[tf_index] = index;
  return index;
}

uint32_t Compiler::input(size_t op_index, size_t slot, bool allow_float) {
  const TfOperator &op = m_.operators[op_index];
  if (slot >= op.inputs.size()) fail(op_index, "missing input " + std::to_string(slot));
  const uint32_t index = activation(op_index, op.inputs[slot], allow_float);
  // activation() checks a tensor's type when it first meets it; the model's FLOAT32 input is
  // met before any op, so each read checks again.
  if (!allow_float && tensors_[index].type == SOTTO_SMDL_FLOAT32) {
    fail(op_index, "input tensor '" + names_[index] +
                       "' has type FLOAT32; supported: INT8 activations (FLOAT32 only into "
                       "QUANTIZE)");
  }
  plan_[index].last_op = std::max(plan_[index].last_op, static_cast<int32_t>(op_index));
  return index;
}

const TfTensor &Compiler::constant(size_t op_index, size_t slot, int8_t type) {
  const TfOperator &op = m_.operators[op_index];
  if (slot >= op.inputs.size() || op.inputs[slot] < 0)
    fail(op_index, "missing input " + std::to_string(slot));
  const TfTensor &t = m_.tensors[static_cast<size_t>(op.inputs[slot])];
  if (t.type != type) {
    fail(op_index, "constant '" + t.name + "' has type " + type_name(t.type) + ", expected " +
                       type_name(type));
  }
  if (t.data.empty()) fail(op_index, "input '" + t.name + "' must be a constant");
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

const TfTensor *Compiler::append_bias(size_t op_index, sotto_smdl_op_t *rec, int32_t channels) {
  const TfOperator &op = m_.operators[op_index];
  if (op.inputs.size() <= 2 || op.inputs[2] < 0) return nullptr;
  const TfTensor &bias = constant(op_index, 2, static_cast<int8_t>(TfType::kInt32));
  if (bias.data.size() != static_cast<size_t>(channels) * 4) fail(op_index, "bias size mismatch");
  rec->bias_offset = append_data(bias.data.data(), bias.data.size());
  rec->bias_count = static_cast<uint32_t>(channels);
  return &bias;
}

void Compiler::set_fused_activation(size_t op_index, sotto_smdl_op_t *rec, int field) {
  const sotto_smdl_tensor_t &out = tensors_[rec->output];
  activation_range(m_.operators[op_index].options.scalar<int8_t>(field, 0), out.scale,
                   out.zero_point, &rec->params[SOTTO_P_ACT_MIN], &rec->params[SOTTO_P_ACT_MAX]);
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

void Compiler::lower(size_t i) {
  const TfOperator &op = m_.operators[i];
  if (op.outputs.size() != 1) fail(i, "expects exactly one output");
  for (const TfliteLowering &l : kLowerings) {
    if (l.builtin == op.builtin) return (this->*l.lower)(i);
  }
  throw ImportError("unsupported operator " + std::string(builtin_op_name(op.builtin)) +
                    " (builtin code " + std::to_string(op.builtin) + ") at index " +
                    std::to_string(i) + "; " + supported_ops_text());
}

// Working memory the target's optimized kernels use (kernels/<target>/), from their own
// layout comments: Cortex-M4 CONV_2D expands four pixels' windows to int16 (whole groups of four,
// plus 4 tail values each) after staging one window as int8, and both convolutions keep a
// 16-byte requantization entry per output channel.
uint32_t Compiler::scratch_bytes(const sotto_smdl_op_t &rec) const {
  if (target_ != Target::kCortexM4) return 0;
  const sotto_smdl_tensor_t &in = tensors_[rec.input0];
  const uint32_t channels = static_cast<uint32_t>(tensors_[rec.output].dims[3]);
  if (rec.kind == SOTTO_OP_DEPTHWISE_CONV_2D) return 16 * channels;
  if (rec.kind != SOTTO_OP_CONV_2D) return 0;
  const uint32_t window = static_cast<uint32_t>(rec.params[SOTTO_P_KERNEL_H] *
                                                rec.params[SOTTO_P_KERNEL_W] * in.dims[3]);
  return 8 * ((window & ~3u) + 4) + ((window + 3) & ~3u) + 16 * channels;
}

std::vector<uint8_t> Compiler::run(ImportSummary *summary) {
  if (m_.inputs.size() != 1 || m_.outputs.size() != 1) {
    throw ImportError("model must have exactly one input and one output");
  }
  if (m_.operators.empty()) throw ImportError("model has no operators");
  const uint32_t input = activation(0, m_.inputs[0], /*allow_float=*/true);
  for (size_t i = 0; i < m_.operators.size(); ++i) {
    lower(i);
    sotto_smdl_op_t &rec = ops_.back();
    rec.scratch_bytes = scratch_bytes(rec);
  }
  auto out_it = act_index_.find(m_.outputs[0]);
  if (out_it == act_index_.end()) throw ImportError("model output is not produced by any operator");
  const uint32_t output = out_it->second;
  plan_[output].last_op = static_cast<int32_t>(m_.operators.size());
  // Kernel scratch lives only during its op: plan it like a tensor written and read there.
  std::vector<PlanItem> items = plan_;
  for (size_t i = 0; i < ops_.size(); ++i) {
    if (ops_[i].scratch_bytes == 0) continue;
    PlanItem scratch;
    scratch.bytes = ops_[i].scratch_bytes;
    scratch.first_op = scratch.last_op = static_cast<int32_t>(i);
    scratch.fill_gaps = true;
    items.push_back(scratch);
  }
  // In place: an op's output may overlap an input that dies there (memory_plan.h).
  std::vector<PlanOverlap> overlaps;
  for (size_t i = 0; i < ops_.size(); ++i) {
    for (uint32_t read : {ops_[i].input0, ops_[i].input1}) {
      if (read == SOTTO_SMDL_NO_TENSOR || ops_[i].kind == SOTTO_OP_RESHAPE) continue;
      PlanOverlap o;
      o.output = static_cast<int32_t>(ops_[i].output);
      o.input = static_cast<int32_t>(read);
      o.op = static_cast<int32_t>(i);
      o.min_distance = in_place_distance(ops_[i], read, tensors_.data());
      overlaps.push_back(o);
    }
  }
  const uint32_t arena = plan_memory(&items, overlaps);
  for (size_t t = 0; t < tensors_.size(); ++t) tensors_[t].arena_offset = items[t].offset;
  for (size_t i = 0, next = tensors_.size(); i < ops_.size(); ++i) {
    if (ops_[i].scratch_bytes != 0) ops_[i].scratch_offset = items[next++].offset;
  }

  sotto_smdl_header_t h{};
  h.magic = SOTTO_SMDL_MAGIC;
  h.format_version = SOTTO_SMDL_VERSION;
  h.target = static_cast<uint16_t>(target_);
  h.arena_bytes = arena;
  h.tensor_count = static_cast<uint32_t>(tensors_.size());
  h.op_count = static_cast<uint32_t>(ops_.size());
  h.input_tensor = input;
  h.output_tensor = output;
  h.tensor_table_offset = sizeof(h);
  h.op_table_offset =
      h.tensor_table_offset + h.tensor_count * static_cast<uint32_t>(sizeof(sotto_smdl_tensor_t));
  h.data_offset = h.op_table_offset + h.op_count * static_cast<uint32_t>(sizeof(sotto_smdl_op_t));
  while (data_.size() % 4) data_.push_back(0);
  h.data_bytes = static_cast<uint32_t>(data_.size());
  h.total_bytes = h.data_offset + h.data_bytes;
  std::vector<uint8_t> blob(h.total_bytes, 0);
  std::memcpy(blob.data(), &h, sizeof(h));
  std::memcpy(blob.data() + h.tensor_table_offset, tensors_.data(),
              tensors_.size() * sizeof(sotto_smdl_tensor_t));
  std::memcpy(blob.data() + h.op_table_offset, ops_.data(), ops_.size() * sizeof(sotto_smdl_op_t));
  if (!data_.empty()) std::memcpy(blob.data() + h.data_offset, data_.data(), data_.size());
  const uint32_t digest = sotto_smdl_digest(blob.data(), h.total_bytes);
  std::memcpy(blob.data() + offsetof(sotto_smdl_header_t, digest), &digest, 4);
  if (summary) {
    summary->op_count = h.op_count;
    summary->arena_bytes = arena;
    summary->weight_bytes = weight_bytes_;
    summary->blob_bytes = h.total_bytes;
  }
  return blob;
}

}  // namespace detail

Target parse_target(const std::string &name) {
  if (name == "generic") return Target::kGeneric;
  if (name == "cortex-m4") return Target::kCortexM4;
  if (name == "cortex-m0") return Target::kCortexM0;
  if (name == "rv32") return Target::kRv32;
  throw std::invalid_argument("unknown target '" + name +
                              "'; supported: generic, cortex-m4, cortex-m0, rv32");
}

std::vector<uint8_t> import_tflite(std::vector<uint8_t> tflite, Target target,
                                   ImportSummary *summary) {
  TfModel m;
  try {
    parse_tflite(std::move(tflite), &m);
  } catch (const ImportError &) {
    throw;
  } catch (const std::exception &e) {
    throw ImportError(std::string("malformed TFLite file: ") + e.what());
  }
  return detail::Compiler(m, target).run(summary);
}

}  // namespace sotto::gw::model
