// See row_stream.h. A stream op's call covers one output row: its input tensors are presented as
// the band of rows the row's window reads (the top padding shrunk by the rows left out above,
// rows past the band's end being past the picture's end), so the kernels need no band entry of
// their own and stay bit-exact: each output value sums the same products.
#include "row_stream.h"

#include <string.h>

#include "op_registry.h"

namespace sotto_infer {
namespace {

bool windowed(uint32_t kind) {
  return kind == SOTTO_OP_CONV_2D || kind == SOTTO_OP_DEPTHWISE_CONV_2D;
}

uint32_t row_bytes(const sotto_smdl_tensor_t &t) {
  return t.bytes / static_cast<uint32_t>(t.dims[1]);
}

// Whether op `i` names tensor `t` anywhere (input, output, state, CONCATENATION's list). States
// and lists only where the build links an op that has them (the loader refuses the others).
bool names_tensor(const ModelView &v, uint32_t i, uint32_t t, bool *as_output) {
  const sotto_smdl_op_t &op = v.ops[i];
  *as_output = op.output == t;
  if (op.input0 == t || op.input1 == t || *as_output) return true;
  for (uint32_t k = 0; k < SOTTO_SMDL_MAX_STATES; ++k) {
    if ((links(SOTTO_OP_SVDF) || links(SOTTO_OP_UNIDIRECTIONAL_SEQUENCE_LSTM)) &&
        sotto_smdl_state_tensor(&op, k) == t) {
      return true;
    }
  }
  if (links(SOTTO_OP_CONCATENATION) && op.kind == SOTTO_OP_CONCATENATION) {
    for (uint32_t w = 0; w + 4 <= op.weights_bytes; w += 4) {
      uint32_t listed;
      memcpy(&listed, v.data + op.weights_offset + w, 4);
      if (listed == t) return true;
    }
  }
  return false;
}

// The rows [*lo, *hi] of input0 that output row y of a windowed op reads.
void window_rows(const sotto_smdl_op_t &op, int32_t in_h, int32_t y, int32_t *lo, int32_t *hi) {
  const int32_t *p = op.params;
  const int32_t start = y * p[SOTTO_P_STRIDE_H] - p[SOTTO_P_PAD_H];
  const int32_t end = start + (p[SOTTO_P_KERNEL_H] - 1) * p[SOTTO_P_DILATION_H];
  *lo = start < 0 ? 0 : start;
  *hi = end >= in_h ? in_h - 1 : end;
}

sotto_err_t check_stream_op(const ModelView &v, const sotto_smdl_stream_t &s, uint32_t k,
                            const char **what) {
  const uint32_t i = s.first_op + k;
  const sotto_smdl_op_t &op = v.ops[i];
  const uint32_t kind = sotto_smdl_kernel_kind(&op, v.tensors, v.header->tensor_count);
  *what = fault_text("stream op: expected CONV_2D, DEPTHWISE_CONV_2D or ADD");
  if (!windowed(kind) && kind != SOTTO_OP_ADD) return SOTTO_ERR_MODEL_BAD_OP;
  const sotto_smdl_tensor_t &in = v.tensors[op.input0];
  const sotto_smdl_tensor_t &out = v.tensors[op.output];
  const sotto_smdl_tensor_t *in1 =
      op.input1 == SOTTO_SMDL_NO_TENSOR ? nullptr : &v.tensors[op.input1];
  *what = fault_text("stream op: expected int8 rank-4 tensors of one batch");
  const sotto_smdl_tensor_t *const tensors[3] = {&in, &out, in1};
  for (const sotto_smdl_tensor_t *t : tensors) {
    if (t == nullptr) continue;
    if (t->type != SOTTO_SMDL_INT8 || t->rank != 4 || t->dims[0] != 1) {
      return SOTTO_ERR_MODEL_BAD_OP;
    }
  }
  if (kind == SOTTO_OP_ADD) {
    *what = fault_text("stream ADD: expected both inputs of the output's shape");
    if (in1 == nullptr) return SOTTO_ERR_MODEL_BAD_OP;
    for (int d = 1; d < 4; ++d) {
      if (in.dims[d] != out.dims[d] || in1->dims[d] != out.dims[d]) return SOTTO_ERR_MODEL_BAD_OP;
    }
  } else {
    const int32_t *p = op.params;
    *what = fault_text("stream window: expected every output row to read an input row");
    const int64_t extent = static_cast<int64_t>(p[SOTTO_P_KERNEL_H] - 1) * p[SOTTO_P_DILATION_H];
    const int64_t last_start =
        static_cast<int64_t>(out.dims[1] - 1) * p[SOTTO_P_STRIDE_H] - p[SOTTO_P_PAD_H];
    if (p[SOTTO_P_PAD_H] < 0 || p[SOTTO_P_PAD_H] > extent || last_start > in.dims[1] - 1) {
      return SOTTO_ERR_MODEL_BAD_OP;
    }
  }
  if (k + 1 == s.op_count) return SOTTO_OK;
  // A ring: read by exactly one later op of the stream, in one slot, and by nothing else.
  const uint32_t t = op.output, rows = s.ring_rows[k];
  *what = fault_text("stream ring: expected 1..rows of the tensor, not a graph input or output");
  if (rows > static_cast<uint32_t>(out.dims[1])) return SOTTO_ERR_MODEL_BAD_OP;
  for (uint32_t j = 0; j < v.header->input_count + v.header->output_count; ++j) {
    if (v.io[j] == t) return SOTTO_ERR_MODEL_BAD_OP;
  }
  uint32_t readers = 0;
  *what =
      fault_text("stream ring: expected one reader, a later op of its stream, in one input slot");
  for (uint32_t j = 0; j < v.header->op_count; ++j) {
    bool as_output = false;
    if (j == i || !names_tensor(v, j, t, &as_output)) continue;
    const sotto_smdl_op_t &r = v.ops[j];
    if (as_output || j < i || j >= s.first_op + s.op_count || (r.input0 == t && r.input1 == t)) {
      return SOTTO_ERR_MODEL_BAD_OP;
    }
    ++readers;
    if (windowed(r.kind)) {
      *what = fault_text(
          "stream ring: expected a window's rows ((kernel_h - 1) * dilation_h + 1) to fit");
      const int64_t span =
          static_cast<int64_t>(r.params[SOTTO_P_KERNEL_H] - 1) * r.params[SOTTO_P_DILATION_H] + 1;
      // (or the ring holds every row)
      if (r.input0 != t || (span > rows && rows != static_cast<uint32_t>(out.dims[1]))) {
        return SOTTO_ERR_MODEL_BAD_OP;
      }
    }
  }
  *what =
      fault_text("stream ring: expected one reader, a later op of its stream, in one input slot");
  return readers == 1 ? SOTTO_OK : SOTTO_ERR_MODEL_BAD_OP;
}

// One stream op during a run: its whole-tensor arguments and how far it has got.
struct Lane {
  KernelArgs whole;
  uint32_t kind;
  int32_t producer[2];  // the stream op making input0 / input1, or -1
  int32_t made;         // output rows made
  int32_t first_held;   // ring: the output row at the ring's start
  uint32_t ring_rows;   // 0: the output is the whole tensor
  uint32_t row_bytes;   // of the output
};

struct Run {
  Lane lanes[SOTTO_SMDL_MAX_STREAM_OPS];
  uint32_t first_op;
  sotto_op_observer_t observer;
  void *context;
};

// Row `row` of input `slot` of lane k: in its producer's ring, or in the whole tensor.
const int8_t *input_row(const Run &r, const Lane &l, int slot, int32_t row) {
  const sotto_smdl_tensor_t &t = slot == 0 ? *l.whole.input0 : *l.whole.input1;
  const int8_t *data = slot == 0 ? l.whole.input0_data : l.whole.input1_data;
  const int32_t p = l.producer[slot];
  const int32_t held = p >= 0 && r.lanes[p].ring_rows != 0 ? r.lanes[p].first_held : 0;
  return data + static_cast<ptrdiff_t>(row - held) * row_bytes(t);
}

// Lane k's next output row from input rows [lo, hi] (already made): the band call. Not inlined
// into make_row, so that the recursion's frames stay small (a Cortex-M0 has 2 KB of stack).
__attribute__((noinline)) void run_band(Run &r, int32_t k, int32_t lo, int32_t hi) {
  Lane &l = r.lanes[k];
  const int32_t y = l.made;
  sotto_smdl_op_t op = *l.whole.op;
  sotto_smdl_tensor_t in0 = *l.whole.input0, out = *l.whole.output, in1;
  KernelArgs a = l.whole;
  a.op = &op;
  a.input0 = &in0;
  a.output = &out;
  if (windowed(l.kind))
    op.params[SOTTO_P_PAD_H] = lo - (y * op.params[SOTTO_P_STRIDE_H] - op.params[SOTTO_P_PAD_H]);
  in0.dims[1] = hi - lo + 1;
  in0.bytes = static_cast<uint32_t>(in0.dims[1]) * row_bytes(*l.whole.input0);
  a.input0_data = input_row(r, l, 0, lo);
  if (l.whole.input1 != nullptr) {
    in1 = *l.whole.input1;
    in1.dims[1] = 1;
    in1.bytes = row_bytes(*l.whole.input1);
    a.input1 = &in1;
    a.input1_data = input_row(r, l, 1, y);
  }
  out.dims[1] = 1;
  out.bytes = l.row_bytes;
  if (l.ring_rows != 0 && static_cast<uint32_t>(y - l.first_held) == l.ring_rows) {
    // Full: the oldest row is no longer read (the ring holds the reader's whole window).
    memmove(l.whole.output_data, l.whole.output_data + l.row_bytes,
            static_cast<size_t>(l.ring_rows - 1) * l.row_bytes);
    ++l.first_held;
  }
  a.output_data = l.whole.output_data + static_cast<ptrdiff_t>(y - l.first_held) * l.row_bytes;
  kernel_for(l.kind)(a);
  ++l.made;
  if (r.observer != nullptr && l.ring_rows != 0) {
    sotto_tensor_t row;
    public_tensor(out, reinterpret_cast<uint8_t *>(a.output_data), &row);
    r.observer(r.context, r.first_op + static_cast<uint32_t>(k), &row);
  }
}

// Makes lane k's next output row, first the rows of its producers its window reads.
void make_row(Run &r, int32_t k) {
  const Lane &l = r.lanes[k];
  int32_t lo = l.made, hi = l.made;
  if (windowed(l.kind)) window_rows(*l.whole.op, l.whole.input0->dims[1], l.made, &lo, &hi);
  for (int slot = 0; slot < 2; ++slot) {
    const int32_t p = l.producer[slot];
    while (p >= 0 && r.lanes[p].made <= hi) make_row(r, p);
  }
  run_band(r, k, lo, hi);
}

}  // namespace

KernelArgs whole_args(const ModelView &v, uint8_t *arena, const sotto_smdl_op_t &op) {
  KernelArgs a;
  a.op = &op;
  a.input0 = &v.tensors[op.input0];
  a.input1 = op.input1 == SOTTO_SMDL_NO_TENSOR ? nullptr : &v.tensors[op.input1];
  a.output = &v.tensors[op.output];
  a.input0_data = reinterpret_cast<const int8_t *>(arena + a.input0->arena_offset);
  a.input1_data =
      a.input1 ? reinterpret_cast<const int8_t *>(arena + a.input1->arena_offset) : nullptr;
  a.output_data = reinterpret_cast<int8_t *>(arena + a.output->arena_offset);
  a.weights = reinterpret_cast<const int8_t *>(v.data + op.weights_offset);
  a.bias = op.bias_count ? v.constants_i32(op.bias_offset) : nullptr;
  a.multiplier = v.constants_i32(op.multiplier_offset);
  a.shift = v.constants_i32(op.shift_offset);
  a.folded_bias = op.folded_bias_count ? v.constants_i32(op.folded_bias_offset) : nullptr;
  a.scratch = op.scratch_bytes ? arena + op.scratch_offset : nullptr;
  a.tensors = v.tensors;
  a.arena = arena;
  return a;
}

void public_tensor(const sotto_smdl_tensor_t &t, uint8_t *data, sotto_tensor_t *out) {
  out->data = data;
  out->bytes = t.bytes;
  out->type = static_cast<sotto_tensor_type_t>(t.type);  // the enums share their values
  out->rank = t.rank;
  for (int i = 0; i < 4; ++i) out->dims[i] = t.dims[i];
  out->scale = t.scale;
  out->zero_point = t.zero_point;
}

uint32_t ring_rows_of(const ModelView &v, uint32_t t) {
  if (!kRowStreams) return 0;
  for (uint32_t s = 0; s < v.stream_count; ++s) {
    const sotto_smdl_stream_t &st = v.streams[s];
    for (uint32_t k = 0; k + 1 < st.op_count; ++k) {
      if (v.ops[st.first_op + k].output == t) return st.ring_rows[k];
    }
  }
  return 0;
}

uint32_t planned_bytes(const ModelView &v, uint32_t t) {
  const sotto_smdl_tensor_t &tensor = v.tensors[t];
  const uint32_t rows = ring_rows_of(v, t);
  return rows == 0 ? tensor.bytes : rows * row_bytes(tensor);
}

sotto_err_t check_stream_layout(const ModelView &v, const char **what, int32_t *at) {
  if (!kRowStreams && v.stream_count != 0) {
    *at = -1;  // the blob's, not an op's
    *what = fault_text(
        "streams: expected none (this engine is built without the row-stream driver: "
        "SOTTO_INFER_ROW_STREAMS; import with --whole-tensors)");
    return SOTTO_ERR_MODEL_UNSUPPORTED_OP;
  }
  uint32_t next_free = 0;
  for (uint32_t s = 0; s < v.stream_count; ++s) {
    const sotto_smdl_stream_t &st = v.streams[s];
    *at = static_cast<int32_t>(st.first_op);
    *what = fault_text("stream: expected 2..4 ops inside the op table, after the previous stream");
    if (st.op_count < 2 || st.op_count > SOTTO_SMDL_MAX_STREAM_OPS || st.first_op < next_free ||
        st.first_op > v.header->op_count || st.op_count > v.header->op_count - st.first_op) {
      return SOTTO_ERR_MODEL_BAD_LAYOUT;
    }
    *what = fault_text(
        "stream: expected ring rows for every op but the last, 0 for the last and past it");
    for (uint32_t k = 0; k < SOTTO_SMDL_MAX_STREAM_OPS; ++k) {
      if ((k + 1 < st.op_count) != (st.ring_rows[k] != 0)) return SOTTO_ERR_MODEL_BAD_LAYOUT;
    }
    next_free = st.first_op + st.op_count;
  }
  return SOTTO_OK;
}

sotto_err_t check_stream_ops(const ModelView &v, const char **what, int32_t *at) {
  if (!kRowStreams) return SOTTO_OK;  // check_stream_layout refused every stream
  for (uint32_t s = 0; s < v.stream_count; ++s) {
    const sotto_smdl_stream_t &st = v.streams[s];
    for (uint32_t k = 0; k < st.op_count; ++k) {
      *at = static_cast<int32_t>(st.first_op + k);
      const sotto_err_t err = check_stream_op(v, st, k, what);
      if (err != SOTTO_OK) return err;
    }
  }
  return SOTTO_OK;
}

void run_stream(const ModelView &v, uint8_t *arena, const sotto_smdl_stream_t &s,
                sotto_op_observer_t observer, void *context) {
  Run r;
  r.first_op = s.first_op;
  r.observer = observer;
  r.context = context;
  for (uint32_t k = 0; k < s.op_count; ++k) {
    const sotto_smdl_op_t &op = v.ops[s.first_op + k];
    Lane &l = r.lanes[k];
    l.whole = whole_args(v, arena, op);
    l.kind = sotto_smdl_kernel_kind(&op, v.tensors, v.header->tensor_count);
    l.made = l.first_held = 0;
    l.ring_rows = s.ring_rows[k];
    l.row_bytes = row_bytes(*l.whole.output);
    const uint32_t reads[2] = {op.input0, op.input1};
    for (int slot = 0; slot < 2; ++slot) {
      l.producer[slot] = -1;
      for (uint32_t j = 0; j < k; ++j) {
        if (reads[slot] == v.ops[s.first_op + j].output) l.producer[slot] = static_cast<int32_t>(j);
      }
    }
  }
  const int32_t last = static_cast<int32_t>(s.op_count) - 1;
  while (r.lanes[last].made < r.lanes[last].whole.output->dims[1]) make_row(r, last);
  if (observer != nullptr) {
    // Rows no reader's window reached (a stride-2 1x1 conv skips the last one): made only to be
    // reported, so that the observer sees every row of every op.
    for (int32_t k = 0; k < last; ++k) {
      while (r.lanes[k].made < r.lanes[k].whole.output->dims[1]) make_row(r, k);
    }
    sotto_tensor_t out;
    public_tensor(*r.lanes[last].whole.output,
                  reinterpret_cast<uint8_t *>(r.lanes[last].whole.output_data), &out);
    observer(context, s.first_op + static_cast<uint32_t>(last), &out);
  }
}

}  // namespace sotto_infer
