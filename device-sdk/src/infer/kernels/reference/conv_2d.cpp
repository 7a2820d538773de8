// CONV_2D, per-channel int8 weights: the loader's check and the reference kernel, the oracle
// every optimized variant must match. int8 activations, and int16 ones (TFLite's 16x8
// quantization, as TFLM's reference: zero points 0, int64 sums and bias): conv_arithmetic.h.
#include "conv_arithmetic.h"

namespace sotto_infer {

sotto_err_t check_conv_2d(OpCheck &c) {
  sotto_err_t err = check_int8_or_int16_activations(c);
  if (err == SOTTO_OK) err = check_window(c);
  if (err != SOTTO_OK) return err;
  const int32_t *p = c.param();
  const uint64_t window = static_cast<uint64_t>(p[SOTTO_P_KERNEL_H]) * p[SOTTO_P_KERNEL_W] *
                          static_cast<uint64_t>(c.input0.dims[3]);
  if (c.output.type == SOTTO_SMDL_INT8) {
    err = check_mac_quantization(c);
    if (err != SOTTO_OK) return err;
    if (window > SOTTO_SMDL_MAX_ACCUMULATION_DEPTH) {
      return c.fail(
          SOTTO_ERR_MODEL_BAD_OP,
          "window: expected kernel_h * kernel_w * in_c <= SOTTO_SMDL_MAX_ACCUMULATION_DEPTH");
    }
  }
  return check_conv_filter(c, window);
}

namespace {

template <typename Mac>
void conv_2d_elements(const KernelArgs &a) {
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

}  // namespace

void reference::conv_2d(const KernelArgs &a) {
  if (a.output->type == SOTTO_SMDL_INT16) {
    conv_2d_elements<Int16Mac>(a);
  } else {
    conv_2d_elements<Int8Mac>(a);
  }
}

}  // namespace sotto_infer
