// TRANSPOSE_CONV, per-channel int8 weights, int8 or int16 activations: the loader's check and the
// reference kernel. As TFLM's reference kernel: every input pixel, weighted by the filter, is
// added into the output window it spreads over (stride apart, less the padding); then bias,
// requantization and clamp as CONV_2D of the same types (conv_arithmetic.h). This kernel gathers
// each output's sum instead of scattering into a scratch of accumulators as TFLM does: integer sums
// do not depend on their order, so the results are the same, without the scratch.
// The output size comes from the output tensor, as in TFLM: the output_shape input, when it is a
// graph input (input1), is never read.
#include "conv_arithmetic.h"

namespace sotto_infer {

sotto_err_t check_transpose_conv(OpCheck &c) {
  const uint32_t type = c.output.type;
  if ((type != SOTTO_SMDL_INT8 && type != SOTTO_SMDL_INT16) || c.input0.type != type) {
    return c.fail(SOTTO_ERR_MODEL_BAD_TENSOR,
                  "activations: expected int8 input and output, or int16 input and output");
  }
  if (c.input1 != nullptr && c.input1->type != SOTTO_SMDL_INT32) {
    return c.fail(SOTTO_ERR_MODEL_BAD_TENSOR, "output_shape: expected an int32 tensor or none");
  }
  sotto_err_t err = check_window(c);
  if (err != SOTTO_OK) return err;
  const int32_t *p = c.param();
  // The most products one output sums: every filter tap over every input channel.
  const uint64_t window = static_cast<uint64_t>(p[SOTTO_P_KERNEL_H]) * p[SOTTO_P_KERNEL_W] *
                          static_cast<uint64_t>(c.input0.dims[3]);
  if (type == SOTTO_SMDL_INT8) {
    err = check_mac_quantization(c);
    if (err != SOTTO_OK) return err;
    if (p[SOTTO_P_FILTER_OFFSET] != 0 || !accumulation_fits(c, window)) {
      return c.fail(SOTTO_ERR_MODEL_BAD_OP,
                    "window: expected filter offset 0 and kernel_h * kernel_w * in_c products "
                    "within the int32 accumulator (sotto_smdl_depth_fits_int32)");
    }
  }
  return check_conv_filter(c, window);
}

namespace {

// The filter taps k (0..kernel - 1) whose input position (out + pad - k) / stride is a whole
// input index inside 0..in - 1: the first such tap, or kernel when there is none; the next is
// `stride` further.
int32_t first_tap(int32_t out, int32_t pad, int32_t stride, int32_t in, int32_t kernel) {
  for (int32_t k = 0; k < kernel && k < stride; ++k) {
    const int32_t t = out + pad - k;
    if (t < 0) return kernel;
    if (t % stride == 0) {
      // Taps from k on reach input t / stride, then one less each step: skip those past the end.
      const int32_t past_end = t / stride - (in - 1);
      return past_end > 0 ? k + past_end * stride : k;
    }
  }
  return kernel;
}

template <typename Mac>
void transpose_conv_elements(const KernelArgs &a) {
  typedef typename Mac::Value In;
  const Mac mac(a);
  const int32_t *p = a.op->params;
  const int32_t in_h = a.input0->dims[1], in_w = a.input0->dims[2], in_c = a.input0->dims[3];
  const int32_t out_h = a.output->dims[1], out_w = a.output->dims[2], out_c = a.output->dims[3];
  const int32_t k_h = p[SOTTO_P_KERNEL_H], k_w = p[SOTTO_P_KERNEL_W];
  const int32_t s_h = p[SOTTO_P_STRIDE_H], s_w = p[SOTTO_P_STRIDE_W];
  const In *in = reinterpret_cast<const In *>(a.input0_data);
  In *out = reinterpret_cast<In *>(a.output_data);
  for (int32_t b = 0; b < a.output->dims[0]; ++b) {
    const In *in_batch = in + b * in_h * in_w * in_c;
    for (int32_t oy = 0; oy < out_h; ++oy) {
      const int32_t ky0 = first_tap(oy, p[SOTTO_P_PAD_H], s_h, in_h, k_h);
      for (int32_t ox = 0; ox < out_w; ++ox) {
        const int32_t kx0 = first_tap(ox, p[SOTTO_P_PAD_W], s_w, in_w, k_w);
        for (int32_t oc = 0; oc < out_c; ++oc) {
          typename Mac::Sum acc = 0;
          const int8_t *filter = a.weights + oc * k_h * k_w * in_c;
          for (int32_t ky = ky0; ky < k_h; ky += s_h) {
            const int32_t iy = (oy + p[SOTTO_P_PAD_H] - ky) / s_h;
            if (iy < 0) break;
            for (int32_t kx = kx0; kx < k_w; kx += s_w) {
              const int32_t ix = (ox + p[SOTTO_P_PAD_W] - kx) / s_w;
              if (ix < 0) break;
              const In *in_px = in_batch + (iy * in_w + ix) * in_c;
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

void reference::transpose_conv(const KernelArgs &a) {
  if (a.output->type == SOTTO_SMDL_INT16) {
    transpose_conv_elements<Int16Mac>(a);
  } else {
    transpose_conv_elements<Int8Mac>(a);
  }
}

}  // namespace sotto_infer
