// Loader checks that several ops share (see op_check.h).
#include "op_check.h"

#include "kernel_args.h"
#include "row_stream.h"

namespace sotto_infer {

sotto_err_t check_int8_activations(OpCheck &c) {
  if (c.input0.type != SOTTO_SMDL_INT8 || c.output.type != SOTTO_SMDL_INT8 ||
      (c.input1 != nullptr && c.input1->type != SOTTO_SMDL_INT8)) {
    return c.fail(SOTTO_ERR_MODEL_BAD_TENSOR, "activations: expected int8 tensors");
  }
  return SOTTO_OK;
}

sotto_err_t check_int8_or_int16_activations(OpCheck &c) {
  const uint32_t type = c.output.type;
  if ((type != SOTTO_SMDL_INT8 && type != SOTTO_SMDL_INT16) || c.input0.type != type ||
      (c.input1 != nullptr && c.input1->type != type)) {
    return c.fail(SOTTO_ERR_MODEL_BAD_TENSOR,
                  "activations: expected int8 tensors, or int16 tensors, throughout");
  }
  return SOTTO_OK;
}

namespace {

// ADD, SUB and MUL read an input of 1 element, of the output's last dim, or of the output's
// size (the same element type: the ops' type checks come first).
bool broadcast_ok(const sotto_smdl_tensor_t &in, const sotto_smdl_tensor_t &out) {
  const uint32_t n = element_count(in);
  return n == 1 || n == static_cast<uint32_t>(out.dims[3]) || in.bytes == out.bytes;
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

sotto_err_t check_add_or_sub(OpCheck &c) {
  sotto_err_t err = check_int8_or_int16_activations(c);
  if (err == SOTTO_OK) err = check_two_broadcast_inputs(c);
  if (err != SOTTO_OK) return err;
  const int32_t *p = c.param();
  // (x + offset) * 2^left_shift must fit an int32: |x + offset| is at most 255 for int8 (shift up
  // to 20, TFLite's) and 65535 for int16 (up to 15, TFLite's).
  const bool int16 = c.output.type == SOTTO_SMDL_INT16;
  if (p[SOTTO_P_ADD_LEFT_SHIFT] < 0 || p[SOTTO_P_ADD_LEFT_SHIFT] > (int16 ? 15 : 20)) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP, "left shift: expected 0..20 (int8), 0..15 (int16)");
  }
  // Input multipliers scale down; the output one may scale up.
  if (!shift_ok(p[SOTTO_P_ADD_INPUT1_SHIFT]) || p[SOTTO_P_ADD_INPUT1_SHIFT] > 0 ||
      !shift_ok(p[SOTTO_P_ADD_INPUT2_SHIFT]) || p[SOTTO_P_ADD_INPUT2_SHIFT] > 0 ||
      p[SOTTO_P_ADD_INPUT1_MULT] < 0 || p[SOTTO_P_ADD_INPUT2_MULT] < 0 ||
      p[SOTTO_P_ADD_OUTPUT_MULT] < 0 || !shift_ok(p[SOTTO_P_ADD_OUTPUT_SHIFT])) {
    return c.fail(
        SOTTO_ERR_MODEL_BAD_OP,
        "rescaling: expected multipliers >= 0, input shifts -31..0, output shift -31..30");
  }
  const bool offsets_ok = int16 ? int16_offset_ok(p[SOTTO_P_ADD_INPUT1_OFFSET]) &&
                                      int16_offset_ok(p[SOTTO_P_ADD_INPUT2_OFFSET]) &&
                                      int16_zero_point_ok(p[SOTTO_P_OUTPUT_OFFSET])
                                : offset_ok(p[SOTTO_P_ADD_INPUT1_OFFSET]) &&
                                      offset_ok(p[SOTTO_P_ADD_INPUT2_OFFSET]) &&
                                      zero_point_ok(p[SOTTO_P_OUTPUT_OFFSET]);
  if (!offsets_ok) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP,
                  "offsets: expected minus zero points of the inputs' type, the output's zero "
                  "point");
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

sotto_err_t check_16x8_quantization(OpCheck &c, uint64_t depth) {
  const int32_t *p = c.param();
  if (p[SOTTO_P_INPUT_OFFSET] != 0 || p[SOTTO_P_FILTER_OFFSET] != 0 ||
      p[SOTTO_P_OUTPUT_OFFSET] != 0) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP, "offsets: expected 0 with int16 activations");
  }
  if (depth > SOTTO_SMDL_MAX_ACCUMULATION_DEPTH) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP,
                  "window: expected at most SOTTO_SMDL_MAX_ACCUMULATION_DEPTH products per output");
  }
  const sotto_smdl_op_t &op = c.op;
  const uint32_t channels = static_cast<uint32_t>(c.output.dims[3]);
  if (op.multiplier_count != channels || op.shift_count != channels) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                  "requantization: expected one multiplier and shift per output channel");
  }
  const int32_t *shifts = c.model.constants_i32(op.shift_offset);
  const int32_t *multipliers = c.model.constants_i32(op.multiplier_offset);
  for (uint32_t i = 0; i < channels; ++i) {
    if (shifts[i] < -31 || shifts[i] > 7 || multipliers[i] < 0) {
      return c.fail(SOTTO_ERR_MODEL_BAD_CONSTANTS,
                    "requantization: expected multipliers >= 0 and shifts -31..7 (int16)");
    }
  }
  if (op.bias_count != 0 && op.bias_count != 2 * channels) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                  "bias: expected none or one int64 (two int32 words) per output channel");
  }
  const int32_t *bias = c.model.constants_i32(op.bias_offset);
  const int64_t limit = int64_t{1} << 46;
  for (uint32_t i = 0; i < op.bias_count / 2; ++i) {
    const int64_t b = bias_64(bias, static_cast<int32_t>(i));
    if (b <= -limit || b >= limit) {
      return c.fail(SOTTO_ERR_MODEL_BAD_CONSTANTS, "bias: expected int64 values within +-2^46");
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

namespace {

bool overlaps(uint32_t a_offset, uint32_t a_bytes, uint32_t b_offset, uint32_t b_bytes) {
  return a_bytes != 0 && b_bytes != 0 && a_offset < b_offset + static_cast<uint64_t>(b_bytes) &&
         b_offset < a_offset + static_cast<uint64_t>(a_bytes);
}

bool op_uses(const sotto_smdl_op_t &op, uint32_t t) {
  if (op.input0 == t || op.input1 == t || op.output == t) return true;
  for (uint32_t k = 0; k < SOTTO_SMDL_MAX_STATES; ++k) {
    if (sotto_smdl_state_tensor(&op, k) == t) return true;
  }
  return false;
}

}  // namespace

sotto_err_t check_state_is_private(OpCheck &c, uint32_t s) {
  const ModelView &m = c.model;
  const sotto_smdl_tensor_t &state = m.tensors[s];
  for (uint32_t i = 0; i < m.header->input_count + m.header->output_count; ++i) {
    if (m.io[i] == s) {
      return c.fail(SOTTO_ERR_MODEL_BAD_OP, "state: expected not a graph input or output");
    }
  }
  for (uint32_t k = 0; k < m.header->op_count; ++k) {
    const sotto_smdl_op_t &other = m.ops[k];
    if (&other != &c.op && op_uses(other, s)) {
      return c.fail(SOTTO_ERR_MODEL_BAD_OP, "state: expected read and written by its op alone");
    }
    if (overlaps(other.scratch_offset, other.scratch_bytes, state.arena_offset, state.bytes)) {
      return c.fail(SOTTO_ERR_MODEL_BAD_OP, "state: expected arena bytes no scratch shares");
    }
  }
  for (uint32_t t = 0; t < m.header->tensor_count; ++t) {
    if (t != s &&
        overlaps(m.tensors[t].arena_offset, planned_bytes(m, t), state.arena_offset, state.bytes)) {
      return c.fail(SOTTO_ERR_MODEL_BAD_OP, "state: expected arena bytes no other tensor shares");
    }
  }
  return SOTTO_OK;
}

}  // namespace sotto_infer
