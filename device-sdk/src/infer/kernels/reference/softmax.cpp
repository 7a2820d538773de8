// Reference SOFTMAX int8 -> int8 (scale 1/256, zero point -128) in fixed point, matching
// TFLite's integer softmax: exp via a barrel of constants, 1/sum via Newton-Raphson.
#include "fixed_point.h"
#include "kernel_args.h"
#include "reference/fixed_point_exp.h"

namespace sotto_infer {
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

}  // namespace

void softmax(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const int32_t beta_mult = p[SOTTO_P_SOFTMAX_BETA_MULT];
  const int beta_shift = p[SOTTO_P_SOFTMAX_BETA_LEFT_SHIFT];
  const int32_t diff_min = p[SOTTO_P_SOFTMAX_DIFF_MIN];
  const int32_t depth = a.input0->dims[3];
  const int32_t rows = static_cast<int32_t>(a.input0->bytes) / depth;
  for (int32_t r = 0; r < rows; ++r) {
    const int8_t *in = a.input0_data + r * depth;
    int8_t *out = a.output_data + r * depth;
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
      int32_t v = -128;
      if (diff >= diff_min) {
        const int32_t scaled = mul(diff * (1 << beta_shift), beta_mult);
        const int32_t e = exp_negative<5>(scaled);
        int exponent = num_bits_over_unit + 31 - 8;
        if (exponent > 31) exponent = 31;  // only for rows too long to be meaningful; avoids UB
        const int32_t unsat = rounding_divide_by_pot(mul(reciprocal, e), exponent);
        v = clamp_i32(unsat - 128, -128, 127);
      }
      out[c] = static_cast<int8_t>(v);
    }
  }
}

}  // namespace sotto_infer
