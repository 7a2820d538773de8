// ADD for Cortex-M4: the reference's arithmetic with the short requantization path (three per
// element) for same-shape inputs; broadcasts run the reference.
#include "cortex-m4/dsp.h"
#include "fixed_point.h"
#include "kernel_args.h"

namespace sotto_infer {

namespace cortex_m4 {

void add(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const int left_shift = p[SOTTO_P_ADD_LEFT_SHIFT];
  const int32_t offset1 = p[SOTTO_P_ADD_INPUT1_OFFSET], offset2 = p[SOTTO_P_ADD_INPUT2_OFFSET];
  const int32_t mult1 = p[SOTTO_P_ADD_INPUT1_MULT], shift1 = p[SOTTO_P_ADD_INPUT1_SHIFT];
  const int32_t mult2 = p[SOTTO_P_ADD_INPUT2_MULT], shift2 = p[SOTTO_P_ADD_INPUT2_SHIFT];
  const int32_t mult_out = p[SOTTO_P_ADD_OUTPUT_MULT], shift_out = p[SOTTO_P_ADD_OUTPUT_SHIFT];
  const int32_t output_offset = p[SOTTO_P_OUTPUT_OFFSET];
  const int32_t act_min = p[SOTTO_P_ACT_MIN], act_max = p[SOTTO_P_ACT_MAX];
  const uint32_t n = a.output->bytes;
  if (a.input0->bytes != n || a.input1->bytes != n) {  // broadcasting: rare, reference
    reference::add(a);
    return;
  }
  for (uint32_t i = 0; i < n; ++i) {
    const int32_t v1 = (offset1 + a.input0_data[i]) * (1 << left_shift);
    const int32_t v2 = (offset2 + a.input1_data[i]) * (1 << left_shift);
    const int32_t sum = requantize_fast(v1, mult1, shift1) + requantize_fast(v2, mult2, shift2);
    a.output_data[i] =
        requantize_to_int8_fast(sum, mult_out, shift_out, output_offset, act_min, act_max);
  }
}

}  // namespace cortex_m4
}  // namespace sotto_infer
