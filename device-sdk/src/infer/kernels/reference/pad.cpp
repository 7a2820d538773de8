// PAD, int8 and int16: the loader's check and the reference kernel, which places the input inside
// the output, every added element the pad value in slot SOTTO_P_OUTPUT_OFFSET: the output zero
// point for int8 (TFLite's PAD of a quantized tensor; PADV2 only when its constant is that zero
// point), 0 for int16 (TFLM pads int16 with 0 whatever the zero point; the importer takes int16
// with zero point 0 only, as TFLite's 16x8 quantization has).
#include <string.h>

#include "kernel_args.h"
#include "op_check.h"

namespace sotto_infer {

sotto_err_t check_pad(OpCheck &c) {
  const sotto_err_t err = check_int8_or_int16_activations(c);
  if (err != SOTTO_OK) return err;
  const int32_t *p = c.param();
  for (int d = 0; d < 4; ++d) {
    const int32_t before = p[SOTTO_P_PAD_BEFORE + d], after = p[SOTTO_P_PAD_AFTER + d];
    if (before < 0 || after < 0 || static_cast<uint32_t>(before) > SOTTO_SMDL_MAX_DIM ||
        static_cast<uint32_t>(after) > SOTTO_SMDL_MAX_DIM ||
        static_cast<int64_t>(c.input0.dims[d]) + before + after != c.output.dims[d]) {
      return c.fail(
          SOTTO_ERR_MODEL_SHAPE_MISMATCH,
          "padding: expected 0..SOTTO_SMDL_MAX_DIM per side, input + before + after = output");
    }
  }
  const int32_t value = p[SOTTO_P_OUTPUT_OFFSET];
  if (c.output.type == SOTTO_SMDL_INT16 ? !int16_zero_point_ok(value) : !zero_point_ok(value)) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP, "pad value: expected within the activations' type");
  }
  return SOTTO_OK;
}

void reference::pad(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const int32_t *in_d = a.input0->dims, *out_d = a.output->dims;
  const size_t element = a.output->type == SOTTO_SMDL_INT16 ? 2 : 1;
  if (element == 2) {
    int16_t *out = reinterpret_cast<int16_t *>(a.output_data);
    const int16_t value = static_cast<int16_t>(p[SOTTO_P_OUTPUT_OFFSET]);
    for (uint32_t i = 0; i < element_count(*a.output); ++i) out[i] = value;
  } else {
    memset(a.output_data, p[SOTTO_P_OUTPUT_OFFSET], a.output->bytes);
  }
  const size_t row_bytes = static_cast<size_t>(in_d[3]) * element;
  for (int32_t i0 = 0; i0 < in_d[0]; ++i0) {
    for (int32_t i1 = 0; i1 < in_d[1]; ++i1) {
      for (int32_t i2 = 0; i2 < in_d[2]; ++i2) {
        const int32_t o0 = i0 + p[SOTTO_P_PAD_BEFORE], o1 = i1 + p[SOTTO_P_PAD_BEFORE + 1];
        const int32_t o2 = i2 + p[SOTTO_P_PAD_BEFORE + 2], o3 = p[SOTTO_P_PAD_BEFORE + 3];
        const int32_t out_at = ((o0 * out_d[1] + o1) * out_d[2] + o2) * out_d[3] + o3;
        const int32_t in_at = ((i0 * in_d[1] + i1) * in_d[2] + i2) * in_d[3];
        // memmove: a hostile blob may plan input and output over the same bytes; the result is
        // then meaningless but stays defined.
        memmove(a.output_data + static_cast<size_t>(out_at) * element,
                a.input0_data + static_cast<size_t>(in_at) * element, row_bytes);
      }
    }
  }
}

}  // namespace sotto_infer
