// Reference QUANTIZE (float32 -> int8, or int8 -> int8 requantization) and DEQUANTIZE
// (int8 -> float32) at the model edges, with TFLite's arithmetic: round(x / scale) + zp in float,
// MultiplyByQuantizedMultiplier(x - zp_in) + zp_out, and (x - zp) * scale rounded once to float.
#include <string.h>

#include "fixed_point.h"
#include "kernel_args.h"

namespace sotto_infer {
namespace {

// std::round(v) + zero_point clamped to int8, without libm.
int8_t quantize_one(float v, int32_t zero_point) {
  return static_cast<int8_t>(clamp_i32(round_half_away(v) + zero_point, -128, 127));
}

}  // namespace

void quantize(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const uint32_t n = a.output->bytes;
  if (p[SOTTO_P_QUANTIZE_FROM_FLOAT]) {
    const float scale = float_from_bits(p[SOTTO_P_QUANTIZE_SCALE_BITS]);
    for (uint32_t i = 0; i < n; ++i) {
      float x;
      memcpy(&x, a.input0_data + 4 * i, 4);
      a.output_data[i] = quantize_one(x / scale, p[SOTTO_P_OUTPUT_OFFSET]);
    }
    return;
  }
  for (uint32_t i = 0; i < n; ++i) {
    a.output_data[i] = requantize_to_int8(a.input0_data[i] - p[SOTTO_P_QUANTIZE_INPUT_ZERO_POINT],
                                          p[SOTTO_P_QUANTIZE_MULT], p[SOTTO_P_QUANTIZE_SHIFT],
                                          p[SOTTO_P_OUTPUT_OFFSET], -128, 127);
  }
}

void dequantize(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const float scale = float_from_bits(p[SOTTO_P_DEQUANTIZE_SCALE_BITS]);
  const uint32_t n = a.input0->bytes;
  for (uint32_t i = 0; i < n; ++i) {
    // float * float is the exact product rounded once, as TFLite's double product cast to float.
    const float v = static_cast<float>(a.input0_data[i] - p[SOTTO_P_DEQUANTIZE_ZERO_POINT]) * scale;
    memcpy(reinterpret_cast<uint8_t *>(a.output_data) + 4 * i, &v, 4);
  }
}

}  // namespace sotto_infer
