// Lowering of TRANSPOSE_CONV (int8, and int16 activations with int8 weights: TFLite's 16x8).
// TFLite's inputs: 0 output_shape (int32), 1 filter [out_c, k_h, k_w, in_c], 2 the input, 3 the
// optional bias; options {padding, stride_w, stride_h, fused_activation_function}.
#include <cstring>

#include "compiler.h"

namespace sotto::gw::model::detail {

namespace {

// TFLM's padding for a transposed convolution: the forward convolution's from the output size
// (SAME: ceil(out / stride) positions; VALID: those that fit the filter), without its odd
// remainder.
int32_t transpose_padding(bool same, int32_t stride, int32_t out, int32_t filter) {
  const int32_t positions = same ? (out + stride - 1) / stride : (out - filter + stride) / stride;
  return padding_before(stride, 1, out, filter, positions);
}

}  // namespace

void Compiler::lower_transpose_conv(size_t i) {
  const TfOperator &op = m_.operators[i];
  sotto_smdl_op_t rec = blank_op(SOTTO_OP_TRANSPOSE_CONV);
  rec.input0 = input(i, 2, kInt8 | kInt16);
  rec.output = output(i, 1u << tensors_[rec.input0].type);
  // The output size is the output tensor's, as in TFLM; a constant output_shape must agree, a
  // graph input stays the op's (unread) second input so the model keeps its inputs. (Made before
  // the references below: a new tensor may move the table.)
  if (op.inputs.empty() || op.inputs[0] < 0) fail(i, "missing input 0 (output_shape)");
  const bool shape_is_constant = !m_.tensors[static_cast<size_t>(op.inputs[0])].data.empty();
  if (!shape_is_constant) {
    rec.input1 = input(i, 0, kInt32);
    if (tensors_[rec.input1].bytes != 16) fail(i, "output_shape must hold 4 int32 values");
  }
  const sotto_smdl_tensor_t &in = tensors_[rec.input0];
  const sotto_smdl_tensor_t &out = tensors_[rec.output];
  const bool int16 = in.type == SOTTO_SMDL_INT16;
  if (out.rank != 4) fail(i, "output has rank " + std::to_string(out.rank) + "; supported: 4");
  if (shape_is_constant) {
    const TfTensor &values = constant(i, 0, static_cast<int8_t>(TfType::kInt32));
    std::vector<int32_t> dims(values.data.size() / 4);
    if (!dims.empty()) std::memcpy(dims.data(), values.data.data(), dims.size() * 4);
    if (dims != std::vector<int32_t>(out.dims, out.dims + 4)) {
      fail(i, "output_shape differs from the output tensor's shape");
    }
  }
  const TfTensor &filter = constant(i, 1, static_cast<int8_t>(TfType::kInt8));
  const int32_t out_c = out.dims[3];
  if (filter.shape.size() != 4 || filter.shape[0] != out_c || filter.shape[3] != in.dims[3]) {
    fail(i, "filter must be [output channels, height, width, input channels]");
  }
  const FlatTable &o = op.options;
  const bool same = o.scalar<int8_t>(0, 0) == 0;  // Padding: SAME 0, VALID 1
  int32_t *p = rec.params;
  p[SOTTO_P_STRIDE_W] = o.scalar<int32_t>(1, 1);
  p[SOTTO_P_STRIDE_H] = o.scalar<int32_t>(2, 1);
  p[SOTTO_P_DILATION_H] = p[SOTTO_P_DILATION_W] = 1;
  p[SOTTO_P_DEPTH_MULTIPLIER] = 1;
  p[SOTTO_P_KERNEL_H] = filter.shape[1];
  p[SOTTO_P_KERNEL_W] = filter.shape[2];
  if (p[SOTTO_P_STRIDE_H] < 1 || p[SOTTO_P_STRIDE_W] < 1) fail(i, "strides must be positive");
  p[SOTTO_P_PAD_H] = transpose_padding(same, p[SOTTO_P_STRIDE_H], out.dims[1], filter.shape[1]);
  p[SOTTO_P_PAD_W] = transpose_padding(same, p[SOTTO_P_STRIDE_W], out.dims[2], filter.shape[2]);
  check_window(i, rec);
  const uint64_t depth =
      static_cast<uint64_t>(filter.shape[1]) * filter.shape[2] * static_cast<uint64_t>(in.dims[3]);
  if (int16) {
    check_16x8(i, rec, depth);
  } else {
    check_accumulation_depth(i, depth, 0, filter.data);
  }
  set_fused_activation(i, &rec, 3);
  p[SOTTO_P_INPUT_OFFSET] = -in.zero_point;
  p[SOTTO_P_OUTPUT_OFFSET] = out.zero_point;
  append_weights(&rec, filter.data);
  if (int16) {
    append_bias_64(i, &rec, out_c, 3);
  } else {
    append_bias(i, &rec, out_c, 3);
  }
  set_multipliers(&rec, conv_multipliers(i, in, filter, out, int16));
  ops_.push_back(rec);
}

}  // namespace sotto::gw::model::detail
