// CONV_2D_16X8: a CONV_2D with int16 activations and int8 weights (TFLite's 16x8 quantization),
// as TFLM's reference: zero points 0, int64 sums and bias, the 64-bit requantization
// (conv_arithmetic.h). A kernel object of its own, so an engine for int8 models links none of it:
// the blob stores CONV_2D, and sotto_smdl_kernel_kind (smdl_format.h) selects this op at load
// from the int16 output.
#include "conv_arithmetic.h"

namespace sotto_infer {

sotto_err_t check_conv_2d_16x8(OpCheck &c) {
  sotto_err_t err = check_int8_or_int16_activations(c);
  if (err == SOTTO_OK) err = check_window(c);
  if (err != SOTTO_OK) return err;
  const int32_t *p = c.param();
  if (c.output.type != SOTTO_SMDL_INT16) {
    return c.fail(SOTTO_ERR_MODEL_BAD_TENSOR, "activations: expected int16");
  }
  if (p[SOTTO_P_SPARSE_WEIGHTS] != 0 || p[SOTTO_P_FC_WEIGHTS_INTERLEAVED] != 0) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP,
                  "sparse or interleaved weights: expected int8 activations");
  }
  const uint64_t window = static_cast<uint64_t>(p[SOTTO_P_KERNEL_H]) * p[SOTTO_P_KERNEL_W] *
                          static_cast<uint64_t>(c.input0.dims[3]);
  return check_conv_filter(c, window);
}

void reference::conv_2d_16x8(const KernelArgs &a) {
  conv_2d_dense<Int16Mac>(a);
}

}  // namespace sotto_infer
