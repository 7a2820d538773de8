// Loader checks that several ops share (see op_check.h).
#include "op_check.h"

namespace sotto_infer {

sotto_err_t check_int8_activations(OpCheck &c) {
  if (c.input0.type != SOTTO_SMDL_INT8 || c.output.type != SOTTO_SMDL_INT8 ||
      (c.input1 != nullptr && c.input1->type != SOTTO_SMDL_INT8)) {
    return c.fail(SOTTO_ERR_MODEL_BAD_TENSOR, "activations: expected int8 tensors");
  }
  return SOTTO_OK;
}

namespace {

// ADD and MUL read an input of 1 element, of the output's last dim, or of the output's size.
bool broadcast_ok(const sotto_smdl_tensor_t &in, const sotto_smdl_tensor_t &out) {
  return in.bytes == 1 || in.bytes == static_cast<uint32_t>(out.dims[3]) || in.bytes == out.bytes;
}

}  // namespace

sotto_err_t check_two_broadcast_inputs(OpCheck &c) {
  if (c.input1 == nullptr) return c.fail(SOTTO_ERR_MODEL_BAD_OP, "input1: expected a tensor");
  if (!broadcast_ok(c.input0, c.output) || !broadcast_ok(*c.input1, c.output)) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                  "inputs: expected 1 element, the output's last dim or the output's size");
  }
  return SOTTO_OK;
}

sotto_err_t check_mac_quantization(OpCheck &c) {
  const int32_t *p = c.param();
  if (!offset_ok(p[SOTTO_P_INPUT_OFFSET]) || !offset_ok(p[SOTTO_P_FILTER_OFFSET]) ||
      !zero_point_ok(p[SOTTO_P_OUTPUT_OFFSET])) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP, "offsets: expected input/filter -127..128, output int8");
  }
  const sotto_smdl_op_t &op = c.op;
  if (op.shift_count != op.multiplier_count || op.multiplier_count == 0) {
    return c.fail(SOTTO_ERR_MODEL_BAD_CONSTANTS,
                  "requantization: expected one shift per multiplier");
  }
  // Multipliers are non-negative Q31 values (TFLite never makes others); the optimized kernels'
  // rounding matches the reference's only for these.
  const int32_t *shifts = c.model.constants_i32(op.shift_offset);
  const int32_t *multipliers = c.model.constants_i32(op.multiplier_offset);
  for (uint32_t i = 0; i < op.shift_count; ++i) {
    if (!shift_ok(shifts[i]) || multipliers[i] < 0) {
      return c.fail(SOTTO_ERR_MODEL_BAD_CONSTANTS,
                    "requantization: expected multipliers >= 0 and shifts -31..30");
    }
  }
  return SOTTO_OK;
}

bool accumulation_fits(const OpCheck &c, uint64_t depth) {
  if (depth > SOTTO_SMDL_MAX_ACCUMULATION_DEPTH) return false;
  const int8_t *weights = reinterpret_cast<const int8_t *>(c.model.data + c.op.weights_offset);
  return sotto_smdl_depth_fits_int32(static_cast<uint32_t>(depth),
                                     c.op.params[SOTTO_P_FILTER_OFFSET], weights,
                                     c.op.weights_bytes) != 0;
}

sotto_err_t check_window(OpCheck &c) {
  const int32_t *p = c.param();
  for (int i = SOTTO_P_STRIDE_H; i <= SOTTO_P_KERNEL_W; ++i) {
    const int32_t lo = (i == SOTTO_P_PAD_H || i == SOTTO_P_PAD_W) ? 0 : 1;
    if (p[i] < lo || p[i] > SOTTO_SMDL_MAX_WINDOW) {
      return c.fail(SOTTO_ERR_MODEL_BAD_OP,
                    "window: expected strides, dilations, kernel 1..1024 and padding 0..1024 "
                    "(SOTTO_SMDL_MAX_WINDOW)");
    }
  }
  if (c.input0.dims[0] != c.output.dims[0]) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH, "batches: expected input and output equal");
  }
  return SOTTO_OK;
}

}  // namespace sotto_infer
