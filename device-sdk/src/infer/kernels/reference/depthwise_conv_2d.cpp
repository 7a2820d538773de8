// DEPTHWISE_CONV_2D, int8 per-channel, filter laid out [kh][kw][in_c * multiplier]: the loader's
// check and the reference kernel.
#include "fixed_point.h"
#include "kernel_args.h"
#include "op_check.h"
#include "reference_fallback.h"

namespace sotto_infer {

namespace {

// Without the reference fallback (reference_fallback.h): what the Cortex-M4 kernel cannot run
// itself is refused, by what it lacks (the constants' counts and ranges checked already).
sotto_err_t check_runs_without_fallback(OpCheck &c) {
  if (kReferenceFallback) return SOTTO_OK;
  const int32_t *p = c.param();
  const int32_t ch = c.input0.dims[3], taps = p[SOTTO_P_KERNEL_H] * p[SOTTO_P_KERNEL_W];
  if (p[SOTTO_P_DEPTH_MULTIPLIER] != 1 || c.output.dims[0] != 1 || (ch & 3) != 0 ||
      taps > kM4DepthwiseMaxTaps) {
    return c.fail(SOTTO_ERR_MODEL_UNSUPPORTED_OP,
                  "window: expected depth multiplier 1, 1 batch, channels a multiple of 4, at "
                  "most 64 taps" SOTTO_INFER_FALLBACK_LEFT_OUT);
  }
  if (c.op.scratch_bytes < m4_depthwise_scratch_bytes(ch, taps)) {
    return c.fail(SOTTO_ERR_MODEL_UNSUPPORTED_OP,
                  "scratch: expected the Cortex-M4 kernel's" SOTTO_INFER_FALLBACK_LEFT_OUT
                  "; import with --target cortex-m4");
  }
  const int32_t input_offset = p[SOTTO_P_INPUT_OFFSET];
  const int32_t *bias = c.op.bias_count ? c.model.constants_i32(c.op.bias_offset) : nullptr;
  const int32_t *shift = c.model.constants_i32(c.op.shift_offset);
  bool fits = input_offset >= -256 && input_offset <= 256;
  for (int32_t i = 0; fits && i < ch; ++i) {
    fits = m4_depthwise_channel_fits(bias != nullptr ? bias[i] : 0, shift[i], taps);
  }
  if (!fits) {
    return c.fail(SOTTO_ERR_MODEL_UNSUPPORTED_OP,
                  "requantization: expected an input offset in -256..256, each channel's shift "
                  "at most -2 (or -1 with |bias| below 2^30 - taps * 2^15) and |bias| at most "
                  "2^31 - 2^22" SOTTO_INFER_FALLBACK_LEFT_OUT);
  }
  return SOTTO_OK;
}

}  // namespace

sotto_err_t check_depthwise_conv_2d(OpCheck &c) {
  sotto_err_t err = check_int8_activations(c);
  if (err == SOTTO_OK) err = check_window(c);
  if (err == SOTTO_OK) err = check_mac_quantization(c);
  if (err != SOTTO_OK) return err;
  const int32_t *p = c.param();
  const uint64_t out_c = static_cast<uint64_t>(c.output.dims[3]);
  const uint64_t kernel = static_cast<uint64_t>(p[SOTTO_P_KERNEL_H]) * p[SOTTO_P_KERNEL_W];
  if (p[SOTTO_P_DEPTH_MULTIPLIER] < 1 || p[SOTTO_P_DEPTH_MULTIPLIER] > SOTTO_SMDL_MAX_WINDOW) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP, "depth multiplier: expected 1..1024");
  }
  if (out_c != static_cast<uint64_t>(c.input0.dims[3]) * p[SOTTO_P_DEPTH_MULTIPLIER]) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                  "channels: expected out_c = in_c * depth multiplier");
  }
  if (c.op.weights_bytes != out_c * kernel) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                  "weights: expected kernel_h * kernel_w * out_c bytes");
  }
  if (c.op.multiplier_count != out_c) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                  "requantization: expected one multiplier per output channel");
  }
  if (c.op.bias_count != 0 && c.op.bias_count != out_c) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH, "bias: expected none or one per output channel");
  }
  return check_runs_without_fallback(c);
}

void reference::depthwise_conv_2d(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const int32_t in_h = a.input0->dims[1], in_w = a.input0->dims[2], in_c = a.input0->dims[3];
  const int32_t out_h = a.output->dims[1], out_w = a.output->dims[2], out_c = a.output->dims[3];
  const int32_t batches = a.output->dims[0];
  const int32_t k_h = p[SOTTO_P_KERNEL_H], k_w = p[SOTTO_P_KERNEL_W];
  const int32_t mult = p[SOTTO_P_DEPTH_MULTIPLIER];
  const int32_t input_offset = p[SOTTO_P_INPUT_OFFSET], output_offset = p[SOTTO_P_OUTPUT_OFFSET];
  int8_t *out = a.output_data;
  for (int32_t b = 0; b < batches; ++b) {
    const int8_t *in_batch = a.input0_data + b * in_h * in_w * in_c;
    for (int32_t oy = 0; oy < out_h; ++oy) {
      const int32_t in_y0 = oy * p[SOTTO_P_STRIDE_H] - p[SOTTO_P_PAD_H];
      for (int32_t ox = 0; ox < out_w; ++ox) {
        const int32_t in_x0 = ox * p[SOTTO_P_STRIDE_W] - p[SOTTO_P_PAD_W];
        for (int32_t oc = 0; oc < out_c; ++oc) {
          const int32_t ic = oc / mult;
          int32_t acc = 0;
          for (int32_t ky = 0; ky < k_h; ++ky) {
            const int32_t iy = in_y0 + p[SOTTO_P_DILATION_H] * ky;
            if (iy < 0 || iy >= in_h) continue;
            for (int32_t kx = 0; kx < k_w; ++kx) {
              const int32_t ix = in_x0 + p[SOTTO_P_DILATION_W] * kx;
              if (ix < 0 || ix >= in_w) continue;
              const int32_t in_v = in_batch[(iy * in_w + ix) * in_c + ic];
              const int32_t f_v = a.weights[(ky * k_w + kx) * out_c + oc];
              acc += (in_v + input_offset) * f_v;
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
