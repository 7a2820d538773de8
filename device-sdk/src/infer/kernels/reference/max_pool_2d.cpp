// MAX_POOL_2D, int8: the loader's check and the reference kernel (pool_2d.h).
#include "reference/pool_2d.h"

namespace sotto_infer {

sotto_err_t check_max_pool_2d(OpCheck &c) {
  return check_pool_2d(c);
}

void reference::max_pool_2d(const KernelArgs &a) {
  pool_2d<false>(a);
}

}  // namespace sotto_infer
