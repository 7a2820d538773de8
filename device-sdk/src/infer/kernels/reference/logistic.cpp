// LOGISTIC int8 -> int8 (output scale 1/256, zero point -128): the loader's check and the
// reference kernel, as TFLite's integer kernel: the input rescaled to Q4.27, gemmlowp's
// fixed-point logistic, Q0.31 -> Q8 rounding.
#include "fixed_point.h"
#include "kernel_args.h"
#include "op_check.h"
#include "reference/fixed_point_exp.h"

namespace sotto_infer {

sotto_err_t check_logistic(OpCheck &c) {
  const sotto_err_t err = check_int8_activations(c);
  if (err != SOTTO_OK) return err;
  if (c.input0.bytes != c.output.bytes) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH, "sizes: expected input and output equal");
  }
  const int32_t *p = c.param();
  if (!zero_point_ok(p[SOTTO_P_LOGISTIC_INPUT_ZERO_POINT]) || p[SOTTO_P_LOGISTIC_INPUT_MULT] < 0 ||
      !shift_ok(p[SOTTO_P_LOGISTIC_INPUT_LEFT_SHIFT]) || p[SOTTO_P_LOGISTIC_RANGE_RADIUS] < 0) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP,
                  "input rescaling: expected int8 zero point, multiplier >= 0, shift -31..30 "
                  "and radius >= 0");
  }
  return SOTTO_OK;
}
namespace {

// logistic(a) for a in Q4.27; result Q0.31.
int32_t logistic_q4(int32_t a) {
  using namespace fixed_point_exp;
  if (a == 0) return 1 << 30;
  const int32_t magnitude = a > 0 ? a : static_cast<int32_t>(0u - static_cast<uint32_t>(a));
  const int32_t negated = static_cast<int32_t>(0u - static_cast<uint32_t>(magnitude));
  const int32_t positive = one_over_one_plus_x(exp_negative<4>(negated));
  return a > 0 ? positive : wrapping_sub(INT32_MAX, positive);
}

}  // namespace

void reference::logistic(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const int32_t zero_point = p[SOTTO_P_LOGISTIC_INPUT_ZERO_POINT];
  const int32_t radius = p[SOTTO_P_LOGISTIC_RANGE_RADIUS];
  for (uint32_t i = 0; i < a.output->bytes; ++i) {
    const int32_t x = a.input0_data[i] - zero_point;
    int32_t v;
    if (x <= -radius) {
      v = -128;
    } else if (x >= radius) {
      v = 127;
    } else {
      const int32_t q4 = multiply_by_quantized_multiplier(x, p[SOTTO_P_LOGISTIC_INPUT_MULT],
                                                          p[SOTTO_P_LOGISTIC_INPUT_LEFT_SHIFT]);
      v = clamp_i32(rounding_divide_by_pot(logistic_q4(q4), 23) - 128, -128, 127);
    }
    a.output_data[i] = static_cast<int8_t>(v);
  }
}

}  // namespace sotto_infer
