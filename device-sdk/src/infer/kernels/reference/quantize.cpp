// QUANTIZE at the model edge (float32 -> int8) or between int8 scales: the loader's check and the
// reference kernel, with TFLite's arithmetic: round(x / scale) + zp in float, or
// MultiplyByQuantizedMultiplier(x - zp_in) + zp_out.
#include <string.h>

#include "fixed_point.h"
#include "kernel_args.h"
#include "op_check.h"

namespace sotto_infer {

sotto_err_t check_quantize(OpCheck &c) {
  const sotto_smdl_tensor_t &in = c.input0, &out = c.output;
  const int32_t *p = c.param();
  if (out.type != SOTTO_SMDL_INT8 ||
      (in.type != SOTTO_SMDL_INT8 && in.type != SOTTO_SMDL_FLOAT32)) {
    return c.fail(SOTTO_ERR_MODEL_BAD_TENSOR, "types: expected int8 or float32 in, int8 out");
  }
  if (p[SOTTO_P_QUANTIZE_FROM_FLOAT] != 0) {
    if (in.type != SOTTO_SMDL_FLOAT32 || in.bytes != 4 * static_cast<uint64_t>(out.bytes)) {
      return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                    "from float: expected a float32 input of the output's element count");
    }
  } else if (in.type != SOTTO_SMDL_INT8 || in.bytes != out.bytes ||
             !zero_point_ok(p[SOTTO_P_QUANTIZE_INPUT_ZERO_POINT]) || p[SOTTO_P_QUANTIZE_MULT] < 0 ||
             !shift_ok(p[SOTTO_P_QUANTIZE_SHIFT])) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP,
                  "requantize: expected an int8 input of the output's size, int8 zero point, "
                  "multiplier >= 0 and shift -31..30");
  }
  if (!zero_point_ok(p[SOTTO_P_OUTPUT_OFFSET])) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP, "output zero point: expected int8");
  }
  return SOTTO_OK;
}

namespace {

// std::round(v) + zero_point clamped to int8, without libm.
int8_t quantize_one(float v, int32_t zero_point) {
  return static_cast<int8_t>(clamp_i32(round_half_away(v) + zero_point, -128, 127));
}

}  // namespace

void reference::quantize(const KernelArgs &a) {
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

}  // namespace sotto_infer
