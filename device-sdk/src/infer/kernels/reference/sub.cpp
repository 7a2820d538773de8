// SUB, int8 and int16: the loader's check and the reference kernel (rescaled_add.h), which
// rescales both inputs to a common scale, subtracts the second and requantizes.
#include "kernel_args.h"
#include "op_check.h"
#include "reference/rescaled_add.h"

namespace sotto_infer {

sotto_err_t check_sub(OpCheck &c) {
  return check_add_or_sub(c);
}

void reference::sub(const KernelArgs &a) {
  rescaled_add<true>(a);
}

}  // namespace sotto_infer
