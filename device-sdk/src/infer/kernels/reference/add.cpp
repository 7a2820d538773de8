// ADD, int8: the loader's check and the reference kernel, which rescales both inputs to a common
// scale, adds and requantizes. An input of 1 or dims[3] elements is broadcast (read at i % its
// size).
#include "fixed_point.h"
#include "kernel_args.h"
#include "op_check.h"

namespace sotto_infer {

sotto_err_t check_add(OpCheck &c) {
  sotto_err_t err = check_int8_activations(c);
  if (err == SOTTO_OK) err = check_two_broadcast_inputs(c);
  if (err != SOTTO_OK) return err;
  const int32_t *p = c.param();
  if (p[SOTTO_P_ADD_LEFT_SHIFT] < 0 || p[SOTTO_P_ADD_LEFT_SHIFT] > 20) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP, "left shift: expected 0..20");
  }
  // Input multipliers scale down (|s1 + s2| < 2^30); the output one may scale up.
  if (!shift_ok(p[SOTTO_P_ADD_INPUT1_SHIFT]) || p[SOTTO_P_ADD_INPUT1_SHIFT] > 0 ||
      !shift_ok(p[SOTTO_P_ADD_INPUT2_SHIFT]) || p[SOTTO_P_ADD_INPUT2_SHIFT] > 0 ||
      p[SOTTO_P_ADD_INPUT1_MULT] < 0 || p[SOTTO_P_ADD_INPUT2_MULT] < 0 ||
      p[SOTTO_P_ADD_OUTPUT_MULT] < 0 || !shift_ok(p[SOTTO_P_ADD_OUTPUT_SHIFT])) {
    return c.fail(
        SOTTO_ERR_MODEL_BAD_OP,
        "rescaling: expected multipliers >= 0, input shifts -31..0, output shift -31..30");
  }
  if (!offset_ok(p[SOTTO_P_ADD_INPUT1_OFFSET]) || !offset_ok(p[SOTTO_P_ADD_INPUT2_OFFSET]) ||
      !zero_point_ok(p[SOTTO_P_OUTPUT_OFFSET])) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP, "offsets: expected inputs -127..128, output int8");
  }
  return SOTTO_OK;
}

void reference::add(const KernelArgs &a) {
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

}  // namespace sotto_infer
