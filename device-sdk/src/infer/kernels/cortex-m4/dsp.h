// Cortex-M4 DSP helpers: byte-pair extension (SXTB16/SXTAB16), dual 16-bit MACs (SMLAD) and a
// short requantization path that is bit-exact with fixed_point.h for the multipliers the loader
// admits (non-negative).
#ifndef SOTTO_INFER_CORTEX_M4_DSP_H
#define SOTTO_INFER_CORTEX_M4_DSP_H

#include <arm_acle.h>
#include <stdint.h>
#include <string.h>

#include "fixed_point.h"

namespace sotto_infer {

static inline uint32_t load_u32(const void *p) {
  uint32_t v;
  memcpy(&v, p, 4);  // one LDR: the M4 allows unaligned word loads
  return v;
}

static inline void store_u32(void *p, uint32_t v) {
  memcpy(p, &v, 4);
}

// Bytes 1 and 3 of x, sign-extended to two halfwords (SXTB16 with its free ROR #8).
static inline uint32_t sxtb16_ror8(uint32_t x) {
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}

// Halfwords of a plus bytes 1 and 3 of x, sign-extended.
static inline uint32_t sxtab16_ror8(uint32_t a, uint32_t x) {
  uint32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(x));
  return r;
}

// Two words from a 4-byte aligned pointer with one LDRD, advancing it (GCC emits two LDRs).
static inline void load_pair(const uint32_t *&p, uint32_t *lo, uint32_t *hi) {
  __asm__("ldrd %0, %1, [%2], #8" : "=r"(*lo), "=r"(*hi), "+r"(p) : :);
}

// Both halfwords set to v (an input offset for SXTAB16).
static inline uint32_t pair_of(int32_t v) {
  return (static_cast<uint32_t>(v) & 0xFFFFu) * 0x10001u;
}

// x * multiplier * 2^shift with TFLite's rounding, as multiply_by_quantized_multiplier, for
// multiplier >= 0. TFLite rounds twice: h = floor((x * m + 2^30) / 2^31) (its doubling high
// multiply, in truncating form for negative products, which is the same value), then h / 2^r
// half away from zero = floor((h + 2^(r-1) - [h < 0]) / 2^r). Both floors fold into one SMLAL
// with the 64-bit nudge 2^30 + 2^(30+r) - [x < 0] 2^31 and a shift of the high word ([x < 0]
// may differ from [h < 0] only where h == 0, and then both give 0).
static inline int32_t requantize_fast(int32_t x, int32_t multiplier, int32_t shift) {
  if (shift >= 0) {
    const int32_t shifted = static_cast<int32_t>(static_cast<uint32_t>(x) << shift);
    const int64_t product = static_cast<int64_t>(shifted) * multiplier + (int64_t{1} << 30);
    return static_cast<int32_t>(product >> 31);
  }
  const int32_t r = -shift;  // 1..31
  uint32_t lo = r == 1 ? 0xC0000000u : 0x40000000u;
  int32_t hi = r >= 2 ? (1 << (r - 2)) : 0;
  if (x < 0) {  // subtract 2^31 from the 64-bit nudge
    hi -= lo < 0x80000000u ? 1 : 0;
    lo ^= 0x80000000u;
  }
  const int64_t nudge =
      static_cast<int64_t>((static_cast<uint64_t>(static_cast<uint32_t>(hi)) << 32) | lo);
  const int64_t product = static_cast<int64_t>(x) * multiplier + nudge;
  return static_cast<int32_t>(product >> 32) >> (r - 1);
}

// The short output stage: round-half-away(acc * multiplier * 2^shift) + output offset, TFLite's
// double rounding (fixed_point.h), in four instructions for shift -21..-1 and |acc| < 2^30.
// With r = -shift, SMMLAR of 2 acc and the multiplier adds c = 2^(r-1) + offset 2^r to
// h = floor((acc m + 2^30) / 2^31), which is TFLite's doubling high multiply; then
// (h + c - [h < 0]) >> r = round-half-away(h / 2^r) + offset. [h < 0] is [acc < 0] except where
// h = 0, which gives the same either way. A layer whose activation bounds clamp every result at or
// below its output offset (act_min >= output offset: ReLU, ReLU6) skips that term: a negative h
// rounds to at most 0 in both forms. Bounds: 2 acc fits int32, and |h + c| < 2^30 + 2^29.
struct OutputScale {
  int32_t multiplier;
  int32_t rounding;     // c = 2^(r-1) + output_offset * 2^r
  int32_t right_shift;  // r
};

static inline bool output_scale_ok(int32_t multiplier, int32_t shift) {
  return multiplier >= 0 && shift <= -1 && shift >= -21;
}

static inline OutputScale output_scale(int32_t multiplier, int32_t shift, int32_t output_offset) {
  OutputScale s;
  s.multiplier = multiplier;
  s.right_shift = -shift;
  s.rounding = static_cast<int32_t>((1u << (s.right_shift - 1)) +
                                    static_cast<uint32_t>(output_offset) * (1u << s.right_shift));
  return s;
}

// acc + (a * b + 2^31) / 2^32, rounded down: the top word of a 64-bit multiply-accumulate.
static inline int32_t smmlar(int32_t a, int32_t b, int32_t acc) {
  int32_t r;
  __asm__("smmlar %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
  return r;
}

// acc on the output's scale plus its offset, not yet clamped (see OutputScale). kSignRounds: the
// layer keeps negative results, which round away from zero.
template <bool kSignRounds>
static inline int32_t scale_output(int32_t acc, const OutputScale &s) {
  int32_t t =
      smmlar(static_cast<int32_t>(static_cast<uint32_t>(acc) << 1), s.multiplier, s.rounding);
  if (kSignRounds) t += acc >> 31;
  return t >> s.right_shift;
}

// True when negative results survive the activation bounds (act_min below the output offset), so
// their rounding matters (OutputScale).
static inline bool sign_rounds(int32_t act_min, int32_t output_offset) {
  return act_min < output_offset;
}

// One output channel's requantization, prepared once per op (in the op's scratch) so that each
// output pays a few instructions: for shift <= -2 the 64-bit nudge of requantize_fast is
// (nudge_hi + [x < 0] * -1) : (2^30 ^ [x < 0] 2^31), and the result is its high word >> r - 1.
struct RequantEntry {
  int32_t multiplier;
  int32_t shift;     // as stored; shift > -2 takes requantize_fast
  int32_t nudge_hi;  // 2^(r - 2)
  int32_t r_minus_1;
};

static inline void prepare_requant(const int32_t *multiplier, const int32_t *shift, int32_t n,
                                   RequantEntry *table) {
  for (int32_t c = 0; c < n; ++c) {
    const int32_t r = -shift[c];
    table[c].multiplier = multiplier[c];
    table[c].shift = shift[c];
    table[c].nudge_hi = r >= 2 ? (1 << (r - 2)) : 0;
    table[c].r_minus_1 = r - 1;
  }
}

// requantize_entry for an entry whose shift is known to be <= -2.
static inline int32_t requantize_entry_right(int32_t x, const RequantEntry &e) {
  const int32_t sign = x >> 31;  // 0 or -1
  const uint32_t lo = 0x40000000u ^ (static_cast<uint32_t>(sign) & 0x80000000u);
  const uint32_t hi = static_cast<uint32_t>(e.nudge_hi + sign);
  const int64_t nudge = static_cast<int64_t>((static_cast<uint64_t>(hi) << 32) | lo);
  const int64_t product = static_cast<int64_t>(x) * e.multiplier + nudge;
  return static_cast<int32_t>(product >> 32) >> e.r_minus_1;
}

static inline int32_t requantize_entry(int32_t x, const RequantEntry &e) {
  if (e.shift > -2) return requantize_fast(x, e.multiplier, e.shift);
  return requantize_entry_right(x, e);
}

// True when every entry takes the short path: kernels then skip the test per output.
static inline bool all_shift_right(const RequantEntry *table, int32_t n) {
  bool all = true;
  for (int32_t c = 0; c < n; ++c) all = all && table[c].shift <= -2;
  return all;
}

// The short output stage for a layer whose activation bounds are the whole int8 range
// (act_min -128, act_max 127): one SSAT #8 of scaled + offset replaces SSAT #10 and both clamp
// compares. Same results: the value is at most 2^30 in magnitude (a high word shifted right at
// least once), so adding the offset cannot overflow, and outside +-512 both saturate alike.
static inline int8_t requantize_entry_right_to_int8_full(int32_t acc, const RequantEntry &e,
                                                         int32_t output_offset) {
  return static_cast<int8_t>(__ssat(requantize_entry_right(acc, e) + output_offset, 8));
}

static inline bool is_full_int8_range(int32_t act_min, int32_t act_max) {
  return act_min == -128 && act_max == 127;
}

static inline int8_t requantize_entry_to_int8(int32_t acc, const RequantEntry &e,
                                              int32_t output_offset, int32_t act_min,
                                              int32_t act_max) {
  const int32_t scaled = __ssat(requantize_entry(acc, e), 10);
  return static_cast<int8_t>(clamp_i32(scaled + output_offset, act_min, act_max));
}

// requantize_to_int8 on the fast path (SSAT replaces the +-512 clamp: same results).
static inline int8_t requantize_to_int8_fast(int32_t acc, int32_t multiplier, int32_t shift,
                                             int32_t output_offset, int32_t act_min,
                                             int32_t act_max) {
  const int32_t scaled = __ssat(requantize_fast(acc, multiplier, shift), 10);
  return static_cast<int8_t>(clamp_i32(scaled + output_offset, act_min, act_max));
}

// v in all four bytes of a word (an int8 activation bound for clamp_bytes4).
static inline uint32_t bytes4(int32_t v) {
  return (static_cast<uint32_t>(v) & 0xFFu) * 0x01010101u;
}

// The four int8 values of v clamped to [lo, hi] (each given in all four bytes, lo <= hi): per
// byte SSUB8 sets the GE flag where the first operand is the larger or equal, and SEL keeps those
// bytes.
static inline uint32_t clamp_bytes4(uint32_t v, uint32_t lo4, uint32_t hi4) {
  uint32_t scratch;
  __asm__(
      "ssub8 %[t], %[v], %[lo]\n\t"
      "sel %[v], %[v], %[lo]\n\t"
      "ssub8 %[t], %[hi], %[v]\n\t"
      "sel %[v], %[v], %[hi]"
      : [v] "+r"(v), [t] "=&r"(scratch)
      : [lo] "r"(lo4), [hi] "r"(hi4)
      : "cc");
  return v;
}

// Four int8 results (in int32s, each within -128..127) as one word (three BFIs), clamped to
// [lo, hi] (clamp_bytes4) when narrow, stored at out (any alignment: the M4 allows unaligned word
// stores).
static inline void store_clamped4(int8_t *out, uint32_t t0, uint32_t t1, uint32_t t2, uint32_t t3,
                                  bool narrow, uint32_t lo4, uint32_t hi4) {
  __asm__(
      "bfi %[w], %[b1], #8, #8\n\t"
      "bfi %[w], %[b2], #16, #8\n\t"
      "bfi %[w], %[b3], #24, #8"
      : [w] "+r"(t0)
      : [b1] "r"(t1), [b2] "r"(t2), [b3] "r"(t3));
  if (narrow) t0 = clamp_bytes4(t0, lo4, hi4);
  store_u32(out, t0);
}

}  // namespace sotto_infer

#endif
