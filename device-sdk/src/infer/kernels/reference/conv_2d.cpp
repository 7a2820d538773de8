// CONV_2D, int8 activations, per-channel int8 weights, dense or block-sparse (smdl_format.h), or
// filters interleaved for the Cortex-M4 (interleaved_weights.h): the loader's check and
// the reference kernel, the oracle every optimized variant must match. A CONV_2D with int16
// activations runs CONV_2D_16X8 (conv_2d_16x8.cpp) instead.
#include "conv_arithmetic.h"
#include "interleaved_weights.h"
#include "reference_fallback.h"
#include "sparse_weights.h"

namespace sotto_infer {

namespace {

// Without the reference fallback (reference_fallback.h): what the Cortex-M4 kernel cannot run
// itself is refused, by what it lacks.
sotto_err_t check_runs_without_fallback(OpCheck &c, uint64_t window) {
  const int32_t *p = c.param();
  if (kReferenceFallback) return SOTTO_OK;
  if (has_sparse_weights(p)) {
    const bool pointwise = p[SOTTO_P_KERNEL_H] == 1 && p[SOTTO_P_KERNEL_W] == 1 &&
                           p[SOTTO_P_STRIDE_H] == 1 && p[SOTTO_P_STRIDE_W] == 1 &&
                           p[SOTTO_P_PAD_H] == 0 && p[SOTTO_P_PAD_W] == 0;
    if (pointwise) return SOTTO_OK;
    return c.fail(
        SOTTO_ERR_MODEL_UNSUPPORTED_OP,
        "sparse weights: expected a 1x1 window, stride 1, no padding" SOTTO_INFER_FALLBACK_LEFT_OUT
        "; import with --dense-weights");
  }
  if (c.output.dims[0] != 1) {
    return c.fail(SOTTO_ERR_MODEL_UNSUPPORTED_OP,
                  "batch: expected 1" SOTTO_INFER_FALLBACK_LEFT_OUT);
  }
  const uint64_t needed = m4_conv_2d_scratch_bytes(
      p[SOTTO_P_FC_WEIGHTS_INTERLEAVED], static_cast<uint32_t>(c.input0.dims[3]),
      static_cast<uint32_t>(window), static_cast<uint32_t>(c.output.dims[3]));
  if (c.op.scratch_bytes < needed) {
    return c.fail(SOTTO_ERR_MODEL_UNSUPPORTED_OP,
                  "scratch: expected the Cortex-M4 kernel's" SOTTO_INFER_FALLBACK_LEFT_OUT
                  "; import with --target cortex-m4");
  }
  return SOTTO_OK;
}

}  // namespace

sotto_err_t check_conv_2d(OpCheck &c) {
  sotto_err_t err = check_int8_activations(c);
  if (err == SOTTO_OK) err = check_window(c);
  if (err == SOTTO_OK) err = check_mac_quantization(c);
  if (err != SOTTO_OK) return err;
  const int32_t *p = c.param();
  const uint64_t window = static_cast<uint64_t>(p[SOTTO_P_KERNEL_H]) * p[SOTTO_P_KERNEL_W] *
                          static_cast<uint64_t>(c.input0.dims[3]);
  if (window > SOTTO_SMDL_MAX_ACCUMULATION_DEPTH) {
    return c.fail(
        SOTTO_ERR_MODEL_BAD_OP,
        "window: expected kernel_h * kernel_w * in_c <= SOTTO_SMDL_MAX_ACCUMULATION_DEPTH");
  }
  if (p[SOTTO_P_SPARSE_WEIGHTS] != 0 && !kSparseWeights) {
    return c.fail(SOTTO_ERR_MODEL_UNSUPPORTED_OP, kSparseWeightsLeftOut);
  }
  if (!has_sparse_weights(p)) {
    // Interleaved filters (smdl_format.h): flag 1 only for a pointwise window, flag 2 for any
    // other; both with the folded bias, and the Cortex-M4 kernels walk them with word loads from
    // their start.
    const int32_t interleaving = p[SOTTO_P_FC_WEIGHTS_INTERLEAVED];
    const bool pointwise = p[SOTTO_P_KERNEL_H] == 1 && p[SOTTO_P_KERNEL_W] == 1 &&
                           p[SOTTO_P_PAD_H] == 0 && p[SOTTO_P_PAD_W] == 0;
    const bool layout_fits =
        interleaving == (pointwise ? SOTTO_SMDL_INTERLEAVED_ROWS : SOTTO_SMDL_INTERLEAVED_WINDOW);
    if (interleaving != 0 &&
        (!layout_fits || c.op.folded_bias_count != static_cast<uint32_t>(c.output.dims[3]) ||
         (c.op.weights_offset & 3u) != 0)) {
      return c.fail(SOTTO_ERR_MODEL_BAD_OP,
                    "interleaved weights: expected flag 1 for a 1x1 window without padding or 2 "
                    "for any other window, int8 activations, one folded bias per output channel "
                    "and word-aligned weights");
    }
    err = check_runs_without_fallback(c, window);
    if (err != SOTTO_OK) return err;
    // (int8: check_int8_activations, so no 16x8 check)
    if (interleaving != SOTTO_SMDL_INTERLEAVED_WINDOW) return check_conv_filter(c, window, false);
    const uint64_t row = sotto_smdl_window_row(static_cast<uint32_t>(window));  // whole groups
    if (c.op.weights_bytes != static_cast<uint64_t>(c.output.dims[3]) * row) {
      return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                    "weights: expected out_c * (kernel_h * kernel_w * in_c rounded up to a "
                    "multiple of 4) bytes for a filter interleaved with flag 2");
    }
    return check_conv_filter(c, row, false);
  }
  const uint32_t out_c = static_cast<uint32_t>(c.output.dims[3]);
  const SparseShape shape = {out_c,
                             static_cast<uint32_t>(p[SOTTO_P_KERNEL_H] * p[SOTTO_P_KERNEL_W]),
                             static_cast<uint32_t>(c.input0.dims[3])};
  if (p[SOTTO_P_SPARSE_WEIGHTS] != 1 || p[SOTTO_P_FC_WEIGHTS_INTERLEAVED] != 0 ||
      (c.op.weights_offset & 3u) != 0) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP,
                  "sparse weights: expected flag 1, not interleaved, word-aligned");
  }
  if (!sparse_weights_ok(shape, c.model.data + c.op.weights_offset, c.op.weights_bytes)) {
    return c.fail(SOTTO_ERR_MODEL_BAD_CONSTANTS,
                  "sparse weights: expected a bitmap of kernel_h * kernel_w * ceil(in_c / 4) "
                  "bits per row, no stray bits, 4 bytes per set bit");
  }
  err = check_runs_without_fallback(c, window);
  if (err != SOTTO_OK) return err;
  return check_per_channel_requantization(c);
}

namespace {

// One output pixel of sparse weights: every output channel's row walked over the window, the
// runs of pixels in the padding passed over. The same sums as the dense loop.
void sparse_conv_pixel(const KernelArgs &a, const int8_t *in_batch, int32_t in_y0, int32_t in_x0,
                       int8_t *out) {
  const int32_t *p = a.op->params;
  const int32_t in_h = a.input0->dims[1], in_w = a.input0->dims[2], in_c = a.input0->dims[3];
  const int32_t out_c = a.output->dims[3];
  const int32_t k_h = p[SOTTO_P_KERNEL_H], k_w = p[SOTTO_P_KERNEL_W];
  const int32_t input_offset = p[SOTTO_P_INPUT_OFFSET];
  const SparseShape shape = {static_cast<uint32_t>(out_c), static_cast<uint32_t>(k_h * k_w),
                             static_cast<uint32_t>(in_c)};
  const uint32_t row_bytes = sotto_smdl_sparse_row_bitmap_bytes(shape.groups, shape.run);
  const uint32_t bits_per_run = (shape.run + SOTTO_SMDL_SPARSE_BLOCK - 1) / SOTTO_SMDL_SPARSE_BLOCK;
  const uint8_t *bits = reinterpret_cast<const uint8_t *>(a.weights);
  const int8_t *blocks = sparse_blocks(shape, a.weights);
  for (int32_t oc = 0; oc < out_c; ++oc, bits += row_bytes) {
    int32_t acc = 0;
    uint32_t bit = 0;
    for (int32_t ky = 0; ky < k_h; ++ky) {
      const int32_t iy = in_y0 + p[SOTTO_P_DILATION_H] * ky;
      for (int32_t kx = 0; kx < k_w; ++kx, bit += bits_per_run) {
        const int32_t ix = in_x0 + p[SOTTO_P_DILATION_W] * kx;
        const bool outside = iy < 0 || iy >= in_h || ix < 0 || ix >= in_w;
        const int8_t *in_px = outside ? in_batch : in_batch + (iy * in_w + ix) * in_c;
        sparse_run(bits, bit, shape.run, &blocks, outside,
                   [&](uint32_t k, const int8_t *w, uint32_t n) {
                     for (uint32_t j = 0; j < n; ++j) acc += (in_px[k + j] + input_offset) * w[j];
                   });
      }
    }
    if (a.bias) acc = wrapping_add(acc, a.bias[oc]);
    out[oc] = requantize_to_int8(acc, a.multiplier[oc], a.shift[oc], p[SOTTO_P_OUTPUT_OFFSET],
                                 p[SOTTO_P_ACT_MIN], p[SOTTO_P_ACT_MAX]);
  }
}

void sparse_conv_2d(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const int32_t in_h = a.input0->dims[1], in_w = a.input0->dims[2], in_c = a.input0->dims[3];
  const int32_t out_h = a.output->dims[1], out_w = a.output->dims[2], out_c = a.output->dims[3];
  int8_t *out = a.output_data;
  for (int32_t b = 0; b < a.output->dims[0]; ++b) {
    const int8_t *in_batch = a.input0_data + b * in_h * in_w * in_c;
    for (int32_t oy = 0; oy < out_h; ++oy) {
      for (int32_t ox = 0; ox < out_w; ++ox, out += out_c) {
        sparse_conv_pixel(a, in_batch, oy * p[SOTTO_P_STRIDE_H] - p[SOTTO_P_PAD_H],
                          ox * p[SOTTO_P_STRIDE_W] - p[SOTTO_P_PAD_W], out);
      }
    }
  }
}

// A filter stored interleaved (interleaved_weights.h), pointwise or windowed, read one weight at
// a time; taps outside the picture add nothing.
void interleaved_conv_2d(const KernelArgs &a) {
  const Int8Mac mac(a);
  const int32_t *p = a.op->params;
  const int32_t in_h = a.input0->dims[1], in_w = a.input0->dims[2], in_c = a.input0->dims[3];
  const int32_t out_h = a.output->dims[1], out_w = a.output->dims[2], out_c = a.output->dims[3];
  const int32_t k_h = p[SOTTO_P_KERNEL_H], k_w = p[SOTTO_P_KERNEL_W];
  const uint32_t window = static_cast<uint32_t>(k_h * k_w * in_c);
  const int32_t row =
      static_cast<int32_t>(p[SOTTO_P_FC_WEIGHTS_INTERLEAVED] == SOTTO_SMDL_INTERLEAVED_WINDOW
                               ? sotto_smdl_window_row(window)
                               : window);
  int8_t *out = a.output_data;
  for (int32_t b = 0; b < a.output->dims[0]; ++b) {
    const int8_t *in_batch = a.input0_data + b * in_h * in_w * in_c;
    for (int32_t oy = 0; oy < out_h; ++oy) {
      for (int32_t ox = 0; ox < out_w; ++ox) {
        const int32_t y0 = oy * p[SOTTO_P_STRIDE_H] - p[SOTTO_P_PAD_H];
        const int32_t x0 = ox * p[SOTTO_P_STRIDE_W] - p[SOTTO_P_PAD_W];
        for (int32_t oc = 0; oc < out_c; ++oc) {
          int32_t acc = 0;
          for (int32_t ky = 0; ky < k_h; ++ky) {
            const int32_t iy = y0 + p[SOTTO_P_DILATION_H] * ky;
            for (int32_t kx = 0; kx < k_w; ++kx) {
              const int32_t ix = x0 + p[SOTTO_P_DILATION_W] * kx;
              if (iy < 0 || iy >= in_h || ix < 0 || ix >= in_w) continue;
              const int8_t *in_px = in_batch + (iy * in_w + ix) * in_c;
              const int32_t k0 = (ky * k_w + kx) * in_c;
              for (int32_t ic = 0; ic < in_c; ++ic) {
                acc += mac.product(in_px[ic], static_cast<int8_t>(interleaved_weight(
                                                  a.weights, out_c, row, oc, k0 + ic)));
              }
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
  if (has_sparse_weights(a.op->params)) {
    sparse_conv_2d(a);
  } else if (a.op->params[SOTTO_P_FC_WEIGHTS_INTERLEAVED] != 0) {
    interleaved_conv_2d(a);
  } else {
    conv_2d_dense<Int8Mac>(a);
  }
}

}  // namespace sotto_infer
