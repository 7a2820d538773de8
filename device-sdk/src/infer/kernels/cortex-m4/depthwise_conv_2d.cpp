// DEPTHWISE_CONV_2D for Cortex-M4 (depth multiplier 1, channels a multiple of 4): four channels at
// a time, one input word per tap, SMLABB/SMLATT keeping each channel's sum apart. Each invoke first
// lays out in the planned scratch, per channel a 16-byte DepthwiseEntry (the output stage: dsp.h's
// OutputScale, or requantize_entry_right for shifts below its range; and the folded bias, bias plus
// input offset times the channel's weight sum), then the weights widened by SXTB16, group-major
// ([channel group][tap]: channels 0 and 2, then 1 and 3, one LDRD per tap). Interior pixels of 3x3
// windows (dilation 1) take an unrolled window on raw inputs from the folded bias, and their left
// and right border pixels (three rows, two columns inside) an unrolled 3x2 window from the bias,
// SXTAB16 adding the input offset while widening; other pixels walk a tap list of (input, weight)
// offset pairs the same way (at most 64 taps; larger windows run the reference): one list for
// every interior pixel, one per border pixel. Outputs saturate to int8, and each group's four are
// clamped to the activation bounds together (SSUB8/SEL) when they are narrower than int8, and
// stored as one word. A ReLU or ReLU6 layer whose every channel takes the short stage (MobileNet's
// and kws's usually do) runs pixel functions compiled without the test per output and without the
// sign term of negative results, which its bounds clamp away (kAllShort). Without that scratch
// (m4_depthwise_scratch_bytes), or for a channel neither output stage covers, the reference runs.
// Bit-exact with the reference: the same integer sums, the same rounding, and clamping [-128, 127]
// before [act_min, act_max] changes nothing.
#include "cortex-m4/dsp.h"
#include "fixed_point.h"
#include "kernel_args.h"
#include "reference_fallback.h"

namespace sotto_infer {
namespace {

const int32_t kMaxTaps = kM4DepthwiseMaxTaps;  // larger windows run the reference

struct DepthwiseEntry {
  int32_t multiplier;
  int32_t rounding;     // OutputScale::rounding (short stage) or RequantEntry::nudge_hi
  int32_t stage_shift;  // short stage: OutputScale::right_shift (> 0); else -r_minus_1 (< 0)
  int32_t folded_bias;  // bias + input offset * the channel's weight sum
};

// One channel's output, saturated to int8 (one SSAT; store_clamped4 applies narrower bounds).
// kAllShort: every channel of the layer takes the short stage and its activation bounds clamp
// negative results away (act_min >= output offset: ReLU, ReLU6; dsp.h's sign_rounds is false), so
// no test per output and no sign term.
template <bool kAllShort>
inline int32_t output_of(int32_t acc, const DepthwiseEntry &e, int32_t out_offset) {
  if (kAllShort) {
    const OutputScale s = {e.multiplier, e.rounding, e.stage_shift};
    return __ssat(scale_output<false>(acc, s), 8);
  }
  if (e.stage_shift > 0) {
    const OutputScale s = {e.multiplier, e.rounding, e.stage_shift};
    return __ssat(scale_output<true>(acc, s), 8);
  }
  const RequantEntry r = {e.multiplier, 0, e.rounding, -e.stage_shift};
  return __ssat(requantize_entry_right(acc, r) + out_offset, 8);
}

// A channel group's four outputs (channels e[0..3]) stored as one word at out (store_clamped4).
template <bool kAllShort>
inline void store_group(int8_t *out, const int32_t acc[4], const DepthwiseEntry *e,
                        int32_t out_offset, bool narrow, uint32_t low4, uint32_t high4) {
  store_clamped4(out, output_of<kAllShort>(acc[0], e[0], out_offset),
                 output_of<kAllShort>(acc[1], e[1], out_offset),
                 output_of<kAllShort>(acc[2], e[2], out_offset),
                 output_of<kAllShort>(acc[3], e[3], out_offset), narrow, low4, high4);
}

// acc[0..3] = the bias of channels c..c + 3, or 0 without one (pixels that add the input offset
// while widening).
inline void start_from_bias(const int32_t *bias, int32_t c, int32_t acc[4]) {
  acc[0] = acc[1] = acc[2] = acc[3] = 0;
  if (bias) {
    acc[0] = bias[c];
    acc[1] = bias[c + 1];
    acc[2] = bias[c + 2];
    acc[3] = bias[c + 3];
  }
}

// The output stage of each channel's entry (widen_weights adds the folded bias). False when a
// channel's scale fits neither stage, or the folded bias could overflow int32 (|input offset| <=
// 256 and |bias| <= 2^31 - 2^22 keep it exact: |offset x weight sum| <= 256 x 64 x 128 = 2^21):
// the reference runs the layer.
bool prepare_entries(const KernelArgs &a, int32_t ch, int32_t taps, DepthwiseEntry *table,
                     bool *all_short) {
  const int32_t *p = a.op->params;
  const int32_t input_offset = p[SOTTO_P_INPUT_OFFSET], out_offset = p[SOTTO_P_OUTPUT_OFFSET];
  if (input_offset < -256 || input_offset > 256) return false;
  // 32-bit arithmetic (a row stream prepares once per row): the short stage needs |bias| below
  // 2^30 minus the largest sum of products (taps <= 64: at most 2^21).
  const uint32_t short_room = (1u << 30) - static_cast<uint32_t>(taps) * 255u * 128u;
  const uint32_t largest_bias = INT32_MAX - (1u << 22);
  const int32_t *const bias = a.bias, *const multiplier = a.multiplier, *const shift = a.shift;
  bool every_short = true;
  for (int32_t c = 0; c < ch; ++c) {
    const int32_t m = multiplier[c], s = shift[c], b = bias != nullptr ? bias[c] : 0;
    const uint32_t magnitude = b < 0 ? 0u - static_cast<uint32_t>(b) : static_cast<uint32_t>(b);
    if (magnitude > largest_bias || m < 0) return false;
    DepthwiseEntry &e = table[c];
    e.multiplier = m;
    if (magnitude < short_room && s <= -1 && s >= -21) {  // output_scale_ok
      const int32_t r = -s;                               // OutputScale: 2^(r-1) + offset 2^r
      e.rounding = static_cast<int32_t>((2u * static_cast<uint32_t>(out_offset) + 1u) << (r - 1));
      e.stage_shift = r;
    } else if (s <= -2) {  // prepare_requant: nudge_hi 2^(r - 2), shift by r - 1
      e.rounding = 1 << (-s - 2);
      e.stage_shift = s + 1;
      every_short = false;
    } else {
      return false;
    }
  }
  *all_short = every_short;
  return true;
}

// acc[0..3] += the four channels of input word xr times widened weights f02 (channels 0, 2)
// and f13 (channels 1, 3).
inline void mac4(uint32_t xr, uint32_t f02, uint32_t f13, int32_t acc[4]) {
  const uint32_t x02 = __sxtb16(xr), x13 = sxtb16_ror8(xr);
  acc[0] = __smlabb(static_cast<int32_t>(x02), static_cast<int32_t>(f02), acc[0]);
  acc[2] = __smlatt(static_cast<int32_t>(x02), static_cast<int32_t>(f02), acc[2]);
  acc[1] = __smlabb(static_cast<int32_t>(x13), static_cast<int32_t>(f13), acc[1]);
  acc[3] = __smlatt(static_cast<int32_t>(x13), static_cast<int32_t>(f13), acc[3]);
}

// One tap for four channels from widened weights: SXTAB16 adds the input offset while widening.
// kWord: the tap's words from f, a constant (one LDRD with an immediate offset).
template <int kWord = 0>
inline void tap4(const int8_t *x, const uint32_t *f, uint32_t offset_pair, int32_t acc[4]) {
  const uint32_t xr = load_u32(x);
  uint32_t f02, f13;
  // One LDRD (GCC emits an ADD and two LDRs); the widened weights are not written meanwhile.
  __asm__("ldrd %0, %1, [%2, %3]" : "=r"(f02), "=r"(f13) : "r"(f), "i"(4 * kWord));
  const uint32_t x02 = __sxtab16(offset_pair, xr), x13 = sxtab16_ror8(offset_pair, xr);
  acc[0] = __smlabb(static_cast<int32_t>(x02), static_cast<int32_t>(f02), acc[0]);
  acc[2] = __smlatt(static_cast<int32_t>(x02), static_cast<int32_t>(f02), acc[2]);
  acc[1] = __smlabb(static_cast<int32_t>(x13), static_cast<int32_t>(f13), acc[1]);
  acc[3] = __smlatt(static_cast<int32_t>(x13), static_cast<int32_t>(f13), acc[3]);
}

// What a pixel's channel loop needs besides its inputs.
struct PixelStage {
  const uint32_t *wide;  // widened weights, group-major
  const int32_t *bias;   // may be null
  const DepthwiseEntry *entries;
  int32_t ch, group_words;  // group_words: 2 per tap
  uint32_t offset_pair;
  int32_t out_offset;
  bool narrow;           // activation bounds narrower than int8 (ReLU6)
  uint32_t low4, high4;  // the bounds in every byte (store_clamped4)
};

// Every channel group of a run of `count` interior pixels of a 3x3 window (dilation 1): src is the
// first one's top-left input byte, step the input bytes from one pixel to the next, row the input
// row stride, wide the widened weights (group-major: one LDRD per tap); the outputs follow each
// other from out. A function of its own, with pointers that step together, so that the group loop
// keeps its live values in registers instead of sharing them with the border bookkeeping, and one
// call for the run, so that narrow layers (8 channels: two groups per pixel) do not pay a call
// per pixel.
template <bool kAllShort>
__attribute__((noinline)) void interior_3x3(const int8_t *src, int8_t *out, int32_t row,
                                            int32_t count, int32_t step, const PixelStage &stage) {
  // Locals, not stage.*: every output store may alias it for the compiler.
  const uint32_t *const wide = stage.wide;
  const DepthwiseEntry *const entries = stage.entries;
  const int32_t ch = stage.ch, out_offset = stage.out_offset;
  const uint32_t low4 = stage.low4, high4 = stage.high4;
  const bool narrow = stage.narrow;
  for (; count > 0; --count, src += step - ch) {
    const uint32_t *w = wide;
    const DepthwiseEntry *e = entries;
    const int8_t *const end = src + ch;
    for (; src != end; src += 4, out += 4, e += 4) {
      int32_t acc[4] = {e[0].folded_bias, e[1].folded_bias, e[2].folded_bias, e[3].folded_bias};
      const int8_t *x = src;
#pragma GCC unroll 3
      for (int32_t ky = 0; ky < 3; ++ky, x += row) {
        // Opaque to GCC: each row's three loads from [x], [x, ch], [x, 2 ch], not eight offsets
        // kept on the stack.
        __asm__("" : "+r"(x));
        uint32_t f02, f13;
        load_pair(w, &f02, &f13);
        mac4(load_u32(x), f02, f13, acc);
        load_pair(w, &f02, &f13);
        mac4(load_u32(x + ch), f02, f13, acc);
        load_pair(w, &f02, &f13);
        mac4(load_u32(x + 2 * ch), f02, f13, acc);
      }
      store_group<kAllShort>(out, acc, e, out_offset, narrow, low4, high4);
    }
  }
}

// Every channel group of one pixel from its tap list (taps pairs of the input's byte offset from
// src and the tap's word offset in a group of the widened weights). A function of its own, so
// that the group loop keeps its few live values in registers; one LDRD fetches both offsets of a
// tap.
template <bool kAllShort>
__attribute__((noinline)) void pixel_from_taps(const int8_t *src, int8_t *out, const uint32_t *taps,
                                               int32_t tap_count, const PixelStage &stage) {
  // Locals, not stage.*: every int8 output store may alias it for the compiler.
  const uint32_t *w = stage.wide;
  const int32_t *const bias = stage.bias;
  const DepthwiseEntry *const entries = stage.entries;
  const int32_t ch = stage.ch, out_offset = stage.out_offset, group_words = stage.group_words;
  const uint32_t offset_pair = stage.offset_pair, low4 = stage.low4, high4 = stage.high4;
  const bool narrow = stage.narrow;
  const uint32_t *const taps_end = taps + 2 * tap_count;
  for (int32_t c = 0; c < ch; c += 4, w += group_words) {
    int32_t acc[4];
    start_from_bias(bias, c, acc);
    const int8_t *x = src + c;
    // Opaque to GCC, so that each tap loads from [x, offset] instead of re-adding c.
    __asm__("" : "+r"(x));
    for (const uint32_t *t = taps; t != taps_end;) {
      uint32_t at_x, at_w;
      load_pair(t, &at_x, &at_w);
      tap4(x + at_x, w + at_w, offset_pair, acc);
    }
    store_group<kAllShort>(out + c, acc, entries + c, out_offset, narrow, low4, high4);
  }
}

// Every channel group of one pixel whose 3x3 window (dilation 1) has its three rows inside the
// picture but only the two columns kx0 and kx0 + 1 (a left or right border pixel): src is the
// input byte of the window's top row at column kx0, row the input row stride. Unrolled like
// interior_3x3, but from the bias with SXTAB16 adding the input offset, as for tap lists.
template <bool kAllShort>
__attribute__((noinline)) void edge_3x2(const int8_t *src, int8_t *out, int32_t row, int32_t kx0,
                                        const PixelStage &stage) {
  // Locals, not stage.*: every output store may alias it for the compiler.
  const uint32_t *w = stage.wide + 2 * kx0;  // tap (ky, kx0 + j) at words 6 ky + 2 j
  const int32_t *const bias = stage.bias;
  const DepthwiseEntry *const entries = stage.entries;
  const int32_t ch = stage.ch, out_offset = stage.out_offset, group_words = stage.group_words;
  const uint32_t offset_pair = stage.offset_pair, low4 = stage.low4, high4 = stage.high4;
  const bool narrow = stage.narrow;
  for (int32_t c = 0; c < ch; c += 4, w += group_words) {
    int32_t acc[4];
    start_from_bias(bias, c, acc);
    const int8_t *x = src + c;
    __asm__("" : "+r"(x));  // as in interior_3x3: loads from [x] and [x, ch]
    tap4<0>(x, w, offset_pair, acc);
    tap4<2>(x + ch, w, offset_pair, acc);
    x += row;
    __asm__("" : "+r"(x));
    tap4<6>(x, w, offset_pair, acc);
    tap4<8>(x + ch, w, offset_pair, acc);
    x += row;
    __asm__("" : "+r"(x));
    tap4<12>(x, w, offset_pair, acc);
    tap4<14>(x + ch, w, offset_pair, acc);
    store_group<kAllShort>(out + c, acc, entries + c, out_offset, narrow, low4, high4);
  }
}

// The weights [tap][channel] widened into wide, group-major: for channel group g and tap t, words
// 2 (g taps + t) and the next, SXTB16 of the tap's four weights (channels 0 and 2, then 1 and 3).
// On the way, each channel's folded bias (bias + input offset x weight sum) into its entry: SADD16
// sums the widened pairs (|sum| <= 64 x 128 fits a halfword).
void widen_weights(const KernelArgs &a, int32_t ch, int32_t taps, uint32_t *wide,
                   DepthwiseEntry *entries) {
  const int32_t input_offset = a.op->params[SOTTO_P_INPUT_OFFSET];
  for (int32_t c = 0; c < ch; c += 4) {
    uint32_t sum02 = 0, sum13 = 0;
    for (int32_t t = 0; t < taps; ++t, wide += 2) {
      const uint32_t r = load_u32(a.weights + t * ch + c);
      wide[0] = __sxtb16(r);
      wide[1] = sxtb16_ror8(r);
      sum02 = __sadd16(sum02, wide[0]);
      sum13 = __sadd16(sum13, wide[1]);
    }
    const int32_t sums[4] = {static_cast<int16_t>(sum02 & 0xFFFFu),
                             static_cast<int16_t>(sum13 & 0xFFFFu),
                             static_cast<int16_t>(sum02 >> 16), static_cast<int16_t>(sum13 >> 16)};
    for (int32_t i = 0; i < 4; ++i) {
      const int32_t bias = a.bias != nullptr ? a.bias[c + i] : 0;
      entries[c + i].folded_bias = bias + input_offset * sums[i];
    }
  }
}

// The taps k in [0, k_n) of a window starting at `start` (dilation dil) that fall inside
// [0, size): [*lo, *hi], empty when *hi < *lo.
void taps_inside(int32_t start, int32_t k_n, int32_t dil, int32_t size, int32_t *lo, int32_t *hi) {
  *lo = start < 0 ? (dil - 1 - start) / dil : 0;
  const int32_t room = size - 1 - start;
  *hi = room < 0 ? -1 : (room / dil < k_n - 1 ? room / dil : k_n - 1);
}

}  // namespace

namespace cortex_m4 {

void depthwise_conv_2d(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const int32_t in_h = a.input0->dims[1], in_w = a.input0->dims[2], ch = a.input0->dims[3];
  const int32_t out_h = a.output->dims[1], out_w = a.output->dims[2];
  const int32_t k_h = p[SOTTO_P_KERNEL_H], k_w = p[SOTTO_P_KERNEL_W], taps = k_h * k_w;
  DepthwiseEntry *const entries = reinterpret_cast<DepthwiseEntry *>(a.scratch);
  bool all_short = false;
  if (!kReferenceFallback) {
    // (the loader refused every op that would fail: reference_fallback.h)
    prepare_entries(a, ch, taps, entries, &all_short);
  } else if (p[SOTTO_P_DEPTH_MULTIPLIER] != 1 || a.output->dims[0] != 1 || (ch & 3) != 0 ||
             taps > kMaxTaps || p[SOTTO_P_ACT_MIN] < -128 || p[SOTTO_P_ACT_MAX] > 127 ||
             p[SOTTO_P_ACT_MIN] > p[SOTTO_P_ACT_MAX] || a.scratch == nullptr ||
             a.op->scratch_bytes < m4_depthwise_scratch_bytes(ch, taps) ||
             !prepare_entries(a, ch, taps, entries, &all_short)) {
    reference::depthwise_conv_2d(a);
    return;
  }
  uint32_t *const wide = reinterpret_cast<uint32_t *>(entries + ch);
  const bool short_unsigned =
      all_short && !sign_rounds(p[SOTTO_P_ACT_MIN], p[SOTTO_P_OUTPUT_OFFSET]);
  const auto interior = short_unsigned ? interior_3x3<true> : interior_3x3<false>;
  const auto pixel = short_unsigned ? pixel_from_taps<true> : pixel_from_taps<false>;
  const auto edge = short_unsigned ? edge_3x2<true> : edge_3x2<false>;
  widen_weights(a, ch, taps, wide, entries);
  const int32_t dil_h = p[SOTTO_P_DILATION_H], dil_w = p[SOTTO_P_DILATION_W];
  const int32_t stride_w = p[SOTTO_P_STRIDE_W];
  PixelStage stage;
  stage.wide = wide;
  stage.bias = a.bias;
  stage.entries = entries;
  stage.ch = ch;
  stage.group_words = 2 * taps;
  stage.offset_pair = pair_of(p[SOTTO_P_INPUT_OFFSET]);
  stage.out_offset = p[SOTTO_P_OUTPUT_OFFSET];
  stage.narrow = !is_full_int8_range(p[SOTTO_P_ACT_MIN], p[SOTTO_P_ACT_MAX]);
  stage.low4 = bytes4(p[SOTTO_P_ACT_MIN]);
  stage.high4 = bytes4(p[SOTTO_P_ACT_MAX]);
  // Taps as (input byte, weight word) offset pairs: every tap relative to the window's corner
  // (interior pixels), or per pixel the taps inside the picture (border pixels).
  uint32_t all_taps[2 * kMaxTaps], edge_taps[2 * kMaxTaps];
  const int32_t tap_step_w = dil_w * ch, tap_step_h = dil_h * in_w * ch;
  for (int32_t ky = 0, t = 0; ky < k_h; ++ky) {
    for (int32_t kx = 0; kx < k_w; ++kx, ++t) {
      all_taps[2 * t] = static_cast<uint32_t>(ky * tap_step_h + kx * tap_step_w);
      all_taps[2 * t + 1] = static_cast<uint32_t>(2 * t);
    }
  }
  const int32_t span_h = dil_h * (k_h - 1), span_w = dil_w * (k_w - 1);
  const bool unrolled = k_h == 3 && k_w == 3 && dil_h == 1 && dil_w == 1;
  const int8_t *const input = a.input0_data;
  int8_t *out = a.output_data;
  for (int32_t oy = 0; oy < out_h; ++oy) {
    const int32_t y0 = oy * p[SOTTO_P_STRIDE_H] - p[SOTTO_P_PAD_H];
    const bool row_inside = y0 >= 0 && y0 + span_h < in_h;
    int32_t ky_lo, ky_hi;  // the window rows inside the picture
    taps_inside(y0, k_h, dil_h, in_h, &ky_lo, &ky_hi);
    for (int32_t ox = 0; ox < out_w; ++ox, out += ch) {
      const int32_t x0 = ox * stride_w - p[SOTTO_P_PAD_W];
      if (row_inside && x0 >= 0 && x0 + span_w < in_w) {
        const int8_t *const corner = input + (y0 * in_w + x0) * ch;
        if (unrolled) {  // this pixel and the interior ones after it in the row
          int32_t run = 1;
          while (ox + run < out_w && x0 + run * stride_w + span_w < in_w) ++run;
          interior(corner, out, in_w * ch, run, stride_w * ch, stage);
          ox += run - 1;
          out += (run - 1) * ch;
        } else {
          pixel(corner, out, all_taps, taps, stage);
        }
        continue;
      }
      // A border pixel: the taps inside the picture, as offsets from the input's start.
      int32_t kx_lo, kx_hi, n = 0;
      taps_inside(x0, k_w, dil_w, in_w, &kx_lo, &kx_hi);
      if (unrolled && row_inside && kx_hi - kx_lo == 1) {  // a left or right edge: unrolled
        edge(input + (y0 * in_w + x0 + kx_lo) * ch, out, in_w * ch, kx_lo, stage);
        continue;
      }
      for (int32_t ky = ky_lo; ky <= ky_hi; ++ky) {
        int32_t at = ((y0 + dil_h * ky) * in_w + x0 + dil_w * kx_lo) * ch;
        for (int32_t kx = kx_lo; kx <= kx_hi; ++kx, ++n, at += tap_step_w) {
          edge_taps[2 * n] = static_cast<uint32_t>(at);
          edge_taps[2 * n + 1] = static_cast<uint32_t>(2 * (ky * k_w + kx));
        }
      }
      pixel(input, out, edge_taps, n, stage);
    }
  }
}

}  // namespace cortex_m4
}  // namespace sotto_infer
