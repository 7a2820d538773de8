// Reference ADD, int8: rescale both inputs to a common scale, add, requantize. An input of 1 or
// dims[3] elements is broadcast (read at i % its size).
#include "fixed_point.h"
#include "kernel_args.h"

namespace sotto_infer {

void add_reference(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const int left_shift = p[SOTTO_P_ADD_LEFT_SHIFT];
  const uint32_t n = a.output->bytes, n1 = a.input0->bytes, n2 = a.input1->bytes;
  for (uint32_t i = 0; i < n; ++i) {
    const int32_t v1 = (p[SOTTO_P_ADD_INPUT1_OFFSET] + a.input0_data[i % n1]) * (1 << left_shift);
    const int32_t v2 = (p[SOTTO_P_ADD_INPUT2_OFFSET] + a.input1_data[i % n2]) * (1 << left_shift);
    const int32_t s1 = multiply_by_quantized_multiplier(v1, p[SOTTO_P_ADD_INPUT1_MULT],
                                                        p[SOTTO_P_ADD_INPUT1_SHIFT]);
    const int32_t s2 = multiply_by_quantized_multiplier(v2, p[SOTTO_P_ADD_INPUT2_MULT],
                                                        p[SOTTO_P_ADD_INPUT2_SHIFT]);
    a.output_data[i] =
        requantize_to_int8(s1 + s2, p[SOTTO_P_ADD_OUTPUT_MULT], p[SOTTO_P_ADD_OUTPUT_SHIFT],
                           p[SOTTO_P_OUTPUT_OFFSET], p[SOTTO_P_ACT_MIN], p[SOTTO_P_ACT_MAX]);
  }
}

#ifndef SOTTO_INFER_OPTIMIZED_ADD
void add(const KernelArgs &a) {
  add_reference(a);
}
#endif

}  // namespace sotto_infer
