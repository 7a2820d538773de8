// Lowering of the element-wise, reduction and data-movement ops: ADD, SUB, MUL, LEAKY_RELU,
// SOFTMAX, LOGISTIC, CONCATENATION, PAD, MEAN, QUANTIZE, DEQUANTIZE, RESHAPE.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "compiler.h"

namespace sotto::gw::model::detail {

// ADD and MUL broadcast an input that is, right-aligned against the output, all ones or all
// ones but an equal last dim (the kernels read it at i % its size).
void Compiler::check_broadcast(size_t i, int32_t input, int32_t output) const {
  const std::vector<int32_t> &in = m_.tensors[static_cast<size_t>(input)].shape;
  const std::vector<int32_t> &out = m_.tensors[static_cast<size_t>(output)].shape;
  if (in == out) return;
  bool ones = in.size() <= out.size(), last_only = in.size() <= out.size() && !in.empty();
  for (size_t d = 0; d < in.size() && ones; ++d) ones = in[d] == 1;
  for (size_t d = 0; d + 1 < in.size() && last_only; ++d) last_only = in[d] == 1;
  last_only = last_only && !out.empty() && in.back() == out.back();
  if (!ones && !last_only) {
    fail(i, "broadcast pattern; supported: equal shapes, a single element, or a 1x..xC vector");
  }
}

// ADD and SUB as TFLite's general quantized path: both inputs rescaled to twice the larger input
// scale after a left shift of 20 (int8) or 15 (int16), which keeps (x - zero point) shifted
// inside an int32.
void Compiler::lower_add_or_sub(size_t i, uint32_t kind) {
  const TfOperator &op = m_.operators[i];
  sotto_smdl_op_t rec = blank_op(kind);
  if (op.inputs.size() != 2) fail(i, "expects 2 inputs");
  rec.output = output(i, kInt8 | kInt16);
  const TypeSet type = 1u << tensors_[rec.output].type;  // the inputs' type too
  rec.input0 = input(i, 0, type);
  rec.input1 = input(i, 1, type);
  // Options field 1, pot_scale_int16 (schema default true): TFLite's int16 kernel then expects
  // power-of-two scales and zero points 0 and skips the rescaling; TFLM, and this engine, have
  // only the general path, which converters select by writing false.
  if (type == kInt16 && op.options.scalar<uint8_t>(1, 1) != 0) {
    fail(i, "pot_scale_int16 is true (power-of-two int16 scaling); supported: false");
  }
  const sotto_smdl_tensor_t &a = tensors_[rec.input0];
  const sotto_smdl_tensor_t &b = tensors_[rec.input1];
  const sotto_smdl_tensor_t &out = tensors_[rec.output];
  check_broadcast(i, op.inputs[0], op.outputs[0]);
  check_broadcast(i, op.inputs[1], op.outputs[0]);
  int32_t *p = rec.params;
  const int left_shift = type == kInt16 ? 15 : 20;
  // TFLM derives ADD's three ratios in double and SUB's in float (then widened): the last bit
  // of a multiplier differs between the two, and with it some outputs.
  const float twice_max_f = 2 * std::max(a.scale, b.scale);
  const double twice_max = static_cast<double>(twice_max_f);
  const bool in_float = kind == SOTTO_OP_SUB;
  const double r1 = in_float ? static_cast<double>(a.scale / twice_max_f)
                             : static_cast<double>(a.scale) / twice_max;
  const double r2 = in_float ? static_cast<double>(b.scale / twice_max_f)
                             : static_cast<double>(b.scale) / twice_max;
  const double ro =
      in_float
          ? static_cast<double>(twice_max_f / (static_cast<float>(1 << left_shift) * out.scale))
          : twice_max / ((1 << left_shift) * static_cast<double>(out.scale));
  const QuantizedMultiplier m1 = quantize_multiplier(r1);
  const QuantizedMultiplier m2 = quantize_multiplier(r2);
  const QuantizedMultiplier mo = quantize_multiplier(ro);
  p[SOTTO_P_ADD_LEFT_SHIFT] = left_shift;
  p[SOTTO_P_ADD_INPUT1_OFFSET] = -a.zero_point;
  p[SOTTO_P_ADD_INPUT1_MULT] = m1.multiplier;
  p[SOTTO_P_ADD_INPUT1_SHIFT] = m1.shift;
  p[SOTTO_P_ADD_INPUT2_OFFSET] = -b.zero_point;
  p[SOTTO_P_ADD_INPUT2_MULT] = m2.multiplier;
  p[SOTTO_P_ADD_INPUT2_SHIFT] = m2.shift;
  p[SOTTO_P_ADD_OUTPUT_MULT] = mo.multiplier;
  p[SOTTO_P_ADD_OUTPUT_SHIFT] = mo.shift;
  p[SOTTO_P_OUTPUT_OFFSET] = out.zero_point;
  set_fused_activation(i, &rec, 0);
  ops_.push_back(rec);
}

void Compiler::lower_add(size_t i) {
  lower_add_or_sub(i, SOTTO_OP_ADD);
}

void Compiler::lower_sub(size_t i) {
  lower_add_or_sub(i, SOTTO_OP_SUB);
}

// LEAKY_RELU as TFLM: the identity and alpha ratios computed in float (as TFLM does), each then
// a quantized multiplier.
void Compiler::lower_leaky_relu(size_t i) {
  const TfOperator &op = m_.operators[i];
  sotto_smdl_op_t rec = blank_op(SOTTO_OP_LEAKY_RELU);
  rec.output = output(i, kInt8 | kInt16);
  rec.input0 = input(i, 0, 1u << tensors_[rec.output].type);
  const sotto_smdl_tensor_t &in = tensors_[rec.input0];
  const sotto_smdl_tensor_t &out = tensors_[rec.output];
  if (in.bytes != out.bytes) fail(i, "input and output sizes differ");
  const float alpha = op.options.scalar<float>(0, 0.0f);
  if (!(alpha >= 0.0f)) fail(i, "alpha " + std::to_string(alpha) + "; supported: alpha >= 0");
  const float alpha_ratio = in.scale * alpha / out.scale;
  const float identity_ratio = in.scale / out.scale;
  const QuantizedMultiplier qa = quantize_multiplier(static_cast<double>(alpha_ratio));
  const QuantizedMultiplier qi = quantize_multiplier(static_cast<double>(identity_ratio));
  int32_t *p = rec.params;
  p[SOTTO_P_LEAKY_RELU_INPUT_ZERO_POINT] = in.zero_point;
  p[SOTTO_P_LEAKY_RELU_IDENTITY_MULT] = qi.multiplier;
  p[SOTTO_P_LEAKY_RELU_IDENTITY_SHIFT] = qi.shift;
  p[SOTTO_P_LEAKY_RELU_ALPHA_MULT] = qa.multiplier;
  p[SOTTO_P_LEAKY_RELU_ALPHA_SHIFT] = qa.shift;
  p[SOTTO_P_OUTPUT_OFFSET] = out.zero_point;
  ops_.push_back(rec);
}

void Compiler::lower_softmax(size_t i) {
  const TfOperator &op = m_.operators[i];
  sotto_smdl_op_t rec = blank_op(SOTTO_OP_SOFTMAX);
  rec.input0 = input(i, 0);
  rec.output = output(i, kInt8 | kInt16);
  const sotto_smdl_tensor_t &in = tensors_[rec.input0];
  const sotto_smdl_tensor_t &out = tensors_[rec.output];
  if (out.type == SOTTO_SMDL_INT16) {
    // As TFLM: zero point -32768 exactly, the scale within 0.1% of 1/65536.
    if (out.zero_point != -32768 || std::abs(out.scale - 1.0f / 65536) > 0.001f * 1.0f / 65536) {
      fail(i, "int16 output quantization must be scale 1/65536, zero point -32768");
    }
  } else if (out.zero_point != -128 || out.scale != 1.0f / 256) {
    fail(i, "output quantization must be scale 1/256, zero point -128");
  }
  const float beta = op.options.scalar<float>(0, 1.0f);
  const int kScaledDiffIntegerBits = 5;
  const double real = std::min<double>(static_cast<double>(beta) * static_cast<double>(in.scale) *
                                           static_cast<double>(1 << (31 - kScaledDiffIntegerBits)),
                                       static_cast<double>((1LL << 31) - 1));
  const QuantizedMultiplier q = quantize_multiplier(real);
  if (q.shift < 0) fail(i, "input scale too small for the int8 softmax");
  const double max_rescaled = 1.0 * ((1 << kScaledDiffIntegerBits) - 1) *
                              static_cast<double>(1LL << (31 - kScaledDiffIntegerBits)) /
                              static_cast<double>(1LL << q.shift);
  int32_t *p = rec.params;
  p[SOTTO_P_SOFTMAX_BETA_MULT] = q.multiplier;
  p[SOTTO_P_SOFTMAX_BETA_LEFT_SHIFT] = q.shift;
  p[SOTTO_P_SOFTMAX_DIFF_MIN] = -static_cast<int32_t>(std::floor(max_rescaled));
  ops_.push_back(rec);
}

void Compiler::lower_mul(size_t i) {
  const TfOperator &op = m_.operators[i];
  if (op.inputs.size() != 2) fail(i, "expects 2 inputs");
  sotto_smdl_op_t rec = blank_op(SOTTO_OP_MUL);
  rec.input0 = input(i, 0);
  rec.input1 = input(i, 1);
  rec.output = output(i);
  check_broadcast(i, op.inputs[0], op.outputs[0]);
  check_broadcast(i, op.inputs[1], op.outputs[0]);
  const sotto_smdl_tensor_t &a = tensors_[rec.input0];
  const sotto_smdl_tensor_t &b = tensors_[rec.input1];
  const sotto_smdl_tensor_t &out = tensors_[rec.output];
  const QuantizedMultiplier q = quantize_multiplier(
      static_cast<double>(a.scale) * static_cast<double>(b.scale) / static_cast<double>(out.scale));
  int32_t *p = rec.params;
  p[SOTTO_P_MUL_INPUT1_OFFSET] = -a.zero_point;
  p[SOTTO_P_MUL_INPUT2_OFFSET] = -b.zero_point;
  p[SOTTO_P_MUL_OUTPUT_MULT] = q.multiplier;
  p[SOTTO_P_MUL_OUTPUT_SHIFT] = q.shift;
  p[SOTTO_P_OUTPUT_OFFSET] = out.zero_point;
  set_fused_activation(i, &rec, 0);
  ops_.push_back(rec);
}

void Compiler::lower_logistic(size_t i) {
  sotto_smdl_op_t rec = blank_op(SOTTO_OP_LOGISTIC);
  rec.input0 = input(i, 0);
  rec.output = output(i);
  const sotto_smdl_tensor_t &in = tensors_[rec.input0];
  const sotto_smdl_tensor_t &out = tensors_[rec.output];
  if (out.zero_point != -128 || out.scale != 1.0f / 256) {
    fail(i, "output quantization must be scale 1/256, zero point -128");
  }
  if (in.bytes != out.bytes) fail(i, "input and output sizes differ");
  // As TFLite: the input rescaled to Q4.27 by frexp of scale * 2^27, and inputs beyond the
  // radius saturate.
  const int kInputIntegerBits = 4;
  int left_shift = 0;
  const double q =
      std::frexp(static_cast<double>(in.scale) * (1 << (31 - kInputIntegerBits)), &left_shift);
  if (left_shift < 0 || left_shift > 30) fail(i, "input scale out of the supported range");
  const double radius = 1.0 * ((1 << kInputIntegerBits) - 1) *
                        static_cast<double>(1LL << (31 - kInputIntegerBits)) /
                        static_cast<double>(1LL << left_shift);
  int32_t *p = rec.params;
  p[SOTTO_P_LOGISTIC_INPUT_ZERO_POINT] = in.zero_point;
  p[SOTTO_P_LOGISTIC_INPUT_MULT] =
      static_cast<int32_t>(std::round(q * static_cast<double>(1LL << 31)));
  p[SOTTO_P_LOGISTIC_INPUT_LEFT_SHIFT] = left_shift;
  p[SOTTO_P_LOGISTIC_RANGE_RADIUS] = static_cast<int32_t>(std::floor(radius));
  ops_.push_back(rec);
}

void Compiler::lower_concatenation(size_t i) {
  const TfOperator &op = m_.operators[i];
  sotto_smdl_op_t rec = blank_op(SOTTO_OP_CONCATENATION);
  if (op.inputs.empty()) fail(i, "expects inputs");
  rec.output = output(i);
  // A copy: input() below may grow tensors_.
  const sotto_smdl_tensor_t out = tensors_[rec.output];
  const int32_t rank = out.rank;
  int32_t axis = op.options.scalar<int32_t>(0, 0);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) fail(i, "axis out of range");
  if (op.options.scalar<int8_t>(1, 0) != 0) fail(i, "fused activation; supported: none");
  std::vector<uint32_t> inputs;
  for (size_t slot = 0; slot < op.inputs.size(); ++slot) {
    const uint32_t index = input(i, slot);
    const sotto_smdl_tensor_t &in = tensors_[index];
    if (in.scale != out.scale || in.zero_point != out.zero_point) {
      fail(i, "inputs quantized unlike the output; supported: equal quantization");
    }
    inputs.push_back(index);
  }
  rec.input0 = inputs[0];
  rec.params[SOTTO_P_CONCAT_AXIS] = axis + 4 - rank;
  rec.weights_offset = append_data(inputs.data(), inputs.size() * 4);
  rec.weights_bytes = static_cast<uint32_t>(inputs.size() * 4);
  ops_.push_back(rec);
}

void Compiler::lower_pad(size_t i) {
  const TfOperator &op = m_.operators[i];
  sotto_smdl_op_t rec = blank_op(SOTTO_OP_PAD);
  rec.input0 = input(i, 0, kInt8 | kInt16);
  rec.output = output(i, 1u << tensors_[rec.input0].type);
  const sotto_smdl_tensor_t &in = tensors_[rec.input0];
  const sotto_smdl_tensor_t &out = tensors_[rec.output];
  if (in.scale != out.scale || in.zero_point != out.zero_point) {
    fail(i, "input and output quantization differ; supported: equal quantization");
  }
  // TFLM pads int16 with 0, not the zero point: the two agree only for zero point 0 (16x8's).
  const bool int16 = out.type == SOTTO_SMDL_INT16;
  if (int16 && out.zero_point != 0) {
    fail(i, "int16 zero point " + std::to_string(out.zero_point) + "; supported: 0");
  }
  const TfTensor &paddings = constant(i, 1, static_cast<int8_t>(TfType::kInt32));
  const size_t rank = static_cast<size_t>(in.rank);
  if (paddings.data.size() != rank * 8) fail(i, "paddings must be [rank, 2] int32");
  if (op.inputs.size() > 2 && op.inputs[2] >= 0) {  // PADV2: only the zero point as the value
    const TfTensor &value =
        constant(i, 2, static_cast<int8_t>(int16 ? TfType::kInt16 : TfType::kInt8));
    int16_t v = 0;
    if (value.data.size() != (int16 ? 2u : 1u)) fail(i, "pad value must be one element");
    if (int16) {
      std::memcpy(&v, value.data.data(), 2);
    } else {
      v = static_cast<int8_t>(value.data[0]);
    }
    if (v != out.zero_point) {
      fail(i, "pad value differs from the output zero point; supported: zero point padding");
    }
  }
  int32_t *p = rec.params;
  for (size_t d = 0; d < rank; ++d) {
    int32_t before, after;
    std::memcpy(&before, &paddings.data[8 * d], 4);
    std::memcpy(&after, &paddings.data[8 * d + 4], 4);
    p[SOTTO_P_PAD_BEFORE + 4 - rank + d] = before;
    p[SOTTO_P_PAD_AFTER + 4 - rank + d] = after;
  }
  p[SOTTO_P_OUTPUT_OFFSET] = out.zero_point;
  ops_.push_back(rec);
}

void Compiler::lower_mean(size_t i) {
  sotto_smdl_op_t rec = blank_op(SOTTO_OP_MEAN);
  rec.input0 = input(i, 0);
  rec.output = output(i);
  const sotto_smdl_tensor_t &in = tensors_[rec.input0];
  const sotto_smdl_tensor_t &out = tensors_[rec.output];
  const TfTensor &axis = constant(i, 1, static_cast<int8_t>(TfType::kInt32));
  std::vector<int32_t> axes(axis.data.size() / 4);
  std::memcpy(axes.data(), axis.data.data(), axes.size() * 4);
  for (int32_t &a : axes) a = a < 0 ? a + in.rank : a;
  std::sort(axes.begin(), axes.end());
  if (in.rank != 4 || axes != std::vector<int32_t>{1, 2}) {
    fail(i, "axes; supported: mean over H and W (axes 1, 2) of a 4-D tensor");
  }
  // As TFLM (every case, equal quantization too): input scale / output scale as a quantized
  // multiplier, then 1 / count folded into it: shifted left by floor(log2(count)) (at most 32,
  // and no further than a final shift of -31), divided by count.
  const QuantizedMultiplier q =
      quantize_multiplier(static_cast<double>(in.scale) / static_cast<double>(out.scale));
  const uint64_t count = static_cast<uint64_t>(in.dims[1]) * static_cast<uint64_t>(in.dims[2]);
  if (count > SOTTO_SMDL_MAX_MEAN_COUNT) {
    fail(i, "mean over " + std::to_string(count) + " elements; the engine's int32 sum holds " +
                std::to_string(SOTTO_SMDL_MAX_MEAN_COUNT));
  }
  int fold = 63 - __builtin_clzll(count);
  fold = std::min(fold, 32);
  fold = std::min(fold, 31 + q.shift);
  int32_t *p = rec.params;
  p[SOTTO_P_MEAN_INPUT_ZERO_POINT] = in.zero_point;
  p[SOTTO_P_MEAN_MULT] = static_cast<int32_t>((static_cast<int64_t>(q.multiplier) << fold) /
                                              static_cast<int64_t>(count));
  p[SOTTO_P_MEAN_SHIFT] = q.shift - fold;
  p[SOTTO_P_OUTPUT_OFFSET] = out.zero_point;
  ops_.push_back(rec);
}

void Compiler::lower_quantize(size_t i) {
  sotto_smdl_op_t rec = blank_op(SOTTO_OP_QUANTIZE);
  rec.input0 = input(i, 0, kInt8 | kInt16 | kInt32 | kFloat32);
  // From float32: int8 only; between integer types any pairing (TFLM's Requantize).
  rec.output =
      output(i, tensors_[rec.input0].type == SOTTO_SMDL_FLOAT32 ? kInt8 : kInt8 | kInt16 | kInt32);
  const sotto_smdl_tensor_t &in = tensors_[rec.input0];
  const sotto_smdl_tensor_t &out = tensors_[rec.output];
  int32_t *p = rec.params;
  p[SOTTO_P_OUTPUT_OFFSET] = out.zero_point;
  if (in.type == SOTTO_SMDL_FLOAT32) {
    p[SOTTO_P_QUANTIZE_FROM_FLOAT] = 1;
    std::memcpy(&p[SOTTO_P_QUANTIZE_SCALE_BITS], &out.scale, 4);
  } else {
    const QuantizedMultiplier q =
        quantize_multiplier(static_cast<double>(in.scale) / static_cast<double>(out.scale));
    p[SOTTO_P_QUANTIZE_MULT] = q.multiplier;
    p[SOTTO_P_QUANTIZE_SHIFT] = q.shift;
    p[SOTTO_P_QUANTIZE_INPUT_ZERO_POINT] = in.zero_point;
  }
  ops_.push_back(rec);
}

void Compiler::lower_dequantize(size_t i) {
  sotto_smdl_op_t rec = blank_op(SOTTO_OP_DEQUANTIZE);
  rec.input0 = input(i, 0);
  rec.output = output(i, kFloat32);
  const sotto_smdl_tensor_t &in = tensors_[rec.input0];
  std::memcpy(&rec.params[SOTTO_P_DEQUANTIZE_SCALE_BITS], &in.scale, 4);
  rec.params[SOTTO_P_DEQUANTIZE_ZERO_POINT] = in.zero_point;
  ops_.push_back(rec);
}

void Compiler::lower_reshape(size_t i) {
  sotto_smdl_op_t rec = blank_op(SOTTO_OP_RESHAPE);
  rec.input0 = input(i, 0);
  rec.output = output(i);
  if (tensors_[rec.input0].bytes != tensors_[rec.output].bytes) fail(i, "size changes");
  plan_[rec.output].alias_of = static_cast<int32_t>(rec.input0);  // same bytes, in place
  ops_.push_back(rec);
}

}  // namespace sotto::gw::model::detail
