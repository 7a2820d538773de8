// Reference MUL, int8: (x1 + offset1) * (x2 + offset2) requantized, as TFLite's integer MUL. An
// input of 1 or dims[3] elements is broadcast (read at i % its size).
#include "fixed_point.h"
#include "kernel_args.h"

namespace sotto_infer {

void mul(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const uint32_t n = a.output->bytes, n1 = a.input0->bytes, n2 = a.input1->bytes;
  for (uint32_t i = 0; i < n; ++i) {
    const int32_t v1 = p[SOTTO_P_MUL_INPUT1_OFFSET] + a.input0_data[i % n1];
    const int32_t v2 = p[SOTTO_P_MUL_INPUT2_OFFSET] + a.input1_data[i % n2];
    a.output_data[i] =
        requantize_to_int8(v1 * v2, p[SOTTO_P_MUL_OUTPUT_MULT], p[SOTTO_P_MUL_OUTPUT_SHIFT],
                           p[SOTTO_P_OUTPUT_OFFSET], p[SOTTO_P_ACT_MIN], p[SOTTO_P_ACT_MAX]);
  }
}

}  // namespace sotto_infer
