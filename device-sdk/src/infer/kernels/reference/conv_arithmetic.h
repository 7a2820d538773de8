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
// check_per_channel_requantization.
inline sotto_err_t check_conv_filter(OpCheck &c, uint64_t window) {
  if (c.output.type == SOTTO_SMDL_INT16) {
    const sotto_err_t err = check_16x8_quantization(c, window);
    if (err != SOTTO_OK) return err;
  }
  if (c.op.weights_bytes != static_cast<uint64_t>(c.output.dims[3]) * window) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                  "weights: expected out_c * kernel_h * kernel_w * in_c bytes");
  }
  if (c.output.type == SOTTO_SMDL_INT16) return SOTTO_OK;
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
  int16_t output(int64_t sum, int32_t oc) const {
    if (bias_) sum += bias_64(bias_, oc);
    const int32_t scaled = multiply_by_quantized_multiplier_64(sum, multiplier_[oc], shift_[oc]);
    return static_cast<int16_t>(clamp_i32(scaled, act_min_, act_max_));
  }

 private:
  const int32_t *bias_, *multiplier_, *shift_;
  int32_t act_min_, act_max_;
};

// CONV_2D's dense loop for either arithmetic (conv_2d.cpp: Int8Mac, conv_2d_16x8.cpp: Int16Mac):
// each output channel's window summed over the pixels inside the picture, then Mac::output.
template <typename Mac>
inline void conv_2d_dense(const KernelArgs &a) {
  typedef typename Mac::Value Value;
  const Mac mac(a);
  const int32_t *p = a.op->params;
  const int32_t in_h = a.input0->dims[1], in_w = a.input0->dims[2], in_c = a.input0->dims[3];
  const int32_t out_h = a.output->dims[1], out_w = a.output->dims[2], out_c = a.output->dims[3];
  const int32_t batches = a.output->dims[0];
  const int32_t k_h = p[SOTTO_P_KERNEL_H], k_w = p[SOTTO_P_KERNEL_W];
  const Value *in = reinterpret_cast<const Value *>(a.input0_data);
  Value *out = reinterpret_cast<Value *>(a.output_data);
  for (int32_t b = 0; b < batches; ++b) {
    const Value *in_batch = in + b * in_h * in_w * in_c;
    for (int32_t oy = 0; oy < out_h; ++oy) {
      const int32_t in_y0 = oy * p[SOTTO_P_STRIDE_H] - p[SOTTO_P_PAD_H];
      for (int32_t ox = 0; ox < out_w; ++ox) {
        const int32_t in_x0 = ox * p[SOTTO_P_STRIDE_W] - p[SOTTO_P_PAD_W];
        for (int32_t oc = 0; oc < out_c; ++oc) {
          typename Mac::Sum acc = 0;
          const int8_t *filter = a.weights + oc * k_h * k_w * in_c;
          for (int32_t ky = 0; ky < k_h; ++ky) {
            const int32_t iy = in_y0 + p[SOTTO_P_DILATION_H] * ky;
            if (iy < 0 || iy >= in_h) continue;
            for (int32_t kx = 0; kx < k_w; ++kx) {
              const int32_t ix = in_x0 + p[SOTTO_P_DILATION_W] * kx;
              if (ix < 0 || ix >= in_w) continue;
              const Value *in_px = in_batch + (iy * in_w + ix) * in_c;
              const int8_t *f_px = filter + (ky * k_w + kx) * in_c;
              for (int32_t ic = 0; ic < in_c; ++ic) acc += mac.product(in_px[ic], f_px[ic]);
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
