// Validates a .smdl blob before first use: header, digest, every tensor, and every op record:
// first what all ops share (indices, constant ranges, scratch, activation bounds), then the op's
// own check from its kernel file (op_registry.h), so the kernels can trust what they index.
// Nothing is copied. A refusal is described in the model's fault (sotto/model.h).
#include <string.h>

#include "model_view.h"
#include "op_check.h"
#include "op_registry.h"
#include "row_stream.h"
#include "sotto/model.h"

namespace sotto_infer {
namespace {

// Records where the blob failed and returns its error.
sotto_err_t refuse(sotto_model_fault_t *fault, sotto_err_t err, const char *what,
                   int32_t op_index = -1, uint32_t op_kind = 0, int32_t tensor_index = -1) {
  fault->error = err;
  fault->op_index = op_index;
  fault->op_kind = op_kind;
  fault->tensor_index = tensor_index;
#ifdef SOTTO_INFER_NO_FAULT_TEXT
  (void)what;
  fault->op_name = "";
  fault->check = "";
#else
  fault->op_name = op_index >= 0 ? op_name(op_kind) : "";
  fault->check = what;
#endif
  return err;
}

// An op's refusal: its index and kind as the blob gives them, named by the op that runs it
// (sotto_smdl_kernel_kind: CONV_2D_16X8 for an int16 CONV_2D, the name an integrator links).
sotto_err_t refuse_op(sotto_model_fault_t *fault, sotto_err_t err, const char *what, int32_t at,
                      uint32_t blob_kind, uint32_t kernel_kind) {
  refuse(fault, err, what, at, blob_kind);
#ifdef SOTTO_INFER_NO_FAULT_TEXT
  (void)kernel_kind;
#else
  fault->op_name = op_name(kernel_kind);
#endif
  return err;
}

bool zero_point_fits(const sotto_smdl_tensor_t &t) {
  switch (t.type) {
    case SOTTO_SMDL_INT8:
      return zero_point_ok(t.zero_point);
    case SOTTO_SMDL_UINT8:
      return t.zero_point >= 0 && t.zero_point <= 255;
    case SOTTO_SMDL_INT16:
      return t.zero_point >= -32768 && t.zero_point <= 32767;
    default:  // int32 and float32 carry any
      return true;
  }
}

// `ring_rows`: the rows a stream keeps of it (0: all of them), the bytes it takes in the arena.
sotto_err_t check_tensor(const sotto_smdl_tensor_t &t, uint32_t ring_rows, uint32_t arena_bytes,
                         const char **what) {
  *what = fault_text("rank: expected 1..4");
  if (t.rank < 1 || t.rank > 4) return SOTTO_ERR_MODEL_BAD_TENSOR;
  uint64_t elements = 1;
  *what = fault_text("dims: expected 1..SOTTO_SMDL_MAX_DIM (65535) each");
  for (int i = 0; i < 4; ++i) {
    if (t.dims[i] < 1 || static_cast<uint32_t>(t.dims[i]) > SOTTO_SMDL_MAX_DIM) {
      return SOTTO_ERR_MODEL_BAD_TENSOR;
    }
    elements *= static_cast<uint64_t>(t.dims[i]);
  }
  const uint32_t element = sotto_smdl_type_bytes(t.type);
  *what = fault_text("type: expected int8, int16, int32, uint8 or float32");
  if (element == 0) return SOTTO_ERR_MODEL_BAD_TENSOR;
  *what = fault_text(
      "bytes: expected elements * element size, at most SOTTO_SMDL_MAX_TENSOR_BYTES (2^30)");
  if (elements * element != t.bytes || t.bytes > SOTTO_SMDL_MAX_TENSOR_BYTES) {
    return SOTTO_ERR_MODEL_BAD_TENSOR;
  }
  *what = fault_text("offset: expected a multiple of the element size");
  if (t.arena_offset % element != 0) return SOTTO_ERR_MODEL_BAD_TENSOR;
  *what = fault_text("zero point: expected within the element type");
  if (!zero_point_fits(t)) return SOTTO_ERR_MODEL_BAD_TENSOR;
  *what = fault_text("arena range: expected inside the arena (a stream's ring: its rows)");
  const uint32_t row = t.bytes / static_cast<uint32_t>(t.dims[1]);
  if (!range_ok(t.arena_offset, ring_rows == 0 ? t.bytes : ring_rows, ring_rows == 0 ? 1 : row,
                arena_bytes)) {
    return SOTTO_ERR_MODEL_BAD_TENSOR;
  }
  return SOTTO_OK;
}

// The graph's inputs and outputs (the header checked there is at least one each): indices into
// the tensor table.
sotto_err_t check_io(const ModelView &m, const char **what) {
  const sotto_smdl_header_t &h = *m.header;
  for (uint32_t i = 0; i < h.input_count + h.output_count; ++i) {
    *what = fault_text("inputs and outputs: expected tensor indices inside the table");
    if (m.io[i] >= h.tensor_count) return SOTTO_ERR_MODEL_BAD_LAYOUT;
  }
  return SOTTO_OK;
}

// What every op record must satisfy before its own check runs.
sotto_err_t check_common(const ModelView &m, const sotto_smdl_op_t &op, const char **what) {
  const uint32_t tensors = m.header->tensor_count;
  *what = fault_text(
      "tensors: expected input0, output (and input1 when present) inside the tensor table");
  if (op.input0 >= tensors || op.output >= tensors ||
      (op.input1 != SOTTO_SMDL_NO_TENSOR && op.input1 >= tensors)) {
    return SOTTO_ERR_MODEL_BAD_OP;
  }
  const uint32_t data = m.header->data_bytes;
  *what = fault_text(
      "constants: expected every range inside the data section, int32 ones 4-byte aligned");
  if (!range_ok(op.weights_offset, op.weights_bytes, 1, data) ||
      !range_ok(op.bias_offset, op.bias_count, 4, data) ||
      !range_ok(op.multiplier_offset, op.multiplier_count, 4, data) ||
      !range_ok(op.shift_offset, op.shift_count, 4, data) ||
      !range_ok(op.folded_bias_offset, op.folded_bias_count, 4, data) ||
      ((op.folded_bias_offset | op.bias_offset | op.multiplier_offset | op.shift_offset) & 3u) !=
          0) {
    return SOTTO_ERR_MODEL_BAD_CONSTANTS;
  }
  *what = fault_text("scratch: expected a 4-byte aligned range inside the arena");
  if (!range_ok(op.scratch_offset, op.scratch_bytes, 1, m.header->arena_bytes) ||
      (op.scratch_offset & 3u) != 0) {
    return SOTTO_ERR_MODEL_BAD_OP;
  }
  const int32_t *p = op.params;
  // Inside the output's type: int16 for an int16 output, else int8 (the kernels cast to it).
  const int32_t lo = m.tensors[op.output].type == SOTTO_SMDL_INT16 ? -32768 : -128;
  *what = fault_text(
      "activation bounds: expected type min <= min <= max <= type max (int8, int16 output)");
  if (p[SOTTO_P_ACT_MIN] < lo || p[SOTTO_P_ACT_MIN] > p[SOTTO_P_ACT_MAX] ||
      p[SOTTO_P_ACT_MAX] > -lo - 1) {
    return SOTTO_ERR_MODEL_BAD_OP;
  }
  return SOTTO_OK;
}

sotto_err_t check_op(const ModelView &m, uint32_t index, sotto_model_fault_t *fault) {
  const sotto_smdl_op_t &op = m.ops[index];
  const int32_t at = static_cast<int32_t>(index);
  const uint32_t kind = sotto_smdl_kernel_kind(&op, m.tensors, m.header->tensor_count);
  const OpCheckFn check = check_for(kind);
  if (check == nullptr) {
    return refuse_op(fault, SOTTO_ERR_MODEL_UNSUPPORTED_OP,
                     "kind: expected an op this build links (op_table.h, SOTTO_INFER_ONLY_OPS)", at,
                     op.kind, kind);
  }
  const char *what = "";
  sotto_err_t err = check_common(m, op, &what);
  if (err != SOTTO_OK) return refuse_op(fault, err, what, at, op.kind, kind);
  const sotto_smdl_tensor_t *input1 =
      op.input1 == SOTTO_SMDL_NO_TENSOR ? nullptr : &m.tensors[op.input1];
  OpCheck c = {m, op, m.tensors[op.input0], input1, m.tensors[op.output], ""};
  err = check(c);
  if (err != SOTTO_OK) return refuse_op(fault, err, c.failed, at, op.kind, kind);
  return SOTTO_OK;
}

}  // namespace

sotto_err_t open_view(const uint8_t *blob, size_t blob_bytes, ModelView *view,
                      sotto_model_fault_t *fault) {
  if (blob == nullptr || view == nullptr) {
    return refuse(fault, SOTTO_ERR_INVALID_ARGUMENT, "blob: expected a pointer");
  }
  if ((reinterpret_cast<uintptr_t>(blob) & 3u) != 0) {
    return refuse(fault, SOTTO_ERR_MODEL_MISALIGNED, "blob: expected 4-byte alignment");
  }
  if (blob_bytes < sizeof(sotto_smdl_header_t)) {
    return refuse(fault, SOTTO_ERR_MODEL_TRUNCATED, "blob: expected at least a header");
  }
  const sotto_smdl_header_t *h = reinterpret_cast<const sotto_smdl_header_t *>(blob);
  if (h->magic != SOTTO_SMDL_MAGIC) {
    return refuse(fault, SOTTO_ERR_MODEL_BAD_MAGIC, "header: expected magic SMDL");
  }
  if (h->format_version != SOTTO_SMDL_VERSION &&
      h->format_version != SOTTO_SMDL_VERSION_NO_STREAMS) {
    return refuse(fault, SOTTO_ERR_MODEL_VERSION, "header: expected format version 2 or 3");
  }
  if (h->total_bytes > blob_bytes || h->total_bytes < sizeof(sotto_smdl_header_t)) {
    return refuse(fault, SOTTO_ERR_MODEL_TRUNCATED,
                  "header: expected total_bytes within the blob given");
  }
  const uint32_t total = h->total_bytes;
  if (sotto_smdl_digest(blob, total) != h->digest) {
    return refuse(fault, SOTTO_ERR_MODEL_DIGEST, "header: expected the digest of the blob's bytes");
  }
  if ((h->tensor_table_offset & 3u) != 0 || (h->op_table_offset & 3u) != 0 ||
      (h->data_offset & 3u) != 0 || (h->io_table_offset & 3u) != 0 || h->tensor_count == 0 ||
      h->op_count == 0 || h->input_count == 0 || h->output_count == 0 ||
      !range_ok(h->tensor_table_offset, h->tensor_count, sizeof(sotto_smdl_tensor_t), total) ||
      !range_ok(h->op_table_offset, h->op_count, sizeof(sotto_smdl_op_t), total) ||
      !range_ok(h->io_table_offset, h->input_count, 4, total) ||
      !range_ok(h->io_table_offset + 4 * h->input_count, h->output_count, 4, total) ||
      !range_ok(h->data_offset, h->data_bytes, 1, total)) {
    return refuse(fault, SOTTO_ERR_MODEL_BAD_LAYOUT,
                  "header: expected non-empty, 4-byte aligned tables and data inside the blob");
  }
  const uint32_t stream_table = h->io_table_offset + 4 * (h->input_count + h->output_count);
  if (h->format_version == SOTTO_SMDL_VERSION_NO_STREAMS) {
    // Version 2 has no stream table: words between the io table and the data would be one that
    // this version's readers skip, running its ops whole in arena planned for rings.
    if (h->data_offset != stream_table) {
      return refuse(fault, SOTTO_ERR_MODEL_BAD_LAYOUT,
                    "header: expected the data right after the io table (version 2: no streams)");
    }
  } else if (!range_ok(stream_table, 1, 4, total)) {
    return refuse(fault, SOTTO_ERR_MODEL_BAD_LAYOUT, "header: expected a stream count in the blob");
  }
  const ModelView m = view_at(blob);
  if (m.stream_count != 0 &&
      !range_ok(stream_table + 4, m.stream_count, sizeof(sotto_smdl_stream_t), total)) {
    return refuse(fault, SOTTO_ERR_MODEL_BAD_LAYOUT, "streams: expected the table in the blob");
  }
  const char *what = "";
  int32_t at = -1;
  const sotto_err_t layout_err = check_stream_layout(m, &what, &at);
  if (layout_err != SOTTO_OK) return refuse(fault, layout_err, what, at);
  for (uint32_t i = 0; i < h->tensor_count; ++i) {
    const sotto_err_t err = check_tensor(m.tensors[i], ring_rows_of(m, i), h->arena_bytes, &what);
    if (err != SOTTO_OK) return refuse(fault, err, what, -1, 0, static_cast<int32_t>(i));
  }
  const sotto_err_t io_err = check_io(m, &what);
  if (io_err != SOTTO_OK) return refuse(fault, io_err, what);
  for (uint32_t i = 0; i < h->op_count; ++i) {
    const sotto_err_t err = check_op(m, i, fault);
    if (err != SOTTO_OK) return err;
  }
  const sotto_err_t stream_err = check_stream_ops(m, &what, &at);
  if (stream_err != SOTTO_OK) return refuse(fault, stream_err, what, at, m.ops[at].kind);
  *view = m;
  return refuse(fault, SOTTO_OK, "");
}

}  // namespace sotto_infer
