// Validates a .smdl blob before first use: header, digest, and every offset, length and count
// against the blob size, so the kernels can trust what they index. Nothing is copied.
#include <string.h>

#include "model_view.h"
#include "sotto/model.h"

namespace sotto_infer {
namespace {

const uint64_t kMaxTensorBytes = uint64_t{1} << 30;
// Products are at most 255 * 255, so 32768 of them always fit an int32 accumulator.
const uint64_t kMaxAccumulationDepth = 32768;

// True when [offset, offset + count * unit) lies inside [0, limit).
bool range_ok(uint32_t offset, uint32_t count, uint32_t unit, uint32_t limit) {
  if (offset > limit) return false;
  const uint64_t bytes = static_cast<uint64_t>(count) * unit;
  return bytes <= static_cast<uint64_t>(limit - offset);
}

bool zero_point_ok(int32_t v) {
  return v >= -128 && v <= 127;
}

// An input offset is minus an int8 zero point.
bool offset_ok(int32_t v) {
  return v >= -127 && v <= 128;
}

sotto_err_t check_tensor(const sotto_smdl_tensor_t &t, uint32_t arena_bytes) {
  if (t.rank < 1 || t.rank > 4) return SOTTO_ERR_MODEL_BAD_TENSOR;
  uint64_t elements = 1;
  for (int i = 0; i < 4; ++i) {
    if (t.dims[i] < 1 || t.dims[i] > 65535) return SOTTO_ERR_MODEL_BAD_TENSOR;
    elements *= static_cast<uint64_t>(t.dims[i]);
  }
  if (t.type != SOTTO_SMDL_INT8 && t.type != SOTTO_SMDL_FLOAT32) return SOTTO_ERR_MODEL_BAD_TENSOR;
  const uint64_t bytes = elements * (t.type == SOTTO_SMDL_FLOAT32 ? 4u : 1u);
  // Kernels index with int32: no tensor may reach 2^30 bytes. Float tensors are 4-aligned.
  if (bytes != t.bytes || bytes > kMaxTensorBytes) return SOTTO_ERR_MODEL_BAD_TENSOR;
  if (t.type == SOTTO_SMDL_FLOAT32 && (t.arena_offset & 3u) != 0) return SOTTO_ERR_MODEL_BAD_TENSOR;
  if (!zero_point_ok(t.zero_point)) return SOTTO_ERR_MODEL_BAD_TENSOR;
  if (!range_ok(t.arena_offset, t.bytes, 1, arena_bytes)) return SOTTO_ERR_MODEL_BAD_TENSOR;
  return SOTTO_OK;
}

bool shift_ok(int32_t s) {
  return s >= -31 && s <= 30;
}

// Multipliers are non-negative Q31 values (TFLite never makes others); the optimized kernels'
// rounding matches the reference's only for these.
bool requant_constants_ok(const ModelView &m, const sotto_smdl_op_t &op) {
  if (op.shift_count != op.multiplier_count || op.multiplier_count == 0) return false;
  const int32_t *shifts = m.constants_i32(op.shift_offset);
  const int32_t *multipliers = m.constants_i32(op.multiplier_offset);
  for (uint32_t i = 0; i < op.shift_count; ++i) {
    if (!shift_ok(shifts[i]) || multipliers[i] < 0) return false;
  }
  return true;
}

// ADD and MUL read an input of 1 element, of the output's last dim, or of the output's size.
bool broadcast_ok(const sotto_smdl_tensor_t &in, const sotto_smdl_tensor_t &out) {
  return in.bytes == 1 || in.bytes == static_cast<uint32_t>(out.dims[3]) || in.bytes == out.bytes;
}

// The listed inputs (uint32 tensor indices in the weights range) must be int8 and stack up to
// the output along the axis, every other dim equal.
sotto_err_t check_concatenation(const ModelView &m, const sotto_smdl_op_t &op) {
  const int32_t axis = op.params[SOTTO_P_CONCAT_AXIS];
  const sotto_smdl_tensor_t &out = m.tensors[op.output];
  if (axis < 0 || axis > 3 || op.weights_bytes == 0 || (op.weights_bytes & 3u) != 0 ||
      (op.weights_offset & 3u) != 0) {
    return SOTTO_ERR_MODEL_BAD_OP;
  }
  const uint32_t *inputs = reinterpret_cast<const uint32_t *>(m.data + op.weights_offset);
  if (inputs[0] != op.input0) return SOTTO_ERR_MODEL_BAD_OP;
  int64_t stacked = 0;
  for (uint32_t k = 0; k < op.weights_bytes / 4; ++k) {
    if (inputs[k] >= m.header->tensor_count) return SOTTO_ERR_MODEL_BAD_OP;
    const sotto_smdl_tensor_t &t = m.tensors[inputs[k]];
    if (t.type != SOTTO_SMDL_INT8) return SOTTO_ERR_MODEL_BAD_TENSOR;
    for (int d = 0; d < 4; ++d) {
      if (d != axis && t.dims[d] != out.dims[d]) return SOTTO_ERR_MODEL_SHAPE_MISMATCH;
    }
    stacked += t.dims[axis];
  }
  return stacked == out.dims[axis] ? SOTTO_OK : SOTTO_ERR_MODEL_SHAPE_MISMATCH;
}

// Interleaved FULLY_CONNECTED weights (smdl_format.h) come only with the folded bias, and the
// Cortex-M4 kernel walks them with word loads from their start.
bool interleaved_fc_ok(const sotto_smdl_op_t &op) {
  return op.params[SOTTO_P_FC_WEIGHTS_INTERLEAVED] == 1 && op.folded_bias_count != 0 &&
         (op.weights_offset & 3u) == 0;
}

// Kind-specific consistency of shapes, parameters and constant sizes.
sotto_err_t check_op(const ModelView &m, const sotto_smdl_op_t &op) {
  if (op.kind == 0 || op.kind >= SOTTO_OP_KIND_COUNT_) return SOTTO_ERR_MODEL_UNSUPPORTED_OP;
  if (!kernel_available(op.kind)) return SOTTO_ERR_MODEL_UNSUPPORTED_OP;
  if (op.input0 >= m.header->tensor_count || op.output >= m.header->tensor_count) {
    return SOTTO_ERR_MODEL_BAD_OP;
  }
  const bool two_inputs = op.kind == SOTTO_OP_ADD || op.kind == SOTTO_OP_MUL;
  if (two_inputs ? op.input1 >= m.header->tensor_count : op.input1 != SOTTO_SMDL_NO_TENSOR) {
    return SOTTO_ERR_MODEL_BAD_OP;
  }
  const uint32_t data = m.header->data_bytes;
  if (!range_ok(op.weights_offset, op.weights_bytes, 1, data) ||
      !range_ok(op.bias_offset, op.bias_count, 4, data) ||
      !range_ok(op.multiplier_offset, op.multiplier_count, 4, data) ||
      !range_ok(op.shift_offset, op.shift_count, 4, data) ||
      !range_ok(op.folded_bias_offset, op.folded_bias_count, 4, data) ||
      (op.folded_bias_offset & 3u) != 0 || (op.bias_offset & 3u) != 0 ||
      (op.multiplier_offset & 3u) != 0 || (op.shift_offset & 3u) != 0) {
    return SOTTO_ERR_MODEL_BAD_CONSTANTS;
  }
  if (!range_ok(op.scratch_offset, op.scratch_bytes, 1, m.header->arena_bytes) ||
      (op.scratch_offset & 3u) != 0) {
    return SOTTO_ERR_MODEL_BAD_OP;
  }
  if (op.folded_bias_count != 0 && op.kind != SOTTO_OP_FULLY_CONNECTED) {
    return SOTTO_ERR_MODEL_BAD_CONSTANTS;
  }
  const sotto_smdl_tensor_t &in = m.tensors[op.input0];
  const sotto_smdl_tensor_t &out = m.tensors[op.output];
  const int32_t *p = op.params;
  if (p[SOTTO_P_ACT_MIN] < -128 || p[SOTTO_P_ACT_MIN] > p[SOTTO_P_ACT_MAX] ||
      p[SOTTO_P_ACT_MAX] > 127) {
    return SOTTO_ERR_MODEL_BAD_OP;
  }
  // int8 everywhere except QUANTIZE's input and DEQUANTIZE's output, which may be float32.
  if ((in.type != SOTTO_SMDL_INT8 && op.kind != SOTTO_OP_QUANTIZE) ||
      (out.type != SOTTO_SMDL_INT8 && op.kind != SOTTO_OP_DEQUANTIZE) ||
      (two_inputs && m.tensors[op.input1].type != SOTTO_SMDL_INT8)) {
    return SOTTO_ERR_MODEL_BAD_TENSOR;
  }
  const bool spatial = op.kind == SOTTO_OP_CONV_2D || op.kind == SOTTO_OP_DEPTHWISE_CONV_2D ||
                       op.kind == SOTTO_OP_AVERAGE_POOL_2D || op.kind == SOTTO_OP_MAX_POOL_2D;
  if (spatial) {
    for (int i = SOTTO_P_STRIDE_H; i <= SOTTO_P_KERNEL_W; ++i) {
      const int32_t lo = (i == SOTTO_P_PAD_H || i == SOTTO_P_PAD_W) ? 0 : 1;
      if (p[i] < lo || p[i] > 1024) return SOTTO_ERR_MODEL_BAD_OP;
    }
    if (in.dims[0] != out.dims[0]) return SOTTO_ERR_MODEL_SHAPE_MISMATCH;
  }
  if (op.kind == SOTTO_OP_CONV_2D || op.kind == SOTTO_OP_DEPTHWISE_CONV_2D ||
      op.kind == SOTTO_OP_FULLY_CONNECTED) {
    if (!offset_ok(p[SOTTO_P_INPUT_OFFSET]) || !offset_ok(p[SOTTO_P_FILTER_OFFSET]) ||
        !zero_point_ok(p[SOTTO_P_OUTPUT_OFFSET])) {
      return SOTTO_ERR_MODEL_BAD_OP;
    }
    if (!requant_constants_ok(m, op)) return SOTTO_ERR_MODEL_BAD_CONSTANTS;
  }
  const uint64_t out_c = static_cast<uint64_t>(out.dims[3]);
  const uint64_t kernel = static_cast<uint64_t>(p[SOTTO_P_KERNEL_H]) * p[SOTTO_P_KERNEL_W];
  switch (op.kind) {
    case SOTTO_OP_CONV_2D:
      if (kernel * static_cast<uint64_t>(in.dims[3]) > kMaxAccumulationDepth) {
        return SOTTO_ERR_MODEL_BAD_OP;
      }
      if (op.weights_bytes != out_c * kernel * static_cast<uint64_t>(in.dims[3]) ||
          op.multiplier_count != out_c || (op.bias_count != 0 && op.bias_count != out_c)) {
        return SOTTO_ERR_MODEL_SHAPE_MISMATCH;
      }
      break;
    case SOTTO_OP_DEPTHWISE_CONV_2D:
      if (p[SOTTO_P_DEPTH_MULTIPLIER] < 1 || p[SOTTO_P_DEPTH_MULTIPLIER] > 1024 ||
          kernel > kMaxAccumulationDepth) {
        return SOTTO_ERR_MODEL_BAD_OP;
      }
      if (out_c != static_cast<uint64_t>(in.dims[3]) * p[SOTTO_P_DEPTH_MULTIPLIER] ||
          op.weights_bytes != out_c * kernel || op.multiplier_count != out_c ||
          (op.bias_count != 0 && op.bias_count != out_c)) {
        return SOTTO_ERR_MODEL_SHAPE_MISMATCH;
      }
      break;
    case SOTTO_OP_FULLY_CONNECTED: {
      const uint32_t rows = out.bytes / static_cast<uint32_t>(out_c);  // 32-bit: no libcall
      if (rows == 0 || out.bytes % out_c != 0 || in.bytes % rows != 0 ||
          in.bytes / rows > kMaxAccumulationDepth ||
          op.weights_bytes != out_c * (in.bytes / rows) ||
          (op.multiplier_count != 1 && op.multiplier_count != out_c) ||
          (op.bias_count != 0 && op.bias_count != out_c) ||
          (op.folded_bias_count != 0 && op.folded_bias_count != out_c)) {
        return SOTTO_ERR_MODEL_SHAPE_MISMATCH;
      }
      if (p[SOTTO_P_FC_WEIGHTS_INTERLEAVED] != 0 && !interleaved_fc_ok(op)) {
        return SOTTO_ERR_MODEL_BAD_OP;
      }
      break;
    }
    case SOTTO_OP_AVERAGE_POOL_2D:
    case SOTTO_OP_MAX_POOL_2D:
      if (in.dims[3] != out.dims[3]) return SOTTO_ERR_MODEL_SHAPE_MISMATCH;
      break;
    case SOTTO_OP_ADD: {
      if (!broadcast_ok(in, out) || !broadcast_ok(m.tensors[op.input1], out)) {
        return SOTTO_ERR_MODEL_SHAPE_MISMATCH;
      }
      if (p[SOTTO_P_ADD_LEFT_SHIFT] < 0 || p[SOTTO_P_ADD_LEFT_SHIFT] > 20 ||
          // Input multipliers scale down (|s1 + s2| < 2^30); the output one may scale up.
          !shift_ok(p[SOTTO_P_ADD_INPUT1_SHIFT]) || p[SOTTO_P_ADD_INPUT1_SHIFT] > 0 ||
          !shift_ok(p[SOTTO_P_ADD_INPUT2_SHIFT]) || p[SOTTO_P_ADD_INPUT2_SHIFT] > 0 ||
          p[SOTTO_P_ADD_INPUT1_MULT] < 0 || p[SOTTO_P_ADD_INPUT2_MULT] < 0 ||
          p[SOTTO_P_ADD_OUTPUT_MULT] < 0 || !shift_ok(p[SOTTO_P_ADD_OUTPUT_SHIFT]) ||
          !offset_ok(p[SOTTO_P_ADD_INPUT1_OFFSET]) || !offset_ok(p[SOTTO_P_ADD_INPUT2_OFFSET]) ||
          !zero_point_ok(p[SOTTO_P_OUTPUT_OFFSET])) {
        return SOTTO_ERR_MODEL_BAD_OP;
      }
      break;
    }
    case SOTTO_OP_MUL:
      if (!broadcast_ok(in, out) || !broadcast_ok(m.tensors[op.input1], out)) {
        return SOTTO_ERR_MODEL_SHAPE_MISMATCH;
      }
      if (!offset_ok(p[SOTTO_P_MUL_INPUT1_OFFSET]) || !offset_ok(p[SOTTO_P_MUL_INPUT2_OFFSET]) ||
          !zero_point_ok(p[SOTTO_P_OUTPUT_OFFSET]) || p[SOTTO_P_MUL_OUTPUT_MULT] < 0 ||
          !shift_ok(p[SOTTO_P_MUL_OUTPUT_SHIFT])) {
        return SOTTO_ERR_MODEL_BAD_OP;
      }
      break;
    case SOTTO_OP_LOGISTIC:
      if (in.bytes != out.bytes) return SOTTO_ERR_MODEL_SHAPE_MISMATCH;
      if (!zero_point_ok(p[SOTTO_P_LOGISTIC_INPUT_ZERO_POINT]) ||
          p[SOTTO_P_LOGISTIC_INPUT_MULT] < 0 || !shift_ok(p[SOTTO_P_LOGISTIC_INPUT_LEFT_SHIFT]) ||
          p[SOTTO_P_LOGISTIC_RANGE_RADIUS] < 0) {
        return SOTTO_ERR_MODEL_BAD_OP;
      }
      break;
    case SOTTO_OP_CONCATENATION:
      return check_concatenation(m, op);
    case SOTTO_OP_PAD:
      for (int d = 0; d < 4; ++d) {
        const int32_t before = p[SOTTO_P_PAD_BEFORE + d], after = p[SOTTO_P_PAD_AFTER + d];
        if (before < 0 || after < 0 || before > 65535 || after > 65535 ||
            static_cast<int64_t>(in.dims[d]) + before + after != out.dims[d]) {
          return SOTTO_ERR_MODEL_SHAPE_MISMATCH;
        }
      }
      if (!zero_point_ok(p[SOTTO_P_OUTPUT_OFFSET])) return SOTTO_ERR_MODEL_BAD_OP;
      break;
    case SOTTO_OP_MEAN:
      // Sums of up to 2^24 int8 values fit an int32.
      if (out.dims[3] != in.dims[3] ||
          out.bytes != static_cast<uint64_t>(in.dims[0]) * in.dims[3] ||
          static_cast<int64_t>(in.dims[1]) * in.dims[2] > (int64_t{1} << 24)) {
        return SOTTO_ERR_MODEL_SHAPE_MISMATCH;
      }
      if (!zero_point_ok(p[SOTTO_P_OUTPUT_OFFSET])) return SOTTO_ERR_MODEL_BAD_OP;
      break;
    case SOTTO_OP_QUANTIZE:
      if (p[SOTTO_P_QUANTIZE_FROM_FLOAT] != 0) {
        if (in.type != SOTTO_SMDL_FLOAT32 || in.bytes != 4 * static_cast<uint64_t>(out.bytes)) {
          return SOTTO_ERR_MODEL_SHAPE_MISMATCH;
        }
      } else if (in.type != SOTTO_SMDL_INT8 || in.bytes != out.bytes ||
                 !zero_point_ok(p[SOTTO_P_QUANTIZE_INPUT_ZERO_POINT]) ||
                 p[SOTTO_P_QUANTIZE_MULT] < 0 || !shift_ok(p[SOTTO_P_QUANTIZE_SHIFT])) {
        return SOTTO_ERR_MODEL_BAD_OP;
      }
      if (!zero_point_ok(p[SOTTO_P_OUTPUT_OFFSET])) return SOTTO_ERR_MODEL_BAD_OP;
      break;
    case SOTTO_OP_DEQUANTIZE:
      if (out.type != SOTTO_SMDL_FLOAT32 || out.bytes != 4 * static_cast<uint64_t>(in.bytes)) {
        return SOTTO_ERR_MODEL_SHAPE_MISMATCH;
      }
      if (!zero_point_ok(p[SOTTO_P_DEQUANTIZE_ZERO_POINT])) return SOTTO_ERR_MODEL_BAD_OP;
      break;
    case SOTTO_OP_RESHAPE:
      if (in.bytes != out.bytes) return SOTTO_ERR_MODEL_SHAPE_MISMATCH;
      break;
    case SOTTO_OP_SOFTMAX:
      if (in.bytes != out.bytes || in.dims[3] != out.dims[3]) return SOTTO_ERR_MODEL_SHAPE_MISMATCH;
      // diff * 2^shift must fit int32 for every diff the kernel rescales (diff_min..0).
      if (p[SOTTO_P_SOFTMAX_BETA_MULT] < 0 || p[SOTTO_P_SOFTMAX_BETA_LEFT_SHIFT] < 0 ||
          p[SOTTO_P_SOFTMAX_BETA_LEFT_SHIFT] > 30 || p[SOTTO_P_SOFTMAX_DIFF_MIN] > 0 ||
          static_cast<int64_t>(p[SOTTO_P_SOFTMAX_DIFF_MIN] < -255 ? -255
                                                                  : p[SOTTO_P_SOFTMAX_DIFF_MIN]) *
                  (int64_t{1} << p[SOTTO_P_SOFTMAX_BETA_LEFT_SHIFT]) <
              INT32_MIN) {
        return SOTTO_ERR_MODEL_BAD_OP;
      }
      break;
    default:
      return SOTTO_ERR_MODEL_UNSUPPORTED_OP;
  }
  return SOTTO_OK;
}

}  // namespace

sotto_err_t open_view(const uint8_t *blob, size_t blob_bytes, ModelView *view) {
  if (blob == nullptr || view == nullptr) return SOTTO_ERR_INVALID_ARGUMENT;
  if ((reinterpret_cast<uintptr_t>(blob) & 3u) != 0) return SOTTO_ERR_MODEL_MISALIGNED;
  if (blob_bytes < sizeof(sotto_smdl_header_t)) return SOTTO_ERR_MODEL_TRUNCATED;
  const sotto_smdl_header_t *h = reinterpret_cast<const sotto_smdl_header_t *>(blob);
  if (h->magic != SOTTO_SMDL_MAGIC) return SOTTO_ERR_MODEL_BAD_MAGIC;
  if (h->format_version != SOTTO_SMDL_VERSION) return SOTTO_ERR_MODEL_VERSION;
  if (h->total_bytes > blob_bytes || h->total_bytes < sizeof(sotto_smdl_header_t)) {
    return SOTTO_ERR_MODEL_TRUNCATED;
  }
  const uint32_t total = h->total_bytes;
  if (sotto_smdl_digest(blob, total) != h->digest) return SOTTO_ERR_MODEL_DIGEST;
  if ((h->tensor_table_offset & 3u) != 0 || (h->op_table_offset & 3u) != 0 ||
      (h->data_offset & 3u) != 0 || h->tensor_count == 0 || h->op_count == 0 ||
      !range_ok(h->tensor_table_offset, h->tensor_count, sizeof(sotto_smdl_tensor_t), total) ||
      !range_ok(h->op_table_offset, h->op_count, sizeof(sotto_smdl_op_t), total) ||
      !range_ok(h->data_offset, h->data_bytes, 1, total)) {
    return SOTTO_ERR_MODEL_BAD_LAYOUT;
  }
  if (h->input_tensor >= h->tensor_count || h->output_tensor >= h->tensor_count) {
    return SOTTO_ERR_MODEL_BAD_LAYOUT;
  }
  const ModelView m = view_at(blob);
  for (uint32_t i = 0; i < h->tensor_count; ++i) {
    const sotto_err_t err = check_tensor(m.tensors[i], h->arena_bytes);
    if (err != SOTTO_OK) return err;
  }
  for (uint32_t i = 0; i < h->op_count; ++i) {
    const sotto_err_t err = check_op(m, m.ops[i]);
    if (err != SOTTO_OK) return err;
  }
  *view = m;
  return SOTTO_OK;
}

}  // namespace sotto_infer
