// Reference FULLY_CONNECTED, int8: weights [out][in], one multiplier (per-tensor) or per row.
#include "fixed_point.h"
#include "kernel_args.h"

namespace sotto_infer {

void fully_connected_reference(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const int32_t out_n = a.output->dims[3];
  const int32_t rows = static_cast<int32_t>(a.output->bytes) / out_n;
  const int32_t in_n = static_cast<int32_t>(a.input0->bytes) / rows;
  const int32_t input_offset = p[SOTTO_P_INPUT_OFFSET], filter_offset = p[SOTTO_P_FILTER_OFFSET];
  const bool per_channel = a.op->multiplier_count > 1;
  for (int32_t r = 0; r < rows; ++r) {
    const int8_t *in = a.input0_data + r * in_n;
    for (int32_t o = 0; o < out_n; ++o) {
      const int8_t *w = a.weights + o * in_n;
      int32_t acc = 0;
      for (int32_t i = 0; i < in_n; ++i) acc += (w[i] + filter_offset) * (in[i] + input_offset);
      if (a.bias) acc = wrapping_add(acc, a.bias[o]);
      const int32_t c = per_channel ? o : 0;
      a.output_data[r * out_n + o] =
          requantize_to_int8(acc, a.multiplier[c], a.shift[c], p[SOTTO_P_OUTPUT_OFFSET],
                             p[SOTTO_P_ACT_MIN], p[SOTTO_P_ACT_MAX]);
    }
  }
}

#ifndef SOTTO_INFER_OPTIMIZED_FULLY_CONNECTED
void fully_connected(const KernelArgs &a) {
  fully_connected_reference(a);
}
#endif

}  // namespace sotto_infer
