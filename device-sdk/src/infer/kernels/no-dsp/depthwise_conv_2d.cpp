// DEPTHWISE_CONV_2D for the cores without DSP (RV32IMC, Cortex-M0+). Output pixels in order, each
// pixel's channels in turn (the order the planner's in-place rule allows). With the folded bias
// of each channel (bias + input_offset * sum of its taps, computed once per call), an interior
// pixel's window is raw products, one filter row at a time down the input channel (taps in_c
// apart in the input, out_c apart in the filter: dot.h). Pixels whose window leaves the picture
// sum (x + input_offset) * w over the taps inside, found once per pixel: no test per MAC.
// Bit-exact with the reference (sums equal modulo 2^32, as conv_2d.cpp here).
#include "fixed_point.h"
#include "kernel_args.h"
#include "no-dsp/dot.h"
#include "reference/conv_arithmetic.h"

namespace sotto_infer {
namespace no_dsp {

void depthwise_conv_2d(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const int32_t in_h = a.input0->dims[1], in_w = a.input0->dims[2], in_c = a.input0->dims[3];
  const int32_t out_h = a.output->dims[1], out_w = a.output->dims[2], out_c = a.output->dims[3];
  const int32_t k_h = p[SOTTO_P_KERNEL_H], k_w = p[SOTTO_P_KERNEL_W];
  const int32_t d_h = p[SOTTO_P_DILATION_H], d_w = p[SOTTO_P_DILATION_W];
  const int32_t mult = p[SOTTO_P_DEPTH_MULTIPLIER];
  const int32_t input_offset = p[SOTTO_P_INPUT_OFFSET], output_offset = p[SOTTO_P_OUTPUT_OFFSET];
  const int32_t act_min = p[SOTTO_P_ACT_MIN], act_max = p[SOTTO_P_ACT_MAX];
  const int32_t x_step = d_w * in_c;  // input distance between neighbouring column taps
  const bool fold = out_c <= kFoldedChannels;
  int32_t folded[kFoldedChannels];
  for (int32_t oc = 0; fold && oc < out_c; ++oc) {
    folded[oc] =
        folded_bias(a.bias ? a.bias[oc] : 0, input_offset, a.weights + oc, out_c, k_h * k_w);
  }
  int8_t *out = a.output_data;
  for (int32_t b = 0; b < a.output->dims[0]; ++b) {
    const int8_t *in = a.input0_data + b * in_h * in_w * in_c;
    for (int32_t oy = 0; oy < out_h; ++oy) {
      const int32_t in_y0 = oy * p[SOTTO_P_STRIDE_H] - p[SOTTO_P_PAD_H];
      int32_t ky_lo, ky_hi;
      taps_inside(in_y0, d_h, in_h, k_h, &ky_lo, &ky_hi);
      for (int32_t ox = 0; ox < out_w; ++ox) {
        const int32_t in_x0 = ox * p[SOTTO_P_STRIDE_W] - p[SOTTO_P_PAD_W];
        int32_t kx_lo, kx_hi;
        taps_inside(in_x0, d_w, in_w, k_w, &kx_lo, &kx_hi);
        const bool interior = fold && ky_lo == 0 && ky_hi == k_h && kx_lo == 0 && kx_hi == k_w;
        const int32_t columns = kx_hi > kx_lo ? kx_hi - kx_lo : 0;
        // The first tap inside, for input channel 0 and output channel 0.
        const int8_t *x0 = in + ((in_y0 + d_h * ky_lo) * in_w + in_x0 + d_w * kx_lo) * in_c;
        const int8_t *w0 = a.weights + (ky_lo * k_w + kx_lo) * out_c;
        int32_t oc = 0;
        for (int32_t ic = 0; ic < in_c; ++ic) {
          for (int32_t m = 0; m < mult; ++m, ++oc) {
            const int8_t *x = x0 + ic, *w = w0 + oc;
            int32_t acc = 0;
            for (int32_t ky = ky_lo; ky < ky_hi; ++ky, x += d_h * in_w * in_c, w += k_w * out_c) {
              acc += interior ? dot_strided<false>(x, x_step, w, out_c, columns, 0)
                              : dot_strided<true>(x, x_step, w, out_c, columns, input_offset);
            }
            if (interior) {
              acc = wrapping_add(acc, folded[oc]);
            } else if (a.bias) {
              acc = wrapping_add(acc, a.bias[oc]);
            }
            *out++ = requantize_to_int8(acc, a.multiplier[oc], a.shift[oc], output_offset, act_min,
                                        act_max);
          }
        }
      }
    }
  }
}

}  // namespace no_dsp
}  // namespace sotto_infer
