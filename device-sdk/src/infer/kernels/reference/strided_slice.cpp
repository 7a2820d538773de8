// STRIDED_SLICE, any element type: the loader's check and the reference kernel, which copies
// every stride-th element of each dim from its start. The importer resolves TFLite's begin, end
// and masks to a start per dim; the output's dims are the counts, so the kernel and this check
// read nothing else.
#include <string.h>

#include "kernel_args.h"
#include "op_check.h"

namespace sotto_infer {

sotto_err_t check_strided_slice(OpCheck &c) {
  if (c.input0.type != c.output.type) {
    return c.fail(SOTTO_ERR_MODEL_BAD_TENSOR, "types: expected input and output equal");
  }
  const int32_t *p = c.param();
  for (int d = 0; d < 4; ++d) {
    const int64_t start = p[SOTTO_P_SLICE_START + d], stride = p[SOTTO_P_SLICE_STRIDE + d];
    const int64_t last = start + (static_cast<int64_t>(c.output.dims[d]) - 1) * stride;
    if (stride == 0 || stride < -static_cast<int64_t>(SOTTO_SMDL_MAX_DIM) ||
        stride > SOTTO_SMDL_MAX_DIM) {
      return c.fail(SOTTO_ERR_MODEL_BAD_OP, "strides: expected non-zero, |stride| <= 65535");
    }
    if (start < 0 || start >= c.input0.dims[d] || last < 0 || last >= c.input0.dims[d]) {
      return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                    "slice: expected every dim's first and last element inside the input");
    }
  }
  return SOTTO_OK;
}

void reference::strided_slice(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const int32_t *in_d = a.input0->dims, *out_d = a.output->dims;
  const uint32_t size = sotto_smdl_type_bytes(a.output->type);
  const uint8_t *in = reinterpret_cast<const uint8_t *>(a.input0_data);
  uint8_t *out = reinterpret_cast<uint8_t *>(a.output_data);
  const int32_t *start = p + SOTTO_P_SLICE_START, *stride = p + SOTTO_P_SLICE_STRIDE;
  for (int32_t o0 = 0; o0 < out_d[0]; ++o0) {
    const int32_t i0 = start[0] + o0 * stride[0];
    for (int32_t o1 = 0; o1 < out_d[1]; ++o1) {
      const int32_t i1 = i0 * in_d[1] + start[1] + o1 * stride[1];
      for (int32_t o2 = 0; o2 < out_d[2]; ++o2) {
        const int32_t i2 = i1 * in_d[2] + start[2] + o2 * stride[2];
        for (int32_t o3 = 0; o3 < out_d[3]; ++o3) {
          const int32_t at = i2 * in_d[3] + start[3] + o3 * stride[3];
          // memmove: a hostile blob may plan input and output over the same bytes.
          memmove(out, in + static_cast<size_t>(at) * size, size);
          out += size;
        }
      }
    }
  }
}

}  // namespace sotto_infer
