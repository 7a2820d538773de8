// RESHAPE: the loader's check and the reference kernel. The bytes do not change; the planner
// usually aliases input and output.
#include "kernel_args.h"
#include "op_check.h"

namespace sotto_infer {

sotto_err_t check_reshape(OpCheck &c) {
  const sotto_err_t err = check_int8_activations(c);
  if (err != SOTTO_OK) return err;
  if (c.input0.bytes != c.output.bytes) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH, "sizes: expected input and output equal");
  }
  return SOTTO_OK;
}

void reference::reshape(const KernelArgs &a) {
  if (a.output_data == a.input0_data) return;  // planned in place
  for (uint32_t i = 0; i < a.output->bytes; ++i) a.output_data[i] = a.input0_data[i];
}

}  // namespace sotto_infer
