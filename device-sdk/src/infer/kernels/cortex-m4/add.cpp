// ADD for Cortex-M4, same-shape inputs: the reference's arithmetic with every step folded to a
// few instructions. TFLite scales both inputs to twice the larger input scale, so the larger one
// always has multiplier 2^30 with shift 0 (one half): (x + offset) 2^left_shift halved, exactly
// (x + offset) 2^(left_shift - 1) since left_shift >= 1. The other input (shift <= -2) takes the
// 64-bit nudge of requantize_entry_right, the sum the short output stage (OutputScale). Other
// parameters, broadcasts and int16 run the reference. Bit-exact with it (the same integer steps).
#include "cortex-m4/dsp.h"
#include "fixed_point.h"
#include "kernel_args.h"
#include "reference_fallback.h"

namespace sotto_infer {
namespace {

// One input's rescaling: "half" (multiplier 2^30, shift 0) or right-shifted (shift <= -2).
struct InputScale {
  bool half;
  int32_t offset_shifted;  // offset * factor
  int32_t factor;          // 2^left_shift (half: 2^(left_shift - 1)): one MLA per input
  RequantEntry entry;      // right-shifted inputs
};

bool input_scale(int32_t offset, int32_t multiplier, int32_t shift, int32_t left_shift,
                 InputScale *s) {
  s->half = multiplier == (1 << 30) && shift == 0 && left_shift >= 1;
  if (!s->half && shift > -2) return false;
  s->factor = 1 << (s->half ? left_shift - 1 : left_shift);
  s->offset_shifted = offset * s->factor;
  prepare_requant(&multiplier, &shift, 1, &s->entry);
  return true;
}

inline int32_t rescale_input(int32_t x, const InputScale &s, bool half) {
  const int32_t shifted = s.offset_shifted + x * s.factor;
  return half ? shifted : requantize_entry_right(shifted, s.entry);
}

// Inputs ordered so that `second` is a half; `first` may be one too (equal input scales).
template <bool kFirstHalf, bool kSignRounds, bool kFullRange>
void add_elements(const int8_t *first_data, const int8_t *second_data, int8_t *out, uint32_t n,
                  const InputScale &first, const InputScale &second, const OutputScale &scale,
                  int32_t act_min, int32_t act_max) {
  const InputScale a = first, b = second;  // locals: int8 stores may alias them for the compiler
  const OutputScale o = scale;
  for (uint32_t i = 0; i < n; ++i) {
    const int32_t sum =
        rescale_input(first_data[i], a, kFirstHalf) + rescale_input(second_data[i], b, true);
    const int32_t v = scale_output<kSignRounds>(sum, o);
    out[i] = static_cast<int8_t>(kFullRange ? __ssat(v, 8) : clamp_i32(v, act_min, act_max));
  }
}

}  // namespace

namespace cortex_m4 {

void add(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const int32_t left_shift = p[SOTTO_P_ADD_LEFT_SHIFT];
  const int32_t output_offset = p[SOTTO_P_OUTPUT_OFFSET];
  const int32_t act_min = p[SOTTO_P_ACT_MIN], act_max = p[SOTTO_P_ACT_MAX];
  const uint32_t n = a.output->bytes;
  InputScale in1, in2;
  // |sum| < 2^28 (|x + offset| <= 255, the loader's left_shift <= 20): inside the output stage's
  // bounds.
  const bool fast = a.output->type == SOTTO_SMDL_INT8 && a.input0->bytes == n &&
                    a.input1->bytes == n &&
                    input_scale(p[SOTTO_P_ADD_INPUT1_OFFSET], p[SOTTO_P_ADD_INPUT1_MULT],
                                p[SOTTO_P_ADD_INPUT1_SHIFT], left_shift, &in1) &&
                    input_scale(p[SOTTO_P_ADD_INPUT2_OFFSET], p[SOTTO_P_ADD_INPUT2_MULT],
                                p[SOTTO_P_ADD_INPUT2_SHIFT], left_shift, &in2) &&
                    (in1.half || in2.half) &&
                    output_scale_ok(p[SOTTO_P_ADD_OUTPUT_MULT], p[SOTTO_P_ADD_OUTPUT_SHIFT]);
  // Broadcasts and other scalings: rare, reference (without it, reference_fallback.h, the loader
  // refused them: `fast` holds, its input_scale calls made).
  if (kReferenceFallback && !fast) {
    reference::add(a);
    return;
  }
  const bool swap = !in2.half;  // addition commutes: the half goes second
  const int8_t *first = swap ? a.input1_data : a.input0_data;
  const int8_t *second = swap ? a.input0_data : a.input1_data;
  const InputScale &s1 = swap ? in2 : in1, &s2 = swap ? in1 : in2;
  const OutputScale scale =
      output_scale(p[SOTTO_P_ADD_OUTPUT_MULT], p[SOTTO_P_ADD_OUTPUT_SHIFT], output_offset);
  typedef void (*Elements)(const int8_t *, const int8_t *, int8_t *, uint32_t, const InputScale &,
                           const InputScale &, const OutputScale &, int32_t, int32_t);
  // [first is a half][negative results round][whole int8 range]
  static const Elements kVariants[2][2][2] = {
      {{add_elements<false, false, false>, add_elements<false, false, true>},
       {add_elements<false, true, false>, add_elements<false, true, true>}},
      {{add_elements<true, false, false>, add_elements<true, false, true>},
       {add_elements<true, true, false>, add_elements<true, true, true>}}};
  kVariants[s1.half][sign_rounds(act_min, output_offset)][is_full_int8_range(act_min, act_max)](
      first, second, a.output_data, n, s1, s2, scale, act_min, act_max);
}

}  // namespace cortex_m4
}  // namespace sotto_infer
