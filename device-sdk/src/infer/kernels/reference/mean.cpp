// MEAN over H and W of an NHWC int8 tensor: the loader's check and the reference kernel, as TFLM
// computes it (reference_ops::QuantizedMeanOrSum): the int32 sum of the window minus the input
// zero point times the count, scaled by MultiplyByQuantizedMultiplier with a multiplier that
// already includes 1 / count (the importer folds it in as TFLM does), plus the output zero
// point, clamped to int8. Equal input and output quantization take the same path.
#include "fixed_point.h"
#include "kernel_args.h"
#include "op_check.h"

namespace sotto_infer {

sotto_err_t check_mean(OpCheck &c) {
  const sotto_err_t err = check_int8_activations(c);
  if (err != SOTTO_OK) return err;
  const sotto_smdl_tensor_t &in = c.input0;
  // A sum of up to SOTTO_SMDL_MAX_MEAN_COUNT (2^24) int8 values fits an int32.
  if (c.output.dims[3] != in.dims[3] ||
      c.output.bytes != static_cast<uint64_t>(in.dims[0]) * in.dims[3] ||
      static_cast<uint64_t>(in.dims[1]) * static_cast<uint64_t>(in.dims[2]) >
          SOTTO_SMDL_MAX_MEAN_COUNT) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                  "shapes: expected output batches x channels of the input, H x W <= 2^24");
  }
  const int32_t *p = c.param();
  if (!zero_point_ok(p[SOTTO_P_MEAN_INPUT_ZERO_POINT]) ||
      !zero_point_ok(p[SOTTO_P_OUTPUT_OFFSET]) || p[SOTTO_P_MEAN_MULT] < 0 ||
      !shift_ok(p[SOTTO_P_MEAN_SHIFT])) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP,
                  "quantization: expected int8 zero points, multiplier >= 0 and shift -31..30");
  }
  return SOTTO_OK;
}

void reference::mean(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const int32_t batches = a.input0->dims[0], h = a.input0->dims[1], w = a.input0->dims[2];
  const int32_t ch = a.input0->dims[3];
  const int32_t count = h * w;
  // TFLM subtracts in 64 bits and narrows to int32: wrap the same way.
  const int64_t zero_point_sum = static_cast<int64_t>(p[SOTTO_P_MEAN_INPUT_ZERO_POINT]) * count;
  for (int32_t b = 0; b < batches; ++b) {
    for (int32_t c = 0; c < ch; ++c) {
      int32_t sum = 0;
      for (int32_t i = 0; i < count; ++i) sum += a.input0_data[(b * count + i) * ch + c];
      const int32_t shifted =
          static_cast<int32_t>(static_cast<uint32_t>(static_cast<int64_t>(sum) - zero_point_sum));
      const int32_t scaled =
          multiply_by_quantized_multiplier(shifted, p[SOTTO_P_MEAN_MULT], p[SOTTO_P_MEAN_SHIFT]);
      // scaled is at most 2^31 / 2 in magnitude after a right shift; widen before the offset.
      const int64_t v = static_cast<int64_t>(scaled) + p[SOTTO_P_OUTPUT_OFFSET];
      a.output_data[b * ch + c] = static_cast<int8_t>(v < -128 ? -128 : (v > 127 ? 127 : v));
    }
  }
}

}  // namespace sotto_infer
