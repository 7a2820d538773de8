// MEAN over H and W of an NHWC int8 tensor: the loader's check and the reference kernel. With
// equal input and output quantization the int32 sum divided by the count (truncating);
// otherwise in float, round(sum / count * (in_scale / out_scale) - in_zp * that scale) + out_zp,
// clamped.
#include <string.h>

#include "fixed_point.h"
#include "kernel_args.h"
#include "op_check.h"

namespace sotto_infer {

sotto_err_t check_mean(OpCheck &c) {
  const sotto_err_t err = check_int8_activations(c);
  if (err != SOTTO_OK) return err;
  const sotto_smdl_tensor_t &in = c.input0;
  // Sums of up to 2^24 int8 values fit an int32.
  if (c.output.dims[3] != in.dims[3] ||
      c.output.bytes != static_cast<uint64_t>(in.dims[0]) * in.dims[3] ||
      static_cast<int64_t>(in.dims[1]) * in.dims[2] > (int64_t{1} << 24)) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                  "shapes: expected output batches x channels of the input, H x W <= 2^24");
  }
  if (!zero_point_ok(c.param()[SOTTO_P_OUTPUT_OFFSET])) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP, "output zero point: expected int8");
  }
  return SOTTO_OK;
}

void reference::mean(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const int32_t batches = a.input0->dims[0], h = a.input0->dims[1], w = a.input0->dims[2];
  const int32_t ch = a.input0->dims[3];
  const int32_t count = h * w;
  const float scale = float_from_bits(p[SOTTO_P_MEAN_SCALE_BITS]);
  const float bias = float_from_bits(p[SOTTO_P_MEAN_BIAS_BITS]);
  for (int32_t b = 0; b < batches; ++b) {
    for (int32_t c = 0; c < ch; ++c) {
      int32_t sum = 0;
      for (int32_t i = 0; i < count; ++i) sum += a.input0_data[(b * count + i) * ch + c];
      int32_t v;
      if (p[SOTTO_P_MEAN_SAME_QUANTIZATION]) {
        v = sum / count;
      } else {
        const float mean_value = static_cast<float>(sum) / static_cast<float>(count);
        v = clamp_i32(round_half_away(mean_value * scale + bias) + p[SOTTO_P_OUTPUT_OFFSET], -128,
                      127);
      }
      a.output_data[b * ch + c] = static_cast<int8_t>(v);
    }
  }
}

}  // namespace sotto_infer
