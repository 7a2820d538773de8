// Reference CONCATENATION, int8 with equal quantization on every input and the output: copies
// each input's slice of every outer index along the axis (right-aligned dims, axis 0..3).
#include <string.h>

#include "kernel_args.h"

namespace sotto_infer {

void concatenation(const KernelArgs &a) {
  const int32_t axis = a.op->params[SOTTO_P_CONCAT_AXIS];
  const uint32_t *inputs = reinterpret_cast<const uint32_t *>(a.weights);
  const uint32_t count = a.op->weights_bytes / 4;
  int32_t outer = 1, inner = 1;
  for (int32_t d = 0; d < axis; ++d) outer *= a.output->dims[d];
  for (int32_t d = axis + 1; d < 4; ++d) inner *= a.output->dims[d];
  const int32_t out_row = a.output->dims[axis] * inner;
  int32_t at = 0;  // offset of this input's slice within an output row
  for (uint32_t k = 0; k < count; ++k) {
    const sotto_smdl_tensor_t &t = a.tensors[inputs[k]];
    const int8_t *src = reinterpret_cast<const int8_t *>(a.arena + t.arena_offset);
    const int32_t row = t.dims[axis] * inner;
    for (int32_t o = 0; o < outer; ++o) {
      memmove(a.output_data + o * out_row + at, src + o * row, static_cast<size_t>(row));
    }
    at += row;
  }
}

}  // namespace sotto_infer
