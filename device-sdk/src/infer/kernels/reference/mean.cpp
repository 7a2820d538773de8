// Reference MEAN over H and W of an NHWC int8 tensor, as TFLM: with equal input and output
// quantization the int32 sum divided by the count (truncating); otherwise in float,
// round(sum / count * (in_scale / out_scale) - in_zp * that scale) + out_zp, clamped.
#include <string.h>

#include "fixed_point.h"
#include "kernel_args.h"

namespace sotto_infer {

void mean(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const int32_t batches = a.input0->dims[0], h = a.input0->dims[1], w = a.input0->dims[2];
  const int32_t ch = a.input0->dims[3];
  const int32_t count = h * w;
  const float scale = float_from_bits(p[SOTTO_P_MEAN_SCALE_BITS]);
  const float bias = float_from_bits(p[SOTTO_P_MEAN_BIAS_BITS]);
  for (int32_t b = 0; b < batches; ++b) {
    for (int32_t c = 0; c < ch; ++c) {
      int32_t sum = 0;
      for (int32_t i = 0; i < count; ++i) sum += a.input0_data[(b * count + i) * ch + c];
      int32_t v;
      if (p[SOTTO_P_MEAN_SAME_QUANTIZATION]) {
        v = sum / count;
      } else {
        const float mean_value = static_cast<float>(sum) / static_cast<float>(count);
        v = clamp_i32(round_half_away(mean_value * scale + bias) + p[SOTTO_P_OUTPUT_OFFSET], -128,
                      127);
      }
      a.output_data[b * ch + c] = static_cast<int8_t>(v);
    }
  }
}

}  // namespace sotto_infer
