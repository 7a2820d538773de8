// DEPTHWISE_CONV_2D for Cortex-M4 (depth multiplier 1, channels a multiple of 4): four channels
// at a time, one word of input and one of weights per tap, SXTAB16 adds the input offset while
// widening and SMLABB/SMLATT keep each channel's sum apart. Interior pixels of 3x3 windows in
// the common output stage take an unrolled window; other pixels walk a tap list of (input,
// weight) offset pairs (at most 64 taps; larger windows run the reference): one list for every
// interior pixel, one per border pixel. The planned scratch holds a RequantEntry per channel
// (without it the reference runs). Bit-exact with the reference (the same integer sums).
#include "cortex-m4/dsp.h"
#include "fixed_point.h"
#include "kernel_args.h"

namespace sotto_infer {
namespace {

const int32_t kMaxTaps = 64;  // larger windows run the reference

// One tap for four channels: SXTAB16 adds the input offset while widening.
inline void tap4(const int8_t *x, const int8_t *f, uint32_t offset_pair, int32_t acc[4]) {
  const uint32_t xr = load_u32(x), fr = load_u32(f);
  const uint32_t x02 = __sxtab16(offset_pair, xr), x13 = sxtab16_ror8(offset_pair, xr);
  const uint32_t f02 = __sxtb16(fr), f13 = sxtb16_ror8(fr);
  acc[0] = __smlabb(static_cast<int32_t>(x02), static_cast<int32_t>(f02), acc[0]);
  acc[2] = __smlatt(static_cast<int32_t>(x02), static_cast<int32_t>(f02), acc[2]);
  acc[1] = __smlabb(static_cast<int32_t>(x13), static_cast<int32_t>(f13), acc[1]);
  acc[3] = __smlatt(static_cast<int32_t>(x13), static_cast<int32_t>(f13), acc[3]);
}

// The 3x3 window (dilation 1) of an interior pixel, all taps unrolled: src is its top-left
// input byte of channel group c, row the input row stride.
inline void window_3x3(const int8_t *src, const int8_t *w, int32_t ch, int32_t row,
                       uint32_t offset_pair, int32_t acc[4]) {
  for (int32_t ky = 0; ky < 3; ++ky, src += row, w += 3 * ch) {
    tap4(src, w, offset_pair, acc);
    tap4(src + ch, w + ch, offset_pair, acc);
    tap4(src + 2 * ch, w + 2 * ch, offset_pair, acc);
  }
}

// Every channel group of one interior pixel (3x3, dilation 1, a bias, every shift <= -2, the
// whole int8 range as activation bounds): a function of its own, with pointers that step
// together, so that the group loop keeps its few live values in registers instead of sharing
// them with the border bookkeeping of depthwise_conv_2d.
__attribute__((noinline)) void interior_3x3(const int8_t *src, const int8_t *w, int8_t *out,
                                            const int32_t *bias, const RequantEntry *requant,
                                            int32_t ch, int32_t row, uint32_t offset_pair,
                                            int32_t out_offset) {
  const int8_t *const end = w + ch;
  for (; w != end; w += 4, src += 4, out += 4, bias += 4, requant += 4) {
    int32_t acc[4] = {bias[0], bias[1], bias[2], bias[3]};
    window_3x3(src, w, ch, row, offset_pair, acc);
    out[0] = requantize_entry_right_to_int8_full(acc[0], requant[0], out_offset);
    out[1] = requantize_entry_right_to_int8_full(acc[1], requant[1], out_offset);
    out[2] = requantize_entry_right_to_int8_full(acc[2], requant[2], out_offset);
    out[3] = requantize_entry_right_to_int8_full(acc[3], requant[3], out_offset);
  }
}

// What every pixel's channel loop needs besides its taps.
struct PixelStage {
  const int8_t *weights;
  const int32_t *bias;  // may be null
  const RequantEntry *requant;
  int32_t ch;
  uint32_t offset_pair;
  int32_t out_offset, act_min, act_max;
  bool short_full;  // every shift <= -2 and the whole int8 range as activation bounds
};

// Every channel group of one pixel from its tap list (taps pairs of input and weight offsets
// from src and the weights). A function of its own for the same reason as interior_3x3; one
// LDRD fetches both offsets of a tap.
__attribute__((noinline)) void pixel_from_taps(const int8_t *src, int8_t *out, const uint32_t *taps,
                                               int32_t tap_count, const PixelStage &stage) {
  // Locals, not stage.*: every int8 output store may alias it for the compiler.
  const int8_t *const weights = stage.weights;
  const int32_t *const bias = stage.bias;
  const RequantEntry *const requant = stage.requant;
  const int32_t ch = stage.ch, out_offset = stage.out_offset;
  const int32_t act_min = stage.act_min, act_max = stage.act_max;
  const uint32_t offset_pair = stage.offset_pair;
  const bool short_full = stage.short_full;
  const uint32_t *const taps_end = taps + 2 * tap_count;
  for (int32_t c = 0; c < ch; c += 4) {
    int32_t acc[4] = {0, 0, 0, 0};
    if (bias) {
      acc[0] = bias[c];
      acc[1] = bias[c + 1];
      acc[2] = bias[c + 2];
      acc[3] = bias[c + 3];
    }
    const int8_t *x = src + c, *w = weights + c;
    // Opaque to GCC, so that each tap loads from [x, offset] instead of re-adding c.
    __asm__("" : "+r"(x), "+r"(w));
    for (const uint32_t *t = taps; t != taps_end;) {
      uint32_t at_x, at_w;
      load_pair(t, &at_x, &at_w);
      tap4(x + at_x, w + at_w, offset_pair, acc);
    }
    if (short_full) {  // every MLPerf depthwise layer: no shift test or clamp per output
      out[c] = requantize_entry_right_to_int8_full(acc[0], requant[c], out_offset);
      out[c + 1] = requantize_entry_right_to_int8_full(acc[1], requant[c + 1], out_offset);
      out[c + 2] = requantize_entry_right_to_int8_full(acc[2], requant[c + 2], out_offset);
      out[c + 3] = requantize_entry_right_to_int8_full(acc[3], requant[c + 3], out_offset);
      continue;
    }
    out[c] = requantize_entry_to_int8(acc[0], requant[c], out_offset, act_min, act_max);
    out[c + 1] = requantize_entry_to_int8(acc[1], requant[c + 1], out_offset, act_min, act_max);
    out[c + 2] = requantize_entry_to_int8(acc[2], requant[c + 2], out_offset, act_min, act_max);
    out[c + 3] = requantize_entry_to_int8(acc[3], requant[c + 3], out_offset, act_min, act_max);
  }
}

}  // namespace

namespace cortex_m4 {

void depthwise_conv_2d(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const int32_t in_h = a.input0->dims[1], in_w = a.input0->dims[2], ch = a.input0->dims[3];
  const int32_t out_h = a.output->dims[1], out_w = a.output->dims[2];
  const int32_t k_h = p[SOTTO_P_KERNEL_H], k_w = p[SOTTO_P_KERNEL_W];
  if (p[SOTTO_P_DEPTH_MULTIPLIER] != 1 || a.output->dims[0] != 1 || (ch & 3) != 0 ||
      k_h * k_w > kMaxTaps || a.scratch == nullptr ||
      a.op->scratch_bytes < static_cast<uint32_t>(ch) * sizeof(RequantEntry)) {
    reference::depthwise_conv_2d(a);
    return;
  }
  const int32_t dil_h = p[SOTTO_P_DILATION_H], dil_w = p[SOTTO_P_DILATION_W];
  RequantEntry *const requant = reinterpret_cast<RequantEntry *>(a.scratch);
  prepare_requant(a.multiplier, a.shift, ch, requant);
  PixelStage stage;
  stage.weights = a.weights;
  stage.bias = a.bias;
  stage.requant = requant;
  stage.ch = ch;
  stage.offset_pair = pair_of(p[SOTTO_P_INPUT_OFFSET]);
  stage.out_offset = p[SOTTO_P_OUTPUT_OFFSET];
  stage.act_min = p[SOTTO_P_ACT_MIN];
  stage.act_max = p[SOTTO_P_ACT_MAX];
  stage.short_full =
      all_shift_right(requant, ch) && is_full_int8_range(stage.act_min, stage.act_max);
  // Taps as (input, weight) byte offset pairs of channel 0: every tap relative to the window's
  // corner (interior pixels), or per pixel the taps inside the picture (border pixels).
  uint32_t all_taps[2 * kMaxTaps], edge_taps[2 * kMaxTaps];
  for (int32_t ky = 0; ky < k_h; ++ky) {
    for (int32_t kx = 0; kx < k_w; ++kx) {
      all_taps[2 * (ky * k_w + kx)] = (dil_h * ky * in_w + dil_w * kx) * ch;
      all_taps[2 * (ky * k_w + kx) + 1] = (ky * k_w + kx) * ch;
    }
  }
  const int32_t span_h = dil_h * (k_h - 1), span_w = dil_w * (k_w - 1);
  const bool interior_fast =
      k_h == 3 && k_w == 3 && dil_h == 1 && dil_w == 1 && stage.short_full && a.bias != nullptr;
  const int8_t *const input = a.input0_data;
  int8_t *out = a.output_data;
  for (int32_t oy = 0; oy < out_h; ++oy) {
    const int32_t y0 = oy * p[SOTTO_P_STRIDE_H] - p[SOTTO_P_PAD_H];
    for (int32_t ox = 0; ox < out_w; ++ox, out += ch) {
      const int32_t x0 = ox * p[SOTTO_P_STRIDE_W] - p[SOTTO_P_PAD_W];
      if (y0 >= 0 && x0 >= 0 && y0 + span_h < in_h && x0 + span_w < in_w) {
        const int8_t *const corner = input + (y0 * in_w + x0) * ch;
        if (interior_fast) {
          interior_3x3(corner, stage.weights, out, stage.bias, requant, ch, in_w * ch,
                       stage.offset_pair, stage.out_offset);
        } else {
          pixel_from_taps(corner, out, all_taps, k_h * k_w, stage);
        }
        continue;
      }
      int32_t taps = 0;
      for (int32_t ky = 0; ky < k_h; ++ky) {
        const int32_t iy = y0 + dil_h * ky;
        if (iy < 0 || iy >= in_h) continue;
        for (int32_t kx = 0; kx < k_w; ++kx) {
          const int32_t ix = x0 + dil_w * kx;
          if (ix < 0 || ix >= in_w) continue;
          edge_taps[2 * taps] = (iy * in_w + ix) * ch;
          edge_taps[2 * taps++ + 1] = (ky * k_w + kx) * ch;
        }
      }
      pixel_from_taps(input, out, edge_taps, taps, stage);
    }
  }
}

}  // namespace cortex_m4
}  // namespace sotto_infer
