// CONV_2D, per-channel int8 weights: the loader's check and the reference kernels, the oracles
// every optimized variant must match. int8 activations accumulate in int32; int16 activations
// (TFLite's 16x8 quantization, as TFLM's reference: zero points 0, int64 bias) in int64, then the
// 64-bit requantization, clamped to the fused activation without an output offset.
#include "fixed_point.h"
#include "kernel_args.h"
#include "op_check.h"

namespace sotto_infer {

sotto_err_t check_conv_2d(OpCheck &c) {
  sotto_err_t err = check_int8_or_int16_activations(c);
  if (err == SOTTO_OK) err = check_window(c);
  if (err != SOTTO_OK) return err;
  const int32_t *p = c.param();
  const uint64_t out_c = static_cast<uint64_t>(c.output.dims[3]);
  const uint64_t window = static_cast<uint64_t>(p[SOTTO_P_KERNEL_H]) * p[SOTTO_P_KERNEL_W] *
                          static_cast<uint64_t>(c.input0.dims[3]);
  if (c.output.type == SOTTO_SMDL_INT16) {
    err = check_16x8_quantization(c, window);
    if (err == SOTTO_OK && c.op.weights_bytes != out_c * window) {
      return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                    "weights: expected out_c * kernel_h * kernel_w * in_c bytes");
    }
    return err;
  }
  err = check_mac_quantization(c);
  if (err != SOTTO_OK) return err;
  if (window > SOTTO_SMDL_MAX_ACCUMULATION_DEPTH) {
    return c.fail(
        SOTTO_ERR_MODEL_BAD_OP,
        "window: expected kernel_h * kernel_w * in_c <= SOTTO_SMDL_MAX_ACCUMULATION_DEPTH");
  }
  if (c.op.weights_bytes != out_c * window) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                  "weights: expected out_c * kernel_h * kernel_w * in_c bytes");
  }
  if (c.op.multiplier_count != out_c) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                  "requantization: expected one multiplier per output channel");
  }
  if (c.op.bias_count != 0 && c.op.bias_count != out_c) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH, "bias: expected none or one per output channel");
  }
  return SOTTO_OK;
}

namespace {

void conv_2d_16x8(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const int32_t in_h = a.input0->dims[1], in_w = a.input0->dims[2], in_c = a.input0->dims[3];
  const int32_t out_h = a.output->dims[1], out_w = a.output->dims[2], out_c = a.output->dims[3];
  const int32_t k_h = p[SOTTO_P_KERNEL_H], k_w = p[SOTTO_P_KERNEL_W];
  const int16_t *in = reinterpret_cast<const int16_t *>(a.input0_data);
  int16_t *out = reinterpret_cast<int16_t *>(a.output_data);
  for (int32_t b = 0; b < a.output->dims[0]; ++b) {
    const int16_t *in_batch = in + b * in_h * in_w * in_c;
    for (int32_t oy = 0; oy < out_h; ++oy) {
      const int32_t in_y0 = oy * p[SOTTO_P_STRIDE_H] - p[SOTTO_P_PAD_H];
      for (int32_t ox = 0; ox < out_w; ++ox) {
        const int32_t in_x0 = ox * p[SOTTO_P_STRIDE_W] - p[SOTTO_P_PAD_W];
        for (int32_t oc = 0; oc < out_c; ++oc) {
          int64_t acc = 0;
          const int8_t *filter = a.weights + oc * k_h * k_w * in_c;
          for (int32_t ky = 0; ky < k_h; ++ky) {
            const int32_t iy = in_y0 + p[SOTTO_P_DILATION_H] * ky;
            if (iy < 0 || iy >= in_h) continue;
            for (int32_t kx = 0; kx < k_w; ++kx) {
              const int32_t ix = in_x0 + p[SOTTO_P_DILATION_W] * kx;
              if (ix < 0 || ix >= in_w) continue;
              const int16_t *in_px = in_batch + (iy * in_w + ix) * in_c;
              const int8_t *f_px = filter + (ky * k_w + kx) * in_c;
              for (int32_t ic = 0; ic < in_c; ++ic) acc += in_px[ic] * f_px[ic];
            }
          }
          if (a.bias) acc += bias_64(a.bias, oc);
          const int32_t scaled =
              multiply_by_quantized_multiplier_64(acc, a.multiplier[oc], a.shift[oc]);
          *out++ = static_cast<int16_t>(clamp_i32(scaled, p[SOTTO_P_ACT_MIN], p[SOTTO_P_ACT_MAX]));
        }
      }
    }
  }
}

}  // namespace

void reference::conv_2d(const KernelArgs &a) {
  if (a.output->type == SOTTO_SMDL_INT16) {
    conv_2d_16x8(a);
    return;
  }
  const int32_t *p = a.op->params;
  const int32_t in_h = a.input0->dims[1], in_w = a.input0->dims[2], in_c = a.input0->dims[3];
  const int32_t out_h = a.output->dims[1], out_w = a.output->dims[2], out_c = a.output->dims[3];
  const int32_t batches = a.output->dims[0];
  const int32_t k_h = p[SOTTO_P_KERNEL_H], k_w = p[SOTTO_P_KERNEL_W];
  const int32_t input_offset = p[SOTTO_P_INPUT_OFFSET], output_offset = p[SOTTO_P_OUTPUT_OFFSET];
  int8_t *out = a.output_data;
  for (int32_t b = 0; b < batches; ++b) {
    const int8_t *in_batch = a.input0_data + b * in_h * in_w * in_c;
    for (int32_t oy = 0; oy < out_h; ++oy) {
      const int32_t in_y0 = oy * p[SOTTO_P_STRIDE_H] - p[SOTTO_P_PAD_H];
      for (int32_t ox = 0; ox < out_w; ++ox) {
        const int32_t in_x0 = ox * p[SOTTO_P_STRIDE_W] - p[SOTTO_P_PAD_W];
        for (int32_t oc = 0; oc < out_c; ++oc) {
          int32_t acc = 0;
          const int8_t *filter = a.weights + oc * k_h * k_w * in_c;
          for (int32_t ky = 0; ky < k_h; ++ky) {
            const int32_t iy = in_y0 + p[SOTTO_P_DILATION_H] * ky;
            if (iy < 0 || iy >= in_h) continue;
            for (int32_t kx = 0; kx < k_w; ++kx) {
              const int32_t ix = in_x0 + p[SOTTO_P_DILATION_W] * kx;
              if (ix < 0 || ix >= in_w) continue;
              const int8_t *in_px = in_batch + (iy * in_w + ix) * in_c;
              const int8_t *f_px = filter + (ky * k_w + kx) * in_c;
              for (int32_t ic = 0; ic < in_c; ++ic) {
                acc += (in_px[ic] + input_offset) * f_px[ic];
              }
            }
          }
          if (a.bias) acc = wrapping_add(acc, a.bias[oc]);
          *out++ = requantize_to_int8(acc, a.multiplier[oc], a.shift[oc], output_offset,
                                      p[SOTTO_P_ACT_MIN], p[SOTTO_P_ACT_MAX]);
        }
      }
    }
  }
}

}  // namespace sotto_infer
