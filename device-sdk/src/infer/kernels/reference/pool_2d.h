// AVERAGE_POOL_2D and MAX_POOL_2D, int8 (input and output share quantization): the check and the
// reference loop they share (average_pool_2d.cpp and max_pool_2d.cpp instantiate them).
#ifndef SOTTO_INFER_REFERENCE_POOL_2D_H
#define SOTTO_INFER_REFERENCE_POOL_2D_H

#include "fixed_point.h"
#include "kernel_args.h"
#include "op_check.h"

namespace sotto_infer {

inline sotto_err_t check_pool_2d(OpCheck &c) {
  sotto_err_t err = check_int8_activations(c);
  if (err == SOTTO_OK) err = check_window(c);
  if (err != SOTTO_OK) return err;
  if (c.input0.dims[3] != c.output.dims[3]) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH, "channels: expected input and output equal");
  }
  return SOTTO_OK;
}

template <bool kAverage>
inline void pool_2d(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const int32_t in_h = a.input0->dims[1], in_w = a.input0->dims[2], ch = a.input0->dims[3];
  const int32_t out_h = a.output->dims[1], out_w = a.output->dims[2];
  const int32_t batches = a.output->dims[0];
  for (int32_t b = 0; b < batches; ++b) {
    for (int32_t oy = 0; oy < out_h; ++oy) {
      const int32_t y0 = oy * p[SOTTO_P_STRIDE_H] - p[SOTTO_P_PAD_H];
      const int32_t fy0 = y0 < 0 ? -y0 : 0;
      const int32_t fy1 = in_h - y0 < p[SOTTO_P_KERNEL_H] ? in_h - y0 : p[SOTTO_P_KERNEL_H];
      for (int32_t ox = 0; ox < out_w; ++ox) {
        const int32_t x0 = ox * p[SOTTO_P_STRIDE_W] - p[SOTTO_P_PAD_W];
        const int32_t fx0 = x0 < 0 ? -x0 : 0;
        const int32_t fx1 = in_w - x0 < p[SOTTO_P_KERNEL_W] ? in_w - x0 : p[SOTTO_P_KERNEL_W];
        for (int32_t c = 0; c < ch; ++c) {
          int32_t acc = kAverage ? 0 : -128;
          int32_t count = 0;
          for (int32_t fy = fy0; fy < fy1; ++fy) {
            for (int32_t fx = fx0; fx < fx1; ++fx) {
              const int32_t v = a.input0_data[((b * in_h + y0 + fy) * in_w + x0 + fx) * ch + c];
              if (kAverage) {
                acc += v;
              } else if (v > acc) {
                acc = v;
              }
              ++count;
            }
          }
          if (kAverage) {
            if (count == 0) count = 1;  // an empty window (impossible for valid plans) yields 0
            acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
          }
          a.output_data[((b * out_h + oy) * out_w + ox) * ch + c] =
              static_cast<int8_t>(clamp_i32(acc, p[SOTTO_P_ACT_MIN], p[SOTTO_P_ACT_MAX]));
        }
      }
    }
  }
}

}  // namespace sotto_infer

#endif
