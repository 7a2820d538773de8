// DEQUANTIZE int8 -> float32 at the model edge: the loader's check and the reference kernel,
// (x - zp) * scale rounded once to float, as TFLite.
#include <string.h>

#include "fixed_point.h"
#include "kernel_args.h"
#include "op_check.h"

namespace sotto_infer {

sotto_err_t check_dequantize(OpCheck &c) {
  if (c.input0.type != SOTTO_SMDL_INT8) {
    return c.fail(SOTTO_ERR_MODEL_BAD_TENSOR, "input: expected int8");
  }
  if (c.output.type != SOTTO_SMDL_FLOAT32 ||
      c.output.bytes != 4 * static_cast<uint64_t>(c.input0.bytes)) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                  "output: expected float32 of the input's element count");
  }
  if (!zero_point_ok(c.param()[SOTTO_P_DEQUANTIZE_ZERO_POINT])) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP, "zero point: expected int8");
  }
  return SOTTO_OK;
}

void reference::dequantize(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const float scale = float_from_bits(p[SOTTO_P_DEQUANTIZE_SCALE_BITS]);
  const uint32_t n = a.input0->bytes;
  for (uint32_t i = 0; i < n; ++i) {
    // float * float is the exact product rounded once, as TFLite's double product cast to float.
    const float v = static_cast<float>(a.input0_data[i] - p[SOTTO_P_DEQUANTIZE_ZERO_POINT]) * scale;
    memcpy(reinterpret_cast<uint8_t *>(a.output_data) + 4 * i, &v, 4);
  }
}

}  // namespace sotto_infer
