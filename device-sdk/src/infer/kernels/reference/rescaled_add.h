// ADD and SUB, int8 and int16: the reference loop they share (add.cpp and sub.cpp instantiate
// it; op_check.cpp's check_add_or_sub is their loader check). As TFLite's general quantized
// path: both inputs, less their zero points, shifted left and rescaled to a common scale, added
// or subtracted, then requantized to the output, clamped to the fused activation. An input of 1
// or dims[3] elements is broadcast (read at i % its size).
#ifndef SOTTO_INFER_REFERENCE_RESCALED_ADD_H
#define SOTTO_INFER_REFERENCE_RESCALED_ADD_H

#include "fixed_point.h"
#include "kernel_args.h"

namespace sotto_infer {

template <typename T, bool kSubtract>
inline void rescaled_add_elements(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const int left_shift = p[SOTTO_P_ADD_LEFT_SHIFT];
  const T *x1 = reinterpret_cast<const T *>(a.input0_data);
  const T *x2 = reinterpret_cast<const T *>(a.input1_data);
  T *out = reinterpret_cast<T *>(a.output_data);
  const uint32_t n = element_count(*a.output), n1 = element_count(*a.input0),
                 n2 = element_count(*a.input1);
  for (uint32_t i = 0; i < n; ++i) {
    const int32_t v1 = (p[SOTTO_P_ADD_INPUT1_OFFSET] + x1[i % n1]) * (1 << left_shift);
    const int32_t v2 = (p[SOTTO_P_ADD_INPUT2_OFFSET] + x2[i % n2]) * (1 << left_shift);
    const int32_t s1 = multiply_by_quantized_multiplier(v1, p[SOTTO_P_ADD_INPUT1_MULT],
                                                        p[SOTTO_P_ADD_INPUT1_SHIFT]);
    const int32_t s2 = multiply_by_quantized_multiplier(v2, p[SOTTO_P_ADD_INPUT2_MULT],
                                                        p[SOTTO_P_ADD_INPUT2_SHIFT]);
    // TFLite's multipliers keep |s1| + |s2| below 2^31; a hostile blob's wrap stays defined.
    const int32_t raw = kSubtract ? wrapping_sub(s1, s2) : wrapping_add(s1, s2);
    out[i] = static_cast<T>(
        requantize_clamped(raw, p[SOTTO_P_ADD_OUTPUT_MULT], p[SOTTO_P_ADD_OUTPUT_SHIFT],
                           p[SOTTO_P_OUTPUT_OFFSET], p[SOTTO_P_ACT_MIN], p[SOTTO_P_ACT_MAX]));
  }
}

template <bool kSubtract>
inline void rescaled_add(const KernelArgs &a) {
  if (a.output->type == SOTTO_SMDL_INT16) {
    rescaled_add_elements<int16_t, kSubtract>(a);
  } else {
    rescaled_add_elements<int8_t, kSubtract>(a);
  }
}

}  // namespace sotto_infer

#endif
