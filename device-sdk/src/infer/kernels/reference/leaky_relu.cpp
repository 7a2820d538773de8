// LEAKY_RELU, int8 and int16: the loader's check and the reference kernel. As TFLite's quantized
// kernel: the input less its zero point is rescaled to the output by one multiplier where it is
// non-negative (input scale / output scale) and by another where it is negative (that times
// alpha), then the output zero point is added and the result saturated to the type.
#include "fixed_point.h"
#include "kernel_args.h"
#include "op_check.h"

namespace sotto_infer {

sotto_err_t check_leaky_relu(OpCheck &c) {
  const sotto_err_t err = check_int8_or_int16_activations(c);
  if (err != SOTTO_OK) return err;
  if (c.input0.bytes != c.output.bytes) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH, "elements: expected input and output equal");
  }
  const int32_t *p = c.param();
  if (p[SOTTO_P_LEAKY_RELU_IDENTITY_MULT] < 0 || !shift_ok(p[SOTTO_P_LEAKY_RELU_IDENTITY_SHIFT]) ||
      p[SOTTO_P_LEAKY_RELU_ALPHA_MULT] < 0 || !shift_ok(p[SOTTO_P_LEAKY_RELU_ALPHA_SHIFT])) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP,
                  "rescaling: expected multipliers >= 0 and shifts -31..30");
  }
  const bool int16 = c.output.type == SOTTO_SMDL_INT16;
  const int32_t in_zp = p[SOTTO_P_LEAKY_RELU_INPUT_ZERO_POINT], out_zp = p[SOTTO_P_OUTPUT_OFFSET];
  if (int16 ? !int16_zero_point_ok(in_zp) || !int16_zero_point_ok(out_zp)
            : !zero_point_ok(in_zp) || !zero_point_ok(out_zp)) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP, "zero points: expected within the activations' type");
  }
  return SOTTO_OK;
}

namespace {

template <typename T>
void leaky_relu_elements(const KernelArgs &a, int32_t type_min, int32_t type_max) {
  const int32_t *p = a.op->params;
  const T *in = reinterpret_cast<const T *>(a.input0_data);
  T *out = reinterpret_cast<T *>(a.output_data);
  const uint32_t n = element_count(*a.output);
  for (uint32_t i = 0; i < n; ++i) {
    const int32_t x = in[i] - p[SOTTO_P_LEAKY_RELU_INPUT_ZERO_POINT];
    const bool negative = x < 0;
    out[i] = static_cast<T>(requantize_clamped(
        x, p[negative ? SOTTO_P_LEAKY_RELU_ALPHA_MULT : SOTTO_P_LEAKY_RELU_IDENTITY_MULT],
        p[negative ? SOTTO_P_LEAKY_RELU_ALPHA_SHIFT : SOTTO_P_LEAKY_RELU_IDENTITY_SHIFT],
        p[SOTTO_P_OUTPUT_OFFSET], type_min, type_max));
  }
}

}  // namespace

void reference::leaky_relu(const KernelArgs &a) {
  if (a.output->type == SOTTO_SMDL_INT16) {
    leaky_relu_elements<int16_t>(a, -32768, 32767);
  } else {
    leaky_relu_elements<int8_t>(a, -128, 127);
  }
}

}  // namespace sotto_infer
