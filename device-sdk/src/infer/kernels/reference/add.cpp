// ADD, int8 and int16: the loader's check and the reference kernel (rescaled_add.h), which
// rescales both inputs to a common scale, adds and requantizes.
#include "kernel_args.h"
#include "op_check.h"
#include "reference/rescaled_add.h"
#include "reference_fallback.h"

namespace sotto_infer {

// Without the reference fallback (reference_fallback.h), what the Cortex-M4 kernel cannot run
// itself is refused.
sotto_err_t check_add(OpCheck &c) {
  const sotto_err_t err = check_add_or_sub(c);
  if (err != SOTTO_OK || kReferenceFallback) return err;
  const bool same_shapes =
      c.input0.bytes == c.output.bytes && c.input1 != nullptr && c.input1->bytes == c.output.bytes;
  if (!m4_add_fits(c.param(), c.output.type == SOTTO_SMDL_INT8, same_shapes)) {
    return c.fail(SOTTO_ERR_MODEL_UNSUPPORTED_OP,
                  "inputs: expected int8 of the output's shape, one at twice the other's scale "
                  "or both equal" SOTTO_INFER_FALLBACK_LEFT_OUT);
  }
  return SOTTO_OK;
}

void reference::add(const KernelArgs &a) {
  rescaled_add<false>(a);
}

}  // namespace sotto_infer
