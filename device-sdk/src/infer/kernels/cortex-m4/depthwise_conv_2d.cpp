// DEPTHWISE_CONV_2D for Cortex-M4 (depth multiplier 1, channels a multiple of 4): four channels
// at a time, one word of input and one of weights per tap, SXTAB16 adds the input offset while
// widening and SMLABB/SMLATT keep each channel's sum apart. Taps are offset lists (at most 64;
// larger windows run the reference): one for every interior pixel, one per border pixel. The
// planned scratch holds a RequantEntry per channel (without it the reference runs). Bit-exact
// with the reference (the same integer sums).
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

}  // namespace

void depthwise_conv_2d(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const int32_t in_h = a.input0->dims[1], in_w = a.input0->dims[2], ch = a.input0->dims[3];
  const int32_t out_h = a.output->dims[1], out_w = a.output->dims[2];
  const int32_t k_h = p[SOTTO_P_KERNEL_H], k_w = p[SOTTO_P_KERNEL_W];
  if (p[SOTTO_P_DEPTH_MULTIPLIER] != 1 || a.output->dims[0] != 1 || (ch & 3) != 0 ||
      k_h * k_w > kMaxTaps || a.scratch == nullptr ||
      a.op->scratch_bytes < static_cast<uint32_t>(ch) * sizeof(RequantEntry)) {
    depthwise_conv_2d_reference(a);
    return;
  }
  const int32_t dil_h = p[SOTTO_P_DILATION_H], dil_w = p[SOTTO_P_DILATION_W];
  const uint32_t offset_pair = pair_of(p[SOTTO_P_INPUT_OFFSET]);
  const int32_t out_offset = p[SOTTO_P_OUTPUT_OFFSET];
  const int32_t act_min = p[SOTTO_P_ACT_MIN], act_max = p[SOTTO_P_ACT_MAX];
  // Taps as (input, weight) byte offsets of channel 0: every tap relative to the window's
  // corner (interior pixels), or per pixel the taps inside the picture (border pixels).
  int32_t all_in[kMaxTaps], all_w[kMaxTaps], edge_in[kMaxTaps], edge_w[kMaxTaps];
  for (int32_t ky = 0; ky < k_h; ++ky) {
    for (int32_t kx = 0; kx < k_w; ++kx) {
      all_in[ky * k_w + kx] = (dil_h * ky * in_w + dil_w * kx) * ch;
      all_w[ky * k_w + kx] = (ky * k_w + kx) * ch;
    }
  }
  const int32_t span_h = dil_h * (k_h - 1), span_w = dil_w * (k_w - 1);
  const bool unrolled_3x3 = k_h == 3 && k_w == 3 && dil_h == 1 && dil_w == 1;
  // Locals, not a.*: every int8 output store may alias the argument struct for the compiler.
  const int32_t *const bias = a.bias;
  RequantEntry *const requant = reinterpret_cast<RequantEntry *>(a.scratch);
  prepare_requant(a.multiplier, a.shift, ch, requant);
  const bool short_requant = all_shift_right(requant, ch);
  const int8_t *const input = a.input0_data, *const weights = a.weights;
  int8_t *out = a.output_data;
  for (int32_t oy = 0; oy < out_h; ++oy) {
    const int32_t y0 = oy * p[SOTTO_P_STRIDE_H] - p[SOTTO_P_PAD_H];
    for (int32_t ox = 0; ox < out_w; ++ox, out += ch) {
      const int32_t x0 = ox * p[SOTTO_P_STRIDE_W] - p[SOTTO_P_PAD_W];
      const int32_t *tap_in = all_in, *tap_w = all_w;
      int32_t taps = k_h * k_w;
      int32_t base = (y0 * in_w + x0) * ch;
      if (y0 < 0 || x0 < 0 || y0 + span_h >= in_h || x0 + span_w >= in_w) {
        taps = 0;
        base = 0;
        for (int32_t ky = 0; ky < k_h; ++ky) {
          const int32_t iy = y0 + dil_h * ky;
          if (iy < 0 || iy >= in_h) continue;
          for (int32_t kx = 0; kx < k_w; ++kx) {
            const int32_t ix = x0 + dil_w * kx;
            if (ix < 0 || ix >= in_w) continue;
            edge_in[taps] = (iy * in_w + ix) * ch;
            edge_w[taps++] = (ky * k_w + kx) * ch;
          }
        }
        tap_in = edge_in;
        tap_w = edge_w;
      }
      for (int32_t c = 0; c < ch; c += 4) {
        int32_t acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
        if (bias) {
          acc0 = bias[c];
          acc1 = bias[c + 1];
          acc2 = bias[c + 2];
          acc3 = bias[c + 3];
        }
        const int8_t *src = input + base + c;
        const int8_t *w = weights + c;
        int32_t acc[4] = {acc0, acc1, acc2, acc3};
        if (unrolled_3x3 && tap_in == all_in) {
          window_3x3(src, w, ch, in_w * ch, offset_pair, acc);
        } else {
          for (int32_t t = 0; t < taps; ++t) tap4(src + tap_in[t], w + tap_w[t], offset_pair, acc);
        }
        acc0 = acc[0];
        acc1 = acc[1];
        acc2 = acc[2];
        acc3 = acc[3];
        if (short_requant) {  // every MLPerf depthwise layer: no shift test per output
          out[c] = requantize_entry_right_to_int8(acc0, requant[c], out_offset, act_min, act_max);
          out[c + 1] =
              requantize_entry_right_to_int8(acc1, requant[c + 1], out_offset, act_min, act_max);
          out[c + 2] =
              requantize_entry_right_to_int8(acc2, requant[c + 2], out_offset, act_min, act_max);
          out[c + 3] =
              requantize_entry_right_to_int8(acc3, requant[c + 3], out_offset, act_min, act_max);
          continue;
        }
        out[c] = requantize_entry_to_int8(acc0, requant[c], out_offset, act_min, act_max);
        out[c + 1] = requantize_entry_to_int8(acc1, requant[c + 1], out_offset, act_min, act_max);
        out[c + 2] = requantize_entry_to_int8(acc2, requant[c + 2], out_offset, act_min, act_max);
        out[c + 3] = requantize_entry_to_int8(acc3, requant[c + 3], out_offset, act_min, act_max);
      }
    }
  }
}

}  // namespace sotto_infer
