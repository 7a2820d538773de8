// What CONV_2D and TRANSPOSE_CONV share (conv_2d.cpp and transpose_conv.cpp): the loader's check
// of the filter and its requantization constants, and each activation type's arithmetic, as
// TFLM's reference kernels: int8 sums (input + input offset) x weight in int32, adds the int32
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

}  // namespace sotto_infer

#endif
