// What the dispatcher hands a kernel: the op record plus resolved, validated pointers.
#ifndef SOTTO_INFER_KERNEL_ARGS_H
#define SOTTO_INFER_KERNEL_ARGS_H

#include <stddef.h>
#include <stdint.h>

#include "smdl_format.h"

namespace sotto_infer {

// Elements of a tensor the loader accepted (its type has a size, bytes are a multiple of it).
inline uint32_t element_count(const sotto_smdl_tensor_t &t) {
  return t.bytes / sotto_smdl_type_bytes(t.type);
}

// Output channel c's int64 bias of a 16x8 op (two int32 words, low first: smdl_format.h).
inline int64_t bias_64(const int32_t *bias, int32_t c) {
  const int32_t *words = bias + static_cast<ptrdiff_t>(c) * 2;
  const uint64_t low = static_cast<uint32_t>(words[0]);
  const uint64_t high = static_cast<uint32_t>(words[1]);
  return static_cast<int64_t>(high << 32 | low);
}

struct KernelArgs {
  const sotto_smdl_op_t *op;
  const sotto_smdl_tensor_t *input0;
  const sotto_smdl_tensor_t *input1;  // nullptr unless the op record names a second input
  const sotto_smdl_tensor_t *output;
  // Element data; int8_t* whatever the type: kernels of other types cast (the loader checked
  // every tensor's alignment for its element size).
  const int8_t *input0_data;
  const int8_t *input1_data;
  int8_t *output_data;
  const int8_t *weights;
  const int32_t *bias;  // nullptr when the op has none; int64 pairs for 16x8 ops (bias_64)
  const int32_t *multiplier;
  const int32_t *shift;
  const int32_t *folded_bias;  // nullptr when the op has none (see smdl_format.h)
  uint8_t *scratch;            // op->scratch_bytes of arena, 4-byte aligned; nullptr when none
  const sotto_smdl_tensor_t *tensors;  // the whole table (CONCATENATION's listed inputs)
  uint8_t *arena;
};

// Every op's reference kernel (kernels/reference/<stem>.cpp, namespace reference): the oracle,
// and the fallback of optimized variants for shapes they do not cover.
namespace reference {
#define SOTTO_DECLARE_REFERENCE_KERNEL(NAME, KIND, TFLITE_BUILTIN, STEM) \
  void STEM(const KernelArgs &a);
SOTTO_OP_TABLE(SOTTO_DECLARE_REFERENCE_KERNEL)
#undef SOTTO_DECLARE_REFERENCE_KERNEL
}  // namespace reference

}  // namespace sotto_infer

#endif
