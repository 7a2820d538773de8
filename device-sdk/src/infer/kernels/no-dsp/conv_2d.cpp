// CONV_2D for the cores without DSP (RV32IMC, Cortex-M0+), dense int8 filters. Output pixels in
// order, each pixel's channels in turn (the order the planner's in-place rule allows). With the
// folded bias of each channel (bias + input_offset * sum(filter), computed once per call), an
// interior pixel's window is raw products (dot.h): one run of kernel_w * in_c bytes per filter
// row when the columns are not dilated (a 1x1 filter: one run of in_c), one run of in_c per tap
// otherwise. Pixels whose window leaves the picture sum (x + input_offset) * w over the taps
// inside, found once per pixel: no test per MAC. Bit-exact with the reference: the sums are equal
// modulo 2^32, as the reference's int32 sum (bounded by the loader) and its wrapping bias
// addition are. Block-sparse and Cortex-M4-interleaved filters run the reference.
#include "fixed_point.h"
#include "kernel_args.h"
#include "no-dsp/dot.h"
#include "reference/conv_arithmetic.h"

namespace sotto_infer {
namespace {

// The window's taps from (ky_lo, kx_lo) to (ky_hi, kx_hi), exclusive, whose first row starts at
// `x` (row ky_lo, column kx_lo) and its filter at `w`: sum (x (+ input_offset)) * w.
template <bool kOffset>
int32_t window_sum(const KernelArgs &a, const int8_t *x, const int8_t *w, int32_t ky_lo,
                   int32_t ky_hi, int32_t kx_lo, int32_t kx_hi) {
  const int32_t *p = a.op->params;
  const int32_t in_w = a.input0->dims[2], in_c = a.input0->dims[3];
  const int32_t k_w = p[SOTTO_P_KERNEL_W];
  const int32_t d_h = p[SOTTO_P_DILATION_H], d_w = p[SOTTO_P_DILATION_W];
  const int32_t input_offset = p[SOTTO_P_INPUT_OFFSET];
  // Undilated columns: one run per filter row; else one per tap.
  const int32_t run = d_w == 1 ? (kx_hi - kx_lo) * in_c : in_c;
  const int32_t runs = d_w == 1 ? 1 : kx_hi - kx_lo;
  int32_t acc = 0;
  for (int32_t ky = ky_lo; ky < ky_hi && kx_lo < kx_hi; ++ky) {
    const int8_t *xr = x, *wr = w;
    for (int32_t r = 0; r < runs; ++r, xr += d_w * in_c, wr += in_c) {
      acc += no_dsp::dot<kOffset>(xr, wr, run, input_offset);
    }
    x += d_h * in_w * in_c;
    w += k_w * in_c;
  }
  return acc;
}

}  // namespace

namespace no_dsp {

void conv_2d(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  if (p[SOTTO_P_SPARSE_WEIGHTS] != 0 || p[SOTTO_P_FC_WEIGHTS_INTERLEAVED] != 0) {
    reference::conv_2d(a);
    return;
  }
  const int32_t in_h = a.input0->dims[1], in_w = a.input0->dims[2], in_c = a.input0->dims[3];
  const int32_t out_h = a.output->dims[1], out_w = a.output->dims[2], out_c = a.output->dims[3];
  const int32_t k_h = p[SOTTO_P_KERNEL_H], k_w = p[SOTTO_P_KERNEL_W];
  const int32_t d_h = p[SOTTO_P_DILATION_H], d_w = p[SOTTO_P_DILATION_W];
  const int32_t input_offset = p[SOTTO_P_INPUT_OFFSET], output_offset = p[SOTTO_P_OUTPUT_OFFSET];
  const int32_t act_min = p[SOTTO_P_ACT_MIN], act_max = p[SOTTO_P_ACT_MAX];
  const int32_t window = k_h * k_w * in_c;
  const bool fold = out_c <= kFoldedChannels;
  int32_t folded[kFoldedChannels];
  for (int32_t oc = 0; fold && oc < out_c; ++oc) {
    folded[oc] =
        folded_bias(a.bias ? a.bias[oc] : 0, input_offset, a.weights + oc * window, 1, window);
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
        // The window's first tap inside (an index: in_y0 may lie above the picture).
        const int8_t *x = in + ((in_y0 + d_h * ky_lo) * in_w + in_x0 + d_w * kx_lo) * in_c;
        const int8_t *w = a.weights + (ky_lo * k_w + kx_lo) * in_c;
        for (int32_t oc = 0; oc < out_c; ++oc, w += window) {
          int32_t acc;
          if (interior) {
            acc = wrapping_add(window_sum<false>(a, x, w, 0, k_h, 0, k_w), folded[oc]);
          } else {
            acc = window_sum<true>(a, x, w, ky_lo, ky_hi, kx_lo, kx_hi);
            if (a.bias) acc = wrapping_add(acc, a.bias[oc]);
          }
          *out++ = requantize_to_int8(acc, a.multiplier[oc], a.shift[oc], output_offset, act_min,
                                      act_max);
        }
      }
    }
  }
}

}  // namespace no_dsp
}  // namespace sotto_infer
