// AVERAGE_POOL_2D, int8: the loader's check and the reference kernel (pool_2d.h).
#include "reference/pool_2d.h"

namespace sotto_infer {

sotto_err_t check_average_pool_2d(OpCheck &c) {
  return check_pool_2d(c);
}

void reference::average_pool_2d(const KernelArgs &a) {
  pool_2d<true>(a);
}

}  // namespace sotto_infer
