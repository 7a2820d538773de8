// Shapes, op records and kernel arguments for the reference kernels' unit tests.
#pragma once

#include "kernel_args.h"

namespace sotto_test {

using sotto_infer::KernelArgs;

inline sotto_smdl_tensor_t shape(int32_t h, int32_t w, int32_t c) {
  sotto_smdl_tensor_t t{};
  t.rank = 4;
  t.dims[0] = 1;
  t.dims[1] = h;
  t.dims[2] = w;
  t.dims[3] = c;
  t.bytes = static_cast<uint32_t>(h * w * c);
  return t;
}

inline sotto_smdl_op_t op_with_window(int32_t k, int32_t stride) {
  sotto_smdl_op_t op{};
  op.params[SOTTO_P_KERNEL_H] = op.params[SOTTO_P_KERNEL_W] = k;
  op.params[SOTTO_P_STRIDE_H] = op.params[SOTTO_P_STRIDE_W] = stride;
  op.params[SOTTO_P_DILATION_H] = op.params[SOTTO_P_DILATION_W] = 1;
  op.params[SOTTO_P_DEPTH_MULTIPLIER] = 1;
  op.params[SOTTO_P_ACT_MIN] = -128;
  op.params[SOTTO_P_ACT_MAX] = 127;
  op.input1 = SOTTO_SMDL_NO_TENSOR;
  return op;
}

// Kernel arguments with no folded bias, scratch or tensor table.
inline KernelArgs make_args(const sotto_smdl_op_t *op, const sotto_smdl_tensor_t *in,
                            const sotto_smdl_tensor_t *in1, const sotto_smdl_tensor_t *out,
                            const int8_t *in_data, const int8_t *in1_data, int8_t *out_data,
                            const int8_t *weights, const int32_t *bias, const int32_t *multiplier,
                            const int32_t *shift) {
  KernelArgs a{};
  a.op = op;
  a.input0 = in;
  a.input1 = in1;
  a.output = out;
  a.input0_data = in_data;
  a.input1_data = in1_data;
  a.output_data = out_data;
  a.weights = weights;
  a.bias = bias;
  a.multiplier = multiplier;
  a.shift = shift;
  return a;
}

}  // namespace sotto_test
