// CONCATENATION, int8 with equal quantization on every input and the output: the loader's check
// and the reference kernel, which copies each input's slice of every outer index along the axis
// (right-aligned dims, axis 0..3). The inputs are listed as uint32 tensor indices in the weights
// range, the first one also as input0.
#include <string.h>

#include "kernel_args.h"
#include "op_check.h"

namespace sotto_infer {

sotto_err_t check_concatenation(OpCheck &c) {
  const sotto_err_t err = check_int8_activations(c);
  if (err != SOTTO_OK) return err;
  const sotto_smdl_op_t &op = c.op;
  const int32_t axis = op.params[SOTTO_P_CONCAT_AXIS];
  if (axis < 0 || axis > 3) return c.fail(SOTTO_ERR_MODEL_BAD_OP, "axis: expected 0..3");
  if (op.weights_bytes == 0 || (op.weights_bytes & 3u) != 0 || (op.weights_offset & 3u) != 0) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP, "input list: expected word-aligned uint32 indices");
  }
  const uint32_t *inputs = reinterpret_cast<const uint32_t *>(c.model.data + op.weights_offset);
  if (inputs[0] != op.input0) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP, "input list: expected input0 first");
  }
  int64_t stacked = 0;
  for (uint32_t k = 0; k < op.weights_bytes / 4; ++k) {
    if (inputs[k] >= c.model.header->tensor_count) {
      return c.fail(SOTTO_ERR_MODEL_BAD_OP, "input list: expected indices inside the tensor table");
    }
    const sotto_smdl_tensor_t &t = c.model.tensors[inputs[k]];
    if (t.type != SOTTO_SMDL_INT8) {
      return c.fail(SOTTO_ERR_MODEL_BAD_TENSOR, "inputs: expected int8 tensors");
    }
    for (int d = 0; d < 4; ++d) {
      if (d != axis && t.dims[d] != c.output.dims[d]) {
        return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                      "inputs: expected every dim but the axis equal to the output's");
      }
    }
    stacked += t.dims[axis];
  }
  if (stacked != c.output.dims[axis]) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                  "inputs: expected their sizes along the axis to add up to the output's");
  }
  return SOTTO_OK;
}

void reference::concatenation(const KernelArgs &a) {
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
