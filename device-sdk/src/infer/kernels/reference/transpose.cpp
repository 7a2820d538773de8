// TRANSPOSE, any element type: the loader's check and the reference kernel, which writes the
// output in order, output dim k walking input dim perm[k] (right-aligned 4-D dims; the importer
// maps a lower-rank permutation onto them, the leading dims staying in place).
#include <string.h>

#include "kernel_args.h"
#include "op_check.h"

namespace sotto_infer {

sotto_err_t check_transpose(OpCheck &c) {
  if (c.input0.type != c.output.type) {
    return c.fail(SOTTO_ERR_MODEL_BAD_TENSOR, "types: expected input and output equal");
  }
  const int32_t *perm = c.param() + SOTTO_P_TRANSPOSE_PERM;
  uint32_t seen = 0;
  for (int k = 0; k < 4; ++k) {
    if (perm[k] < 0 || perm[k] > 3 || (seen & (1u << perm[k])) != 0) {
      return c.fail(SOTTO_ERR_MODEL_BAD_OP, "permutation: expected each of 0..3 once");
    }
    seen |= 1u << perm[k];
    if (c.output.dims[k] != c.input0.dims[perm[k]]) {
      return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                    "dims: expected output dim k equal to input dim perm[k]");
    }
  }
  return SOTTO_OK;
}

void reference::transpose(const KernelArgs &a) {
  const int32_t *perm = a.op->params + SOTTO_P_TRANSPOSE_PERM;
  const int32_t *in_d = a.input0->dims, *out_d = a.output->dims;
  const uint32_t size = sotto_smdl_type_bytes(a.output->type);
  // Element strides of the input's dims, then of the input dim each output dim walks.
  int32_t in_stride[4];
  in_stride[3] = 1;
  for (int d = 2; d >= 0; --d) in_stride[d] = in_stride[d + 1] * in_d[d + 1];
  const int32_t s0 = in_stride[perm[0]], s1 = in_stride[perm[1]], s2 = in_stride[perm[2]],
                s3 = in_stride[perm[3]];
  const uint8_t *in = reinterpret_cast<const uint8_t *>(a.input0_data);
  uint8_t *out = reinterpret_cast<uint8_t *>(a.output_data);
  for (int32_t o0 = 0; o0 < out_d[0]; ++o0) {
    for (int32_t o1 = 0; o1 < out_d[1]; ++o1) {
      for (int32_t o2 = 0; o2 < out_d[2]; ++o2) {
        const int32_t row = o0 * s0 + o1 * s1 + o2 * s2;
        for (int32_t o3 = 0; o3 < out_d[3]; ++o3) {
          // memmove: a hostile blob may plan input and output over the same bytes.
          memmove(out, in + static_cast<size_t>(row + o3 * s3) * size, size);
          out += size;
        }
      }
    }
  }
}

}  // namespace sotto_infer
