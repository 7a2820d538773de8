// What the dispatcher hands a kernel: the op record plus resolved, validated pointers.
#ifndef SOTTO_INFER_KERNEL_ARGS_H
#define SOTTO_INFER_KERNEL_ARGS_H

#include <stdint.h>

#include "smdl_format.h"

namespace sotto_infer {

struct KernelArgs {
  const sotto_smdl_op_t *op;
  const sotto_smdl_tensor_t *input0;
  const sotto_smdl_tensor_t *input1;  // nullptr unless the op has two activation inputs
  const sotto_smdl_tensor_t *output;
  const int8_t *input0_data;
  const int8_t *input1_data;
  int8_t *output_data;
  const int8_t *weights;
  const int32_t *bias;  // nullptr when the op has none
  const int32_t *multiplier;
  const int32_t *shift;
  const int32_t *folded_bias;  // nullptr when the op has none (see smdl_format.h)
  uint8_t *scratch;            // op->scratch_bytes of arena, 4-byte aligned; nullptr when none
  const sotto_smdl_tensor_t *tensors;  // the whole table (CONCATENATION's listed inputs)
  uint8_t *arena;
};

void conv_2d(const KernelArgs &a);
void depthwise_conv_2d(const KernelArgs &a);
void fully_connected(const KernelArgs &a);
void average_pool_2d(const KernelArgs &a);
void max_pool_2d(const KernelArgs &a);
void add(const KernelArgs &a);
void reshape(const KernelArgs &a);
void softmax(const KernelArgs &a);
void mul(const KernelArgs &a);
void logistic(const KernelArgs &a);
void concatenation(const KernelArgs &a);
void pad(const KernelArgs &a);
void mean(const KernelArgs &a);
void quantize(const KernelArgs &a);
void dequantize(const KernelArgs &a);

// The reference versions stay linked as the fallback of optimized variants (shapes they skip).
void conv_2d_reference(const KernelArgs &a);
void fully_connected_reference(const KernelArgs &a);
void depthwise_conv_2d_reference(const KernelArgs &a);
void add_reference(const KernelArgs &a);

}  // namespace sotto_infer

#endif
