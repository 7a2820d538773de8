// gemmlowp-style fixed-point exp and reciprocal with TFLite's exact rounding, shared by the
// int8 SOFTMAX and LOGISTIC kernels. Raw int32 values; comments give the Q format (integer bits).
#ifndef SOTTO_INFER_FIXED_POINT_EXP_H
#define SOTTO_INFER_FIXED_POINT_EXP_H

#include <stdint.h>

#include "fixed_point.h"

namespace sotto_infer {
namespace fixed_point_exp {

inline int32_t mul(int32_t a, int32_t b) {
  return sat_rounding_doubling_high_mul(a, b);
}

// Saturating x * 2^exponent for exponent > 0, rounding divide for exponent < 0.
inline int32_t mul_by_pot(int32_t x, int exponent) {
  if (exponent < 0) return rounding_divide_by_pot(x, -exponent);
  if (exponent == 0) return x;
  const int32_t threshold = static_cast<int32_t>((int64_t{1} << (31 - exponent)) - 1);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return static_cast<int32_t>(static_cast<uint32_t>(x) << exponent);
}

// exp(a) for a in [-1/4, 0), Q0 in and out.
inline int32_t exp_quarter(int32_t a) {
  const int32_t constant_term = 1895147668;
  const int32_t one_third = 715827883;
  const int32_t x = wrapping_add(a, 1 << 28);
  const int32_t x2 = mul(x, x);
  const int32_t x3 = mul(x2, x);
  const int32_t x4 = mul(x2, x2);
  const int32_t x4_over_4 = mul_by_pot(x4, -2);
  const int32_t poly =
      mul_by_pot(wrapping_add(mul(wrapping_add(x4_over_4, x3), one_third), x2), -1);
  return wrapping_add(constant_term, mul(constant_term, wrapping_add(x, poly)));
}

// exp(a) for a <= 0 given with kIntegerBits integer bits; result Q0.
template <int kIntegerBits>
inline int32_t exp_negative(int32_t a) {
  const int kFractionalBits = 31 - kIntegerBits;
  const int32_t one_quarter = 1 << (kFractionalBits - 2);
  const int32_t mask = one_quarter - 1;
  const int32_t a_mod_quarter_minus_quarter = wrapping_sub(a & mask, one_quarter);
  int32_t result = exp_quarter(mul_by_pot(a_mod_quarter_minus_quarter, kIntegerBits));
  const int32_t remainder = wrapping_sub(a_mod_quarter_minus_quarter, a);
  static const int32_t kBarrel[7] = {1672461947, 1302514674, 790015084, 290630308,
                                     39332535,   720401,     242};
  for (int e = -2; e <= 4; ++e) {
    if (kIntegerBits > e && (remainder & (1 << (kFractionalBits + e))) != 0) {
      result = mul(result, kBarrel[e + 2]);
    }
  }
  if (kIntegerBits > 5) {  // beyond the barrel: exp(-32) and below round to 0
    const int32_t clamp = -(1 << (kFractionalBits + 5));
    if (a < clamp) result = 0;
  }
  if (a == 0) result = INT32_MAX;
  return result;
}

// 1 / (1 + x) for x in [0, 1), Q0 in and out.
inline int32_t one_over_one_plus_x(int32_t a) {
  const int64_t sum = static_cast<int64_t>(a) + INT32_MAX;
  const int32_t half_denominator = static_cast<int32_t>((sum + (sum >= 0 ? 1 : -1)) / 2);
  const int32_t c48_17 = 1515870810;                                 // Q2
  const int32_t cm32_17 = -1010580540;                               // Q2
  int32_t x = wrapping_add(c48_17, mul(half_denominator, cm32_17));  // Q2
  const int32_t one_q2 = 1 << 29;
  for (int i = 0; i < 3; ++i) {
    const int32_t hd_x = mul(half_denominator, x);          // Q2
    const int32_t one_minus = wrapping_sub(one_q2, hd_x);   // Q2
    x = wrapping_add(x, mul_by_pot(mul(x, one_minus), 2));  // Q4 -> Q2
  }
  return mul_by_pot(x, 1);  // x/2 in Q1 has x's raw bits; Q1 -> Q0
}

}  // namespace fixed_point_exp
}  // namespace sotto_infer

#endif
