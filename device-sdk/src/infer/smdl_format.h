/* The .smdl binary layout, shared by the host-side writer and the device-side loader.
 * Little-endian, every section 4-byte aligned; the blob is used in place from flash. */
#ifndef SOTTO_INFER_SMDL_FORMAT_H
#define SOTTO_INFER_SMDL_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "op_table.h"

#define SOTTO_SMDL_MAGIC 0x4C444D53u /* "SMDL" */
/* 2: several graph inputs and outputs (an index table after the op table) and the element types
 * int16, int32 and uint8 in the tensor table. 3: a row-stream table after the io table
 * (sotto_smdl_stream below). The runtime reads both. The importer writes 3 only when it chose a
 * row stream and 2 otherwise (no stream table, the bytes the importer before streams wrote), so a
 * model without streams still rolls out to devices whose firmware reads only version 2. */
#define SOTTO_SMDL_VERSION 3u
#define SOTTO_SMDL_VERSION_NO_STREAMS 2u

/* The target a blob was compiled for (header.target), for tools. The runtime never checks it:
 * every build runs every target's blob, as what a target changes is marked per op (interleaved
 * FULLY_CONNECTED weights and pointwise CONV_2D filters, SOTTO_P_FC_WEIGHTS_INTERLEAVED, which the
 * reference kernels decode too; planned scratch, without which an optimized kernel runs the
 * reference). */
enum sotto_smdl_target {
  SOTTO_SMDL_TARGET_GENERIC = 0,
  SOTTO_SMDL_TARGET_CORTEX_M4 = 1,
  SOTTO_SMDL_TARGET_CORTEX_M0 = 2,
  SOTTO_SMDL_TARGET_RV32 = 3,
};

/* Op kinds: one per row of op_table.h (SOTTO_OP_CONV_2D = 1, ...). */
enum sotto_smdl_op_kind {
#define SOTTO_SMDL_OP_KIND(NAME, KIND, TFLITE_BUILTIN, STEM) SOTTO_OP_##NAME = (KIND),
  SOTTO_OP_TABLE(SOTTO_SMDL_OP_KIND)
#undef SOTTO_SMDL_OP_KIND
};

/* Element types. Each op's check says which it takes: int8 everywhere, float32 only at the model
 * edges (QUANTIZE in, DEQUANTIZE out), int16 activations (TFLite's 16x8 quantization) where an
 * op's check names them (ADD, SUB, LEAKY_RELU, PAD, CONV_2D, TRANSPOSE_CONV, SOFTMAX's output,
 * SVDF's state, LSTM's cell state); the ops that only move elements (STRIDED_SLICE, TRANSPOSE)
 * take any type. int32 only where QUANTIZE names it and as TRANSPOSE_CONV's output_shape (a graph
 * input its kernel never reads); no op takes uint8. */
enum sotto_smdl_type {
  SOTTO_SMDL_INT8 = 0,
  SOTTO_SMDL_FLOAT32 = 1,
  SOTTO_SMDL_INT16 = 2,
  SOTTO_SMDL_INT32 = 3,
  SOTTO_SMDL_UINT8 = 4,
  SOTTO_SMDL_TYPE_COUNT_ = 5,
};

/* Bytes per element of a type (0 for an unknown type). */
static inline uint32_t sotto_smdl_type_bytes(uint32_t type) {
  switch (type) {
    case SOTTO_SMDL_INT8:
    case SOTTO_SMDL_UINT8:
      return 1;
    case SOTTO_SMDL_INT16:
      return 2;
    case SOTTO_SMDL_FLOAT32:
    case SOTTO_SMDL_INT32:
      return 4;
    default:
      return 0;
  }
}

typedef struct sotto_smdl_header {
  uint32_t magic;
  uint16_t format_version;
  uint16_t target;
  uint32_t total_bytes; /* the whole blob, header included */
  uint32_t digest;      /* FNV-1a 32 over the blob with this field read as zero */
  uint32_t arena_bytes; /* exact working memory the plan needs */
  uint32_t tensor_count;
  uint32_t tensor_table_offset;
  uint32_t op_count;
  uint32_t op_table_offset;
  uint32_t input_count;  /* graph inputs, at least 1 */
  uint32_t output_count; /* graph outputs, at least 1 */
  uint32_t data_offset;  /* constants: weights, biases, multipliers, shifts */
  uint32_t data_bytes;
  /* input_count then output_count uint32 tensor indices, then (version 3 only) the stream table
   * (count, records) */
  uint32_t io_table_offset;
} sotto_smdl_header_t;

/* The header's digest of blob[0, bytes): FNV-1a 32 with the digest field read as zero. */
static inline uint32_t sotto_smdl_digest(const uint8_t *blob, uint32_t bytes) {
  const size_t digest_pos = offsetof(sotto_smdl_header_t, digest);
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < bytes; ++i) {
    const uint32_t b = (i >= digest_pos && i < digest_pos + 4) ? 0u : blob[i];
    h = (h ^ b) * 16777619u;
  }
  return h;
}

typedef struct sotto_smdl_tensor {
  uint32_t arena_offset;
  uint32_t bytes;
  int32_t zero_point;
  float scale;
  int32_t rank;
  int32_t dims[4]; /* right-aligned: the last dim is always dims[3]; unused leading dims are 1 */
  uint32_t type;   /* sotto_smdl_type; bytes = elements * element size */
} sotto_smdl_tensor_t;

/* Parameter slots of sotto_smdl_op.params, by meaning. TRANSPOSE_CONV uses the convolutions'
 * (strides, padding, kernel size, activation bounds, offsets; dilation 1): each input pixel spreads
 * over the output at stride steps, less the padding. */
enum sotto_smdl_param {
  SOTTO_P_STRIDE_H = 0,
  SOTTO_P_STRIDE_W = 1,
  SOTTO_P_PAD_H = 2,
  SOTTO_P_PAD_W = 3,
  SOTTO_P_DILATION_H = 4,
  SOTTO_P_DILATION_W = 5,
  SOTTO_P_KERNEL_H = 6,
  SOTTO_P_KERNEL_W = 7,
  SOTTO_P_DEPTH_MULTIPLIER = 8,
  SOTTO_P_ACT_MIN = 9,
  SOTTO_P_ACT_MAX = 10,
  SOTTO_P_INPUT_OFFSET = 11,
  SOTTO_P_OUTPUT_OFFSET = 12,
  SOTTO_P_FILTER_OFFSET = 13,
  /* ADD and SUB (input 2 subtracted), int8 (left shift up to 20) and int16 (up to 15) */
  SOTTO_P_ADD_LEFT_SHIFT = 0,
  SOTTO_P_ADD_INPUT1_OFFSET = 1,
  SOTTO_P_ADD_INPUT1_MULT = 2,
  SOTTO_P_ADD_INPUT1_SHIFT = 3,
  SOTTO_P_ADD_INPUT2_OFFSET = 4,
  SOTTO_P_ADD_INPUT2_MULT = 5,
  SOTTO_P_ADD_INPUT2_SHIFT = 6,
  SOTTO_P_ADD_OUTPUT_MULT = 7,
  SOTTO_P_ADD_OUTPUT_SHIFT = 8,
  /* FULLY_CONNECTED, and CONV_2D with a 1x1 window, no padding and int8 activations (its filter
   * is out_n = out_c rows of in_n = in_c): 1 when the weights are stored for the Cortex-M4
   * kernels (only with a folded bias). Each whole group of four rows A, B, C, D (o..o+3), for
   * every four inputs k..k+3, as 16 bytes: A[k]+128, B[k], A[k+2]+128, B[k+2], then the same for
   * k+1 and k+3, then both words again for C (+128) and D; then the four rows' last in_n % 4
   * weights, plain, row after row. The last out_n % 4 rows are plain. Other builds' reference
   * kernels read it too (kernels/interleaved_weights.h).
   * CONV_2D with any other window and int8 activations: 2 when its filter is stored the same way
   * for the Cortex-M4's windowed kernel (kernels/cortex-m4/window_conv.h), as out_c rows of
   * in_n = kernel_h * kernel_w * in_c rounded up to a multiple of 4, the added weights 0 (so
   * every row is whole groups), again only with a folded bias. Loaders before this value refuse
   * such a blob by name. */
  SOTTO_P_FC_WEIGHTS_INTERLEAVED = 14, /* a slot no other op uses: older blobs hold 0 there */
  /* FULLY_CONNECTED and CONV_2D: 1 when the weights are stored block-sparse (SOTTO_SMDL_SPARSE_*
   * below), 0 for dense (older blobs hold 0). Sparse weights are never interleaved, and need a
   * weight offset of 0 so that a dropped weight adds nothing. */
  SOTTO_P_SPARSE_WEIGHTS = 15,
  /* SOFTMAX */
  SOTTO_P_SOFTMAX_BETA_MULT = 0,
  SOTTO_P_SOFTMAX_BETA_LEFT_SHIFT = 1,
  SOTTO_P_SOFTMAX_DIFF_MIN = 2,
  /* MUL (offsets as ADD; ADD, SUB and MUL read an input of 1 or dims[3] elements as broadcast) */
  SOTTO_P_MUL_INPUT1_OFFSET = 1,
  SOTTO_P_MUL_INPUT2_OFFSET = 4,
  SOTTO_P_MUL_OUTPUT_MULT = 7,
  SOTTO_P_MUL_OUTPUT_SHIFT = 8,
  /* LOGISTIC (output scale 1/256, zero point -128) */
  SOTTO_P_LOGISTIC_INPUT_ZERO_POINT = 0,
  SOTTO_P_LOGISTIC_INPUT_MULT = 1,
  SOTTO_P_LOGISTIC_INPUT_LEFT_SHIFT = 2,
  SOTTO_P_LOGISTIC_RANGE_RADIUS = 3,
  /* CONCATENATION: inputs listed as uint32 tensor indices in the weights range */
  SOTTO_P_CONCAT_AXIS = 0, /* 0..3 in the right-aligned dims */
  /* PAD, int8 and int16: elements added before/after each right-aligned dim; the value is in
   * slot 12 (the output zero point for int8, 0 for int16 as TFLM) */
  SOTTO_P_PAD_BEFORE = 0, /* 4 slots */
  SOTTO_P_PAD_AFTER = 4,  /* 4 slots */
  /* MEAN over dims 1 and 2 (H, W), as TFLM: (sum - input zp * count) times a multiplier that
   * includes 1 / count (MultiplyByQuantizedMultiplier), plus the output zero point (slot 12) */
  SOTTO_P_MEAN_INPUT_ZERO_POINT = 0,
  SOTTO_P_MEAN_MULT = 1,
  SOTTO_P_MEAN_SHIFT = 2,
  /* QUANTIZE: float32 -> int8 (round(x / scale) + zp) or between int8, int16 and int32
   * (requantize, saturated to the output type) */
  SOTTO_P_QUANTIZE_FROM_FLOAT = 0,
  SOTTO_P_QUANTIZE_SCALE_BITS = 1, /* float bits of the output scale (from float) */
  SOTTO_P_QUANTIZE_MULT = 2,       /* int8 -> int8 */
  SOTTO_P_QUANTIZE_SHIFT = 3,
  SOTTO_P_QUANTIZE_INPUT_ZERO_POINT = 4,
  /* DEQUANTIZE: int8 -> float32, (x - zp) * scale */
  SOTTO_P_DEQUANTIZE_SCALE_BITS = 0,
  SOTTO_P_DEQUANTIZE_ZERO_POINT = 1,
  /* LEAKY_RELU, int8 and int16: (x - input zp) times the identity multiplier where it is >= 0,
   * the alpha one (alpha folded in) where it is negative, plus the output zero point (slot 12) */
  SOTTO_P_LEAKY_RELU_INPUT_ZERO_POINT = 0,
  SOTTO_P_LEAKY_RELU_IDENTITY_MULT = 1,
  SOTTO_P_LEAKY_RELU_IDENTITY_SHIFT = 2,
  SOTTO_P_LEAKY_RELU_ALPHA_MULT = 3,
  SOTTO_P_LEAKY_RELU_ALPHA_SHIFT = 4,
  /* STRIDED_SLICE: per right-aligned dim the first input index and the step (non-zero, may be
   * negative); the output's dims are the counts */
  SOTTO_P_SLICE_START = 0,  /* 4 slots */
  SOTTO_P_SLICE_STRIDE = 4, /* 4 slots */
  /* TRANSPOSE: output dim k walks input dim perm[k] (right-aligned dims, a permutation of 0..3) */
  SOTTO_P_TRANSPOSE_PERM = 0, /* 4 slots */
  /* SVDF, as TFLM's integer kernel: int8 input [batch, inputs] and output [batch, units]; input1
   * is the activation state [batch, filters * memory] (filters = units * rank), int8 or int16,
   * which persists across invokes (sotto_smdl_state_tensor). The weights range holds the int8
   * feature weights [filters, inputs], zero-padded to a multiple of 4 bytes, then the time
   * weights [filters, memory] of the state's type; the bias (int32, optional) one per unit. The
   * output zero point is in slot 12. Fused activations are not applied (TFLM does not). */
  SOTTO_P_SVDF_RANK = 0,
  SOTTO_P_SVDF_MEMORY = 1, /* state entries per filter */
  SOTTO_P_SVDF_INPUT_ZERO_POINT = 2,
  SOTTO_P_SVDF_STATE_ZERO_POINT = 3,
  SOTTO_P_SVDF_FEATURE_MULT = 4, /* input x feature weights -> the state's scale */
  SOTTO_P_SVDF_FEATURE_SHIFT = 5,
  SOTTO_P_SVDF_OUTPUT_MULT = 6, /* state x time weights (+ bias) -> the output's scale */
  SOTTO_P_SVDF_OUTPUT_SHIFT = 7,
  /* UNIDIRECTIONAL_SEQUENCE_LSTM, as TFLM's integer kernel (8x8->16: int8 input, output, weights
   * and hidden state; int16 gates and cell state; no peephole, projection or layer norm): input0
   * [batch, time, inputs] (or [time, batch, inputs], time major), output the same with `units`
   * last. input1 is the hidden state [batch, units] (int8) and the tensor in slot
   * SOTTO_P_LSTM_CELL_STATE the cell state [batch, units] (int16, its scale 2^power): both persist
   * across invokes (sotto_smdl_state_tensor). The weights range holds the int8 input weights
   * [units, inputs] of the gates input, forget, cell, output (TFLite's order), then their
   * recurrent weights [units, units]; the bias, 4 x units int32, the gates' biases in that order.
   * The multipliers and shifts, SOTTO_LSTM_RESCALE_COUNT_ each, in sotto_smdl_lstm_rescale order.
   * Scratch: sotto_smdl_lstm_scratch_bytes, the gates' int16 outputs. */
  SOTTO_P_LSTM_TIME_MAJOR = 0,
  SOTTO_P_LSTM_CELL_STATE = 1, /* tensor index */
  SOTTO_P_LSTM_INPUT_ZERO_POINT = 2,
  SOTTO_P_LSTM_HIDDEN_ZERO_POINT = 3,
  SOTTO_P_LSTM_CELL_POWER = 4, /* the cell state's scale is 2^power, power in -40..2 */
  SOTTO_P_LSTM_CELL_CLIP = 5,  /* the quantized cell clip, 0..32767; -1: no clip */
  SOTTO_P_COUNT_ = 16,
};

/* UNIDIRECTIONAL_SEQUENCE_LSTM's rescales (multiplier and shift pairs), in blob order: each gate's
 * input and recurrent products to its int16 pre-activation (scale 2^-12), then forget gate x cell
 * state -> cell state, input gate x cell gate -> cell state, tanh(cell) x output gate -> hidden. */
enum sotto_smdl_lstm_rescale {
  SOTTO_LSTM_INPUT_GATE_INPUT = 0, /* gate g: input product 2g, recurrent product 2g + 1 */
  SOTTO_LSTM_FORGET_TIMES_CELL = 8,
  SOTTO_LSTM_INPUT_TIMES_CELL_GATE = 9,
  SOTTO_LSTM_OUTPUT_TIMES_TANH_CELL = 10,
  SOTTO_LSTM_RESCALE_COUNT_ = 11,
};

/* Scratch UNIDIRECTIONAL_SEQUENCE_LSTM needs: four int16 gate buffers of one step's units (all
 * batches when time major, one batch otherwise). */
static inline uint64_t sotto_smdl_lstm_scratch_bytes(uint32_t step_batches, uint32_t units) {
  return (uint64_t)8u * step_batches * units; /* 4 buffers of 2-byte elements */
}

typedef struct sotto_smdl_op {
  uint32_t kind;
  uint32_t input0;
  /* second activation input (ADD; TRANSPOSE_CONV's output_shape; SVDF's and LSTM's state), else
   * 0xFFFFFFFF */
  uint32_t input1;
  uint32_t output;
  int32_t params[SOTTO_P_COUNT_];
  uint32_t weights_offset; /* relative to data_offset */
  uint32_t weights_bytes;
  uint32_t bias_offset;
  /* int32 each; with int16 activations (CONV_2D, TRANSPOSE_CONV: TFLite's 16x8) an int64 bias
   * per output channel as two int32 words, low word first: count = 2 x channels */
  uint32_t bias_count;
  uint32_t multiplier_offset;
  uint32_t multiplier_count; /* int32 each, per output channel */
  uint32_t shift_offset;
  uint32_t shift_count; /* int32 each */
  /* FULLY_CONNECTED and interleaved pointwise CONV_2D: bias + input_offset * sum(weights row),
   * per output (0 = none), so kernels can multiply raw int8 inputs. */
  uint32_t folded_bias_offset;
  uint32_t folded_bias_count; /* int32 each */
  /* Working memory the target's kernel may use during this op only (planned in the arena). */
  uint32_t scratch_offset;
  uint32_t scratch_bytes;
} sotto_smdl_op_t;

#define SOTTO_SMDL_NO_TENSOR 0xFFFFFFFFu

/* Row streams (version 3; a version 2 blob has none). Right after the io table: a uint32 count,
 * then that many records, ascending and disjoint by first_op. A stream runs its ops (consecutive in
 * the op table, CONV_2D, DEPTHWISE_CONV_2D and same-shape ADD with int8 tensors of one batch)
 * row-interleaved: the last op's output rows are made in order, and each asks its producers in the
 * stream for just the rows its window needs. The output of stream op k < op_count - 1 never exists
 * whole: its tensor's arena_offset holds only the last ring_rows[k] (>= 1) rows made (the bytes the
 * loader checks against the arena), and exactly one later op of the stream reads it; the last op's
 * output is whole (ring_rows 0, as are the slots past op_count). So a residual block or a
 * conv/depthwise/pointwise run keeps a few rows of each intermediate instead of the whole tensor
 * (the importer chooses streams only where they save much of the arena). */
#define SOTTO_SMDL_MAX_STREAM_OPS 4u
typedef struct sotto_smdl_stream {
  uint32_t first_op;
  uint32_t op_count;                             /* 2..SOTTO_SMDL_MAX_STREAM_OPS */
  uint32_t ring_rows[SOTTO_SMDL_MAX_STREAM_OPS]; /* per op's output: rows kept; last op 0 */
} sotto_smdl_stream_t;

/* The tensors an op keeps from one invoke to the next, `which` = 0 .. SOTTO_SMDL_MAX_STATES - 1
 * (SVDF: its activation state, input1; UNIDIRECTIONAL_SEQUENCE_LSTM: its hidden state, input1,
 * then its cell state), or SOTTO_SMDL_NO_TENSOR. The importer plans them over the whole run, so
 * no other tensor or scratch shares their bytes (the loader checks that); the runtime sets them
 * to their initial value when an arena is attached and on sotto_model_reset_state. */
#define SOTTO_SMDL_MAX_STATES 2u
static inline uint32_t sotto_smdl_state_tensor(const sotto_smdl_op_t *op, uint32_t which) {
  if (op->kind == SOTTO_OP_SVDF) return which == 0 ? op->input1 : SOTTO_SMDL_NO_TENSOR;
  if (op->kind == SOTTO_OP_UNIDIRECTIONAL_SEQUENCE_LSTM) {
    return which == 0 ? op->input1 : (uint32_t)op->params[SOTTO_P_LSTM_CELL_STATE];
  }
  return SOTTO_SMDL_NO_TENSOR;
}

/* The op table's kind whose kernel and loader check run `op`: its own kind, except a CONV_2D
 * with an int16 output (TFLite's 16x8), which runs CONV_2D_16X8, a kernel object of its own so
 * that an engine for int8 models links none of the int16 path. One definition for the loader,
 * the dispatcher and the importer's flash estimate: the blob stores CONV_2D for both. Kind
 * CONV_2D_16X8 in a blob is no op (0); an output index outside the `tensor_count` tensors leaves
 * the kind as it is (the loader refuses that op's indices). */
static inline uint32_t sotto_smdl_kernel_kind(const sotto_smdl_op_t *op,
                                              const sotto_smdl_tensor_t *tensors,
                                              uint32_t tensor_count) {
  if (op->kind == SOTTO_OP_CONV_2D_16X8) return 0;
  if (op->kind == SOTTO_OP_CONV_2D && op->output < tensor_count &&
      tensors[op->output].type == SOTTO_SMDL_INT16) {
    return SOTTO_OP_CONV_2D_16X8;
  }
  return op->kind;
}

/* Block-sparse weights (SOTTO_P_SPARSE_WEIGHTS = 1), read in place by the kernels: no dense copy.
 * The weights are `rows` rows (FULLY_CONNECTED: out_n; CONV_2D: out_c), each `groups` runs of
 * `run` weights along the input dimension (FULLY_CONNECTED: 1 run of in_n; CONV_2D: one run of
 * in_c per kernel pixel ky, kx in row-major order). A run is cut into blocks of
 * SOTTO_SMDL_SPARSE_BLOCK weights, the last one shorter when run % 4 != 0. The weights range
 * holds:
 *   1. the bitmap: per row ceil(groups * ceil(run / 4) / 8) bytes, bit b (byte b / 8, bit b % 8,
 *      least significant first) set when block b of the row is stored; bits past the row's last
 *      block are 0; the whole bitmap padded with zero bytes to a multiple of 4;
 *   2. the stored blocks, row after row, in bit order, 4 bytes each (a short last block padded
 *      with zeros, which no kernel reads), so every block is word aligned.
 * The loader checks all of it: weights_bytes == padded bitmap + 4 * set bits, no stray bits. A
 * block not stored is four zero weights; at 50 % of blocks stored the weights take
 * 0.5 + 1/32 of their dense bytes (plus the bitmap's row rounding). */
#define SOTTO_SMDL_SPARSE_BLOCK 4u

/* Bytes of one row's bitmap, and of the whole padded bitmap. */
static inline uint32_t sotto_smdl_sparse_row_bitmap_bytes(uint32_t groups, uint32_t run) {
  const uint64_t blocks =
      (uint64_t)groups * ((run + SOTTO_SMDL_SPARSE_BLOCK - 1) / SOTTO_SMDL_SPARSE_BLOCK);
  return (uint32_t)((blocks + 7) / 8);
}
static inline uint64_t sotto_smdl_sparse_bitmap_bytes(uint32_t rows, uint32_t groups,
                                                      uint32_t run) {
  const uint64_t bytes = (uint64_t)rows * sotto_smdl_sparse_row_bitmap_bytes(groups, run);
  return (bytes + 3) & ~(uint64_t)3;
}

/* Limits, one definition for the importer (which refuses a model beyond them, naming the limit)
 * and the loader (which refuses a blob beyond them). */
#define SOTTO_SMDL_MAX_DIM 65535u              /* every tensor dimension */
#define SOTTO_SMDL_MAX_TENSOR_BYTES (1u << 30) /* kernels index with int32 */
#define SOTTO_SMDL_MAX_WINDOW 1024             /* strides, dilations, kernel size, padding */
#define SOTTO_SMDL_MAX_MEAN_COUNT (1u << 24)   /* elements one MEAN output sums in an int32 */

/* Accumulation depth: CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED sum `depth` products
 * (input - zero point) * (weight + weight offset) in one int32. An input difference is at most
 * 255 in magnitude; TFLite's int8 weights are symmetric (-127..127, offset 0), so a product is
 * at most 255 * 127 = 32,385 and 66,311 of them fit 2^31 - 1. A weight of -128 allows 32,640
 * (65,793 products); a non-zero weight offset (FULLY_CONNECTED) 255 * 255 (33,025). */
#define SOTTO_SMDL_MAX_ACCUMULATION_DEPTH 66311u
#define SOTTO_SMDL_MAX_DEPTH_ANY_INT8_WEIGHT 65793u
#define SOTTO_SMDL_MAX_DEPTH_WEIGHT_OFFSET 33025u

/* Whether an int32 holds every sum of `depth` such products for these weights: the rule the
 * importer and the loader both apply. Scans the weights for -128 only in the narrow band of
 * depths where it matters. */
static inline int sotto_smdl_depth_fits_int32(uint32_t depth, int32_t weight_offset,
                                              const int8_t *weights, uint32_t weight_count) {
  if (weight_offset != 0) return depth <= SOTTO_SMDL_MAX_DEPTH_WEIGHT_OFFSET;
  if (depth <= SOTTO_SMDL_MAX_DEPTH_ANY_INT8_WEIGHT) return 1;
  if (depth > SOTTO_SMDL_MAX_ACCUMULATION_DEPTH) return 0;
  for (uint32_t i = 0; i < weight_count; ++i) {
    if (weights[i] == -128) return 0;
  }
  return 1;
}

/* SOTTO_P_FC_WEIGHTS_INTERLEAVED's values other than 0 (plain rows). */
enum sotto_smdl_interleaving {
  SOTTO_SMDL_INTERLEAVED_ROWS = 1,   /* FULLY_CONNECTED rows, pointwise CONV_2D filters */
  SOTTO_SMDL_INTERLEAVED_WINDOW = 2, /* other CONV_2D windows, rows padded to whole groups */
};

/* The stored row length of a filter with SOTTO_SMDL_INTERLEAVED_WINDOW: its window rounded up
 * to a multiple of 4. */
static inline uint32_t sotto_smdl_window_row(uint32_t window) {
  return (window + 3u) & ~3u;
}

#endif /* SOTTO_INFER_SMDL_FORMAT_H */
