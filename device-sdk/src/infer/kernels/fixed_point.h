// Integer fixed-point arithmetic with TFLite's exact rounding (shared by every kernel variant).
#ifndef SOTTO_INFER_FIXED_POINT_H
#define SOTTO_INFER_FIXED_POINT_H

#include <stdint.h>
#include <string.h>

namespace sotto_infer {

// round(a * b / 2^31), saturating the single overflow case (INT32_MIN * INT32_MIN).
static inline int32_t sat_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == b && a == INT32_MIN) return INT32_MAX;
  const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
}

// x / 2^exponent rounded to nearest, ties away from zero (exponent in 0..31).
static inline int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// x * multiplier * 2^shift with TFLite's rounding; shift in -31..30 (checked by the loader).
static inline int32_t multiply_by_quantized_multiplier(int32_t x, int32_t multiplier,
                                                       int32_t shift) {
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  const int32_t shifted = static_cast<int32_t>(static_cast<uint32_t>(x) << left_shift);
  return rounding_divide_by_pot(sat_rounding_doubling_high_mul(shifted, multiplier), right_shift);
}

// TFLite's 64-bit variant, which 16x8 kernels (int16 activations, int64 accumulators) use: the
// multiplier rounded to its top 15 bits, one rounding (ties toward +infinity) of
// x * that / 2^(15 - shift). Callers keep |x| < 2^47 and shift in -31..7 (TFLite's range: the
// loader checks both); a result beyond int32 (a hostile multiplier) saturates.
static inline int32_t multiply_by_quantized_multiplier_64(int64_t x, int32_t multiplier,
                                                          int32_t shift) {
  const int64_t reduced = multiplier < 0x7FFF0000 ? (multiplier + (1 << 15)) >> 16 : 0x7FFF;
  const int total_shift = 15 - shift;
  const int64_t result = (x * reduced + (int64_t{1} << (total_shift - 1))) >> total_shift;
  if (result > INT32_MAX) return INT32_MAX;
  return result < INT32_MIN ? INT32_MIN : static_cast<int32_t>(result);
}

static inline int32_t clamp_i32(int32_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

// Two's-complement addition and subtraction: a hostile bias must not be undefined behaviour (the
// device wraps).
static inline int32_t wrapping_add(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}
static inline int32_t wrapping_sub(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
}

// std::round (half away from zero) without libm. Callers clamp to int8, so magnitudes beyond
// +-1000 (and NaN, as -1000) stop there.
static inline int32_t round_half_away(float v) {
  if (!(v > -1000.0f)) return -1000;  // also NaN
  if (v > 1000.0f) return 1000;
  const int32_t t = static_cast<int32_t>(v);  // truncates toward zero
  const float rest = v - static_cast<float>(t);
  return rest >= 0.5f ? t + 1 : (rest <= -0.5f ? t - 1 : t);
}

// The output stage every MAC kernel shares: scale, add the output zero point, clamp to the fused
// activation. Clamping to +-512 first changes no result (offset and bounds are int8) but keeps
// the addition in range for any multiplier a blob may carry.
static inline int8_t requantize_to_int8(int32_t acc, int32_t multiplier, int32_t shift,
                                        int32_t output_offset, int32_t act_min, int32_t act_max) {
  const int32_t scaled =
      clamp_i32(multiply_by_quantized_multiplier(acc, multiplier, shift), -512, 512);
  return static_cast<int8_t>(clamp_i32(scaled + output_offset, act_min, act_max));
}

// The same output stage for int8 and int16 outputs: the clamp to +-65536 before the offset
// (at most an int16 zero point) changes no in-range result and keeps the addition defined.
static inline int32_t requantize_clamped(int32_t acc, int32_t multiplier, int32_t shift,
                                         int32_t output_offset, int32_t act_min, int32_t act_max) {
  const int32_t scaled =
      clamp_i32(multiply_by_quantized_multiplier(acc, multiplier, shift), -65536, 65536);
  return clamp_i32(scaled + output_offset, act_min, act_max);
}

// Float parameters (MEAN, QUANTIZE scales) travel in the blob's int32 slots as their bit pattern.
static inline float float_from_bits(int32_t bits) {
  float f;
  memcpy(&f, &bits, 4);
  return f;
}

}  // namespace sotto_infer

#endif
