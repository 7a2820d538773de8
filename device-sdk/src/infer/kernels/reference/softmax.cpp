// SOFTMAX int8 -> int8 (scale 1/256, zero point -128) or int8 -> int16 (scale 1/65536, zero
// point -32768): the loader's check and the reference kernel, in fixed point as TFLite's integer
// softmax: exp via a barrel of constants, 1/sum via Newton-Raphson; the output type only changes
// the last rounding shift and the offset.
#include "fixed_point.h"
#include "kernel_args.h"
#include "op_check.h"
#include "reference/fixed_point_exp.h"

namespace sotto_infer {

sotto_err_t check_softmax(OpCheck &c) {
  if (c.input0.type != SOTTO_SMDL_INT8 ||
      (c.output.type != SOTTO_SMDL_INT8 && c.output.type != SOTTO_SMDL_INT16)) {
    return c.fail(SOTTO_ERR_MODEL_BAD_TENSOR, "types: expected int8 input, int8 or int16 output");
  }
  if (element_count(c.input0) != element_count(c.output) || c.input0.dims[3] != c.output.dims[3]) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH, "shapes: expected input and output equal");
  }
  const int32_t *p = c.param();
  // diff * 2^shift must fit int32 for every diff the kernel rescales (diff_min..0).
  const int32_t diff_min = p[SOTTO_P_SOFTMAX_DIFF_MIN] < -255 ? -255 : p[SOTTO_P_SOFTMAX_DIFF_MIN];
  if (p[SOTTO_P_SOFTMAX_BETA_MULT] < 0 || p[SOTTO_P_SOFTMAX_BETA_LEFT_SHIFT] < 0 ||
      p[SOTTO_P_SOFTMAX_BETA_LEFT_SHIFT] > 30 || p[SOTTO_P_SOFTMAX_DIFF_MIN] > 0 ||
      static_cast<int64_t>(diff_min) * (int64_t{1} << p[SOTTO_P_SOFTMAX_BETA_LEFT_SHIFT]) <
          INT32_MIN) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP,
                  "beta: expected multiplier >= 0, left shift 0..30, diff_min <= 0 and "
                  "diff_min * 2^shift within int32");
  }
  return SOTTO_OK;
}

namespace {

using fixed_point_exp::exp_negative;
using fixed_point_exp::mul;
using fixed_point_exp::mul_by_pot;
using fixed_point_exp::one_over_one_plus_x;

int count_leading_zeros(uint32_t x) {
  if (x == 0) return 32;
  int n = 0;
  while ((x & 0x80000000u) == 0) {
    x <<= 1;
    ++n;
  }
  return n;
}

// The rows of `a` into outputs of type Out (int8 or int16), whose zero point is its minimum.
template <typename Out>
void softmax_rows(const KernelArgs &a, int32_t out_min, int32_t out_max) {
  using fixed_point_exp::mul;  // not the MUL kernel, which namespace reference also declares
  const int32_t *p = a.op->params;
  const int32_t beta_mult = p[SOTTO_P_SOFTMAX_BETA_MULT];
  const int beta_shift = p[SOTTO_P_SOFTMAX_BETA_LEFT_SHIFT];
  const int32_t diff_min = p[SOTTO_P_SOFTMAX_DIFF_MIN];
  const int32_t depth = a.input0->dims[3];
  const int32_t rows = static_cast<int32_t>(a.input0->bytes) / depth;
  for (int32_t r = 0; r < rows; ++r) {
    const int8_t *in = a.input0_data + r * depth;
    Out *out = reinterpret_cast<Out *>(a.output_data) + r * depth;
    int32_t max_v = -128;
    for (int32_t c = 0; c < depth; ++c) max_v = in[c] > max_v ? in[c] : max_v;
    int32_t sum_q12 = 0;
    for (int32_t c = 0; c < depth; ++c) {
      const int32_t diff = in[c] - max_v;
      if (diff >= diff_min) {
        const int32_t scaled = mul(diff * (1 << beta_shift), beta_mult);
        sum_q12 = wrapping_add(sum_q12, mul_by_pot(exp_negative<5>(scaled), -12));
      }
    }
    const int headroom_plus_one = count_leading_zeros(static_cast<uint32_t>(sum_q12));
    const int num_bits_over_unit = 12 - headroom_plus_one;
    const int32_t shifted_sum_minus_one = static_cast<int32_t>(
        (static_cast<uint32_t>(sum_q12) << headroom_plus_one) - (uint32_t{1} << 31));
    const int32_t reciprocal = one_over_one_plus_x(shifted_sum_minus_one);
    for (int32_t c = 0; c < depth; ++c) {
      const int32_t diff = in[c] - max_v;
      int32_t v = out_min;
      if (diff >= diff_min) {
        const int32_t scaled = mul(diff * (1 << beta_shift), beta_mult);
        const int32_t e = exp_negative<5>(scaled);
        int exponent = num_bits_over_unit + 31 - static_cast<int>(8 * sizeof(Out));
        if (exponent > 31) exponent = 31;  // only for rows too long to be meaningful; avoids UB
        const int32_t unsat = rounding_divide_by_pot(mul(reciprocal, e), exponent);
        v = clamp_i32(unsat + out_min, out_min, out_max);
      }
      out[c] = static_cast<Out>(v);
    }
  }
}

}  // namespace

void reference::softmax(const KernelArgs &a) {
  if (a.output->type == SOTTO_SMDL_INT16) {
    softmax_rows<int16_t>(a, -32768, 32767);
  } else {
    softmax_rows<int8_t>(a, -128, 127);
  }
}

}  // namespace sotto_infer
