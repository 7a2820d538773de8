// Op kind -> loader check for the ops this build links, and every op's name (op_registry.h).
#include "op_registry.h"

namespace sotto_infer {

OpCheckFn check_for(uint32_t kind) {
  switch (kind) {
#define SOTTO_CHECK_CASE(NAME, STEM, VARIANT) \
  case SOTTO_OP_##NAME:                       \
    return check_##STEM;
    SOTTO_INFER_LINKED_OPS(SOTTO_CHECK_CASE)
#undef SOTTO_CHECK_CASE
    default:
      return nullptr;
  }
}

const char *op_name(uint32_t kind) {
  switch (kind) {
#define SOTTO_NAME_CASE(NAME, KIND, TFLITE_BUILTIN, STEM) \
  case KIND:                                              \
    return #NAME;
    SOTTO_OP_TABLE(SOTTO_NAME_CASE)
#undef SOTTO_NAME_CASE
    default:
      return "?";
  }
}

}  // namespace sotto_infer
