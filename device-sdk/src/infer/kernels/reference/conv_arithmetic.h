// What CONV_2D, CONV_2D_16X8 and TRANSPOSE_CONV share (conv_2d.cpp, conv_2d_16x8.cpp,
// transpose_conv.cpp): the loader's check of the filter and its requantization constants, the
// dense convolution loop, and each activation type's arithmetic, as TFLM's reference kernels:
// int8 sums (input + input offset) x weight in int32, adds the int32
// bias and requantizes with the 32-bit multiplier plus the output offset; int16 (TFLite's 16x8,
// zero points 0) sums input x weight in int64, adds the int64 bias and requantizes with the 64-bit
// multiplier, without an offset. Both clamp to the fused activation.
#ifndef SOTTO_INFER_REFERENCE_CONV_ARITHMETIC_H
#define SOTTO_INFER_REFERENCE_CONV_ARITHMETIC_H

#include "fixed_point.h"
#include "kernel_args.h"
#include "op_check.h"

namespace sotto_infer {

// int8 requantization constants: one multiplier and none or one bias per output channel (after
// the op's check_mac_quantization), whatever form the weights take.
inline sotto_err_t check_per_channel_requantization(OpCheck &c) {
  const uint64_t out_c = static_cast<uint64_t>(c.output.dims[3]);
  if (c.op.multiplier_count != out_c) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                  "requantization: expected one multiplier per output channel");
  }
  if (c.op.bias_count != 0 && c.op.bias_count != out_c) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH, "bias: expected none or one per output channel");
  }
  return SOTTO_OK;
}

// Dense weights [out_c][kernel_h][kernel_w][in_c] (`window` = kernel_h * kernel_w * in_c bytes per
// output channel); for int16 the 16x8 constants (check_16x8_quantization), for int8
// check_per_channel_requantization. `int16_possible`: false where the op's check has already
// refused int16 activations (CONV_2D's), so that an engine for int8 models links no 16x8 check.
inline sotto_err_t check_conv_filter(OpCheck &c, uint64_t window, bool int16_possible = true) {
  if (int16_possible && c.output.type == SOTTO_SMDL_INT16) {
    const sotto_err_t err = check_16x8_quantization(c, window);
    if (err != SOTTO_OK) return err;
  }
  if (c.op.weights_bytes != static_cast<uint64_t>(c.output.dims[3]) * window) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                  "weights: expected out_c * kernel_h * kernel_w * in_c bytes");
  }
  if (int16_possible && c.output.type == SOTTO_SMDL_INT16) return SOTTO_OK;
  return check_per_channel_requantization(c);
}

// The int8 arithmetic. The op's values are copied into the object so that the kernels' loops keep
// them in registers (every int8 output store may alias the op record for the compiler).
class Int8Mac {
 public:
  typedef int8_t Value;
  typedef int32_t Sum;
  explicit Int8Mac(const KernelArgs &a)
      : bias_(a.bias),
        multiplier_(a.multiplier),
        shift_(a.shift),
        input_offset_(a.op->params[SOTTO_P_INPUT_OFFSET]),
        output_offset_(a.op->params[SOTTO_P_OUTPUT_OFFSET]),
        act_min_(a.op->params[SOTTO_P_ACT_MIN]),
        act_max_(a.op->params[SOTTO_P_ACT_MAX]) {}
  int32_t product(int8_t x, int8_t w) const { return (x + input_offset_) * w; }
  int32_t input_offset() const { return input_offset_; }
  int8_t output(int32_t sum, int32_t oc) const {
    if (bias_) sum = wrapping_add(sum, bias_[oc]);
    return requantize_to_int8(sum, multiplier_[oc], shift_[oc], output_offset_, act_min_, act_max_);
  }

 private:
  const int32_t *bias_, *multiplier_, *shift_;
  int32_t input_offset_, output_offset_, act_min_, act_max_;
};

// The int16 (16x8) arithmetic: the loader keeps every sum plus its bias below 2^47.
class Int16Mac {
 public:
  typedef int16_t Value;
  typedef int64_t Sum;
  explicit Int16Mac(const KernelArgs &a)
      : bias_(a.bias),
        multiplier_(a.multiplier),
        shift_(a.shift),
        act_min_(a.op->params[SOTTO_P_ACT_MIN]),
        act_max_(a.op->params[SOTTO_P_ACT_MAX]) {}
  int32_t product(int16_t x, int8_t w) const { return x * w; }
  int32_t input_offset() const { return 0; }
  int16_t output(int64_t sum, int32_t oc) const {
    if (bias_) sum += bias_64(bias_, oc);
    const int32_t scaled = multiply_by_quantized_multiplier_64(sum, multiplier_[oc], shift_[oc]);
    return static_cast<int16_t>(clamp_i32(scaled, act_min_, act_max_));
  }

 private:
  const int32_t *bias_, *multiplier_, *shift_;
  int32_t act_min_, act_max_;
};

// The sum of n products of activations x and weights w: (x + input offset) * w in int32 for
// int8, x * w in int64 for int16 (offset 0). A function of its own, not inlined, with its four
// arguments in registers: its loop then keeps the pointers, the index, the offset and the sum in
// registers. Written inside the window loops at -Os, the Cortex-M0's eight low registers spilled
// the sum and the offset to the stack at every MAC (kws: 82.5 M instructions there, 51.3 M with
// this loop).
__attribute__((noinline)) inline int32_t tap_sum(const int8_t *x, const int8_t *w, int32_t n,
                                                 int32_t x_offset) {
  int32_t acc = 0;
  for (int32_t i = 0; i < n; ++i) acc += (x[i] + x_offset) * w[i];
  return acc;
}
// int16: each product is below 2^22 in magnitude, so 256 of them sum exactly in int32; int64
// additions only once per 256 (a 64-bit add per MAC costs the Cortex-M0 two stack round trips).
__attribute__((noinline)) inline int64_t tap_sum(const int16_t *x, const int8_t *w, int32_t n,
                                                 int32_t) {
  int64_t acc = 0;
  while (n > 0) {
    const int32_t chunk = n < 256 ? n : 256;
    int32_t part = 0;
    for (int32_t i = 0; i < chunk; ++i) part += x[i] * w[i];
    acc += part;
    x += chunk;
    w += chunk;
    n -= chunk;
  }
  return acc;
}

// The taps k (0..kernel - 1) whose input position start + dilation * k lies in 0..in - 1: *lo up
// to *hi (exclusive; empty when *lo >= *hi). Found once per output row or column, so the
// channel loops below test no position.
inline void taps_inside(int32_t start, int32_t dilation, int32_t in, int32_t kernel, int32_t *lo,
                        int32_t *hi) {
  int32_t k = 0;
  while (k < kernel && start + dilation * k < 0) ++k;
  *lo = k;
  while (k < kernel && start + dilation * k < in) ++k;
  *hi = k;
}

// CONV_2D's dense loop for either arithmetic (conv_2d.cpp: Int8Mac, conv_2d_16x8.cpp: Int16Mac):
// each output channel's window summed over the pixels inside the picture, then Mac::output. The
// products are those of the reference, in its order (tap row, tap column, channel); a tap row
// without column dilation is one run of (columns inside) * in_c values in both the input and the
// filter. (Sums bounded by the loader's accumulation check are the same in any grouping.)
template <typename Mac>
inline void conv_2d_dense(const KernelArgs &a) {
  typedef typename Mac::Value Value;
  const Mac mac(a);
  const int32_t input_offset = mac.input_offset();
  const int32_t *p = a.op->params;
  const int32_t in_h = a.input0->dims[1], in_w = a.input0->dims[2], in_c = a.input0->dims[3];
  const int32_t out_h = a.output->dims[1], out_w = a.output->dims[2], out_c = a.output->dims[3];
  const int32_t batches = a.output->dims[0];
  const int32_t k_h = p[SOTTO_P_KERNEL_H], k_w = p[SOTTO_P_KERNEL_W];
  const int32_t d_h = p[SOTTO_P_DILATION_H], d_w = p[SOTTO_P_DILATION_W];
  const Value *in = reinterpret_cast<const Value *>(a.input0_data);
  Value *out = reinterpret_cast<Value *>(a.output_data);
  for (int32_t b = 0; b < batches; ++b) {
    const Value *in_batch = in + b * in_h * in_w * in_c;
    for (int32_t oy = 0; oy < out_h; ++oy) {
      const int32_t in_y0 = oy * p[SOTTO_P_STRIDE_H] - p[SOTTO_P_PAD_H];
      int32_t ky_lo, ky_hi;
      taps_inside(in_y0, d_h, in_h, k_h, &ky_lo, &ky_hi);
      for (int32_t ox = 0; ox < out_w; ++ox) {
        const int32_t in_x0 = ox * p[SOTTO_P_STRIDE_W] - p[SOTTO_P_PAD_W];
        int32_t kx_lo, kx_hi;
        taps_inside(in_x0, d_w, in_w, k_w, &kx_lo, &kx_hi);
        const int32_t run = d_w == 1 ? (kx_hi - kx_lo) * in_c : in_c;
        const int32_t runs = d_w == 1 ? (kx_hi > kx_lo ? 1 : 0) : kx_hi - kx_lo;
        // Index of the first tap inside, row ky_lo counted from in_y0 (which may lie above the
        // picture: an index, not a pointer, until a row inside is added).
        const int32_t px0 = (in_y0 * in_w + in_x0 + d_w * kx_lo) * in_c;
        for (int32_t oc = 0; oc < out_c; ++oc) {
          typename Mac::Sum acc = 0;
          const int8_t *filter = a.weights + (oc * k_h * k_w + kx_lo) * in_c;
          for (int32_t ky = ky_lo; ky < ky_hi; ++ky) {
            const Value *x = in_batch + px0 + d_h * ky * in_w * in_c;
            const int8_t *w = filter + ky * k_w * in_c;
            for (int32_t r = 0; r < runs; ++r, x += d_w * in_c, w += in_c) {
              acc += tap_sum(x, w, run, input_offset);
            }
          }
          *out++ = mac.output(acc, oc);
        }
      }
    }
  }
}

}  // namespace sotto_infer

#endif
