// Reference PAD, int8: the input placed inside the output, every added element the output zero
// point (TFLite's PAD of a quantized tensor; PADV2 only when its constant is that zero point).
#include <string.h>

#include "kernel_args.h"

namespace sotto_infer {

void pad(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const int32_t *in_d = a.input0->dims, *out_d = a.output->dims;
  memset(a.output_data, p[SOTTO_P_OUTPUT_OFFSET], a.output->bytes);
  const int32_t row = in_d[3];
  for (int32_t i0 = 0; i0 < in_d[0]; ++i0) {
    for (int32_t i1 = 0; i1 < in_d[1]; ++i1) {
      for (int32_t i2 = 0; i2 < in_d[2]; ++i2) {
        const int32_t o0 = i0 + p[SOTTO_P_PAD_BEFORE], o1 = i1 + p[SOTTO_P_PAD_BEFORE + 1];
        const int32_t o2 = i2 + p[SOTTO_P_PAD_BEFORE + 2], o3 = p[SOTTO_P_PAD_BEFORE + 3];
        const int32_t out_at = ((o0 * out_d[1] + o1) * out_d[2] + o2) * out_d[3] + o3;
        const int32_t in_at = ((i0 * in_d[1] + i1) * in_d[2] + i2) * row;
        // memmove: a hostile blob may plan input and output over the same bytes; the result is
        // then meaningless but stays defined.
        memmove(a.output_data + out_at, a.input0_data + in_at, static_cast<size_t>(row));
      }
    }
  }
}

}  // namespace sotto_infer
