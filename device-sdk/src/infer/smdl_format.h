/* The .smdl binary layout, shared by the host-side writer and the device-side loader.
 * Little-endian, every section 4-byte aligned; the blob is used in place from flash. */
#ifndef SOTTO_INFER_SMDL_FORMAT_H
#define SOTTO_INFER_SMDL_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "op_table.h"

#define SOTTO_SMDL_MAGIC 0x4C444D53u /* "SMDL" */
#define SOTTO_SMDL_VERSION 1u

/* The target a blob was compiled for (header.target), for tools. The runtime never checks it:
 * every build runs every target's blob, as what a target changes is marked per op (interleaved
 * FULLY_CONNECTED weights, SOTTO_P_FC_WEIGHTS_INTERLEAVED, which the reference kernel decodes
 * too; planned scratch, without which an optimized kernel runs the reference). */
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

/* Element types: int8 everywhere, float32 only at the model edges (QUANTIZE in, DEQUANTIZE out). */
enum sotto_smdl_type {
  SOTTO_SMDL_INT8 = 0,
  SOTTO_SMDL_FLOAT32 = 1,
};

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
  uint32_t input_tensor;
  uint32_t output_tensor;
  uint32_t data_offset; /* constants: weights, biases, multipliers, shifts */
  uint32_t data_bytes;
  uint32_t reserved;
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

/* Parameter slots of sotto_smdl_op.params, by meaning. */
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
  /* ADD */
  SOTTO_P_ADD_LEFT_SHIFT = 0,
  SOTTO_P_ADD_INPUT1_OFFSET = 1,
  SOTTO_P_ADD_INPUT1_MULT = 2,
  SOTTO_P_ADD_INPUT1_SHIFT = 3,
  SOTTO_P_ADD_INPUT2_OFFSET = 4,
  SOTTO_P_ADD_INPUT2_MULT = 5,
  SOTTO_P_ADD_INPUT2_SHIFT = 6,
  SOTTO_P_ADD_OUTPUT_MULT = 7,
  SOTTO_P_ADD_OUTPUT_SHIFT = 8,
  /* FULLY_CONNECTED: 1 when the weights are stored for the Cortex-M4 kernel (only with a folded
   * bias). Each whole group of four rows A, B, C, D (o..o+3), for every four inputs k..k+3, as 16
   * bytes: A[k]+128, B[k], A[k+2]+128, B[k+2], then the same for k+1 and k+3, then both words
   * again for C (+128) and D; then the four rows' last in_n % 4 weights, plain, row after row.
   * The last out_n % 4 rows are plain. Other builds' reference kernel reads it too. */
  SOTTO_P_FC_WEIGHTS_INTERLEAVED = 14, /* a slot no other op uses: older blobs hold 0 there */
  /* SOFTMAX */
  SOTTO_P_SOFTMAX_BETA_MULT = 0,
  SOTTO_P_SOFTMAX_BETA_LEFT_SHIFT = 1,
  SOTTO_P_SOFTMAX_DIFF_MIN = 2,
  /* MUL (offsets as ADD; ADD and MUL read an input of 1 or dims[3] elements as broadcast) */
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
  /* PAD: elements added before/after each right-aligned dim; the value is the output zero point */
  SOTTO_P_PAD_BEFORE = 0, /* 4 slots */
  SOTTO_P_PAD_AFTER = 4,  /* 4 slots */
  /* MEAN over dims 1 and 2 (H, W) */
  SOTTO_P_MEAN_SAME_QUANTIZATION = 0, /* 1: integer sum / count (truncating), as TFLM */
  SOTTO_P_MEAN_SCALE_BITS = 1,        /* else float: round(mean * scale + bias) + output zp */
  SOTTO_P_MEAN_BIAS_BITS = 2,
  /* QUANTIZE: float32 -> int8 (round(x / scale) + zp) or int8 -> int8 (requantize) */
  SOTTO_P_QUANTIZE_FROM_FLOAT = 0,
  SOTTO_P_QUANTIZE_SCALE_BITS = 1, /* float bits of the output scale (from float) */
  SOTTO_P_QUANTIZE_MULT = 2,       /* int8 -> int8 */
  SOTTO_P_QUANTIZE_SHIFT = 3,
  SOTTO_P_QUANTIZE_INPUT_ZERO_POINT = 4,
  /* DEQUANTIZE: int8 -> float32, (x - zp) * scale */
  SOTTO_P_DEQUANTIZE_SCALE_BITS = 0,
  SOTTO_P_DEQUANTIZE_ZERO_POINT = 1,
  SOTTO_P_COUNT_ = 16,
};

typedef struct sotto_smdl_op {
  uint32_t kind;
  uint32_t input0;
  uint32_t input1; /* second activation input (ADD), else 0xFFFFFFFF */
  uint32_t output;
  int32_t params[SOTTO_P_COUNT_];
  uint32_t weights_offset; /* relative to data_offset */
  uint32_t weights_bytes;
  uint32_t bias_offset;
  uint32_t bias_count; /* int32 each */
  uint32_t multiplier_offset;
  uint32_t multiplier_count; /* int32 each, per output channel */
  uint32_t shift_offset;
  uint32_t shift_count; /* int32 each */
  /* FULLY_CONNECTED: bias + input_offset * sum(weights row), per output (0 = none), so kernels
   * can multiply raw int8 inputs. */
  uint32_t folded_bias_offset;
  uint32_t folded_bias_count; /* int32 each */
  /* Working memory the target's kernel may use during this op only (planned in the arena). */
  uint32_t scratch_offset;
  uint32_t scratch_bytes;
} sotto_smdl_op_t;

#define SOTTO_SMDL_NO_TENSOR 0xFFFFFFFFu

/* Products summed into one int32 accumulator by CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED
 * (window or input size): each is at most 255 * 255, so this many always fit. The importer
 * refuses deeper layers and the loader checks it again. */
#define SOTTO_SMDL_MAX_ACCUMULATION_DEPTH 32768u

#endif /* SOTTO_INFER_SMDL_FORMAT_H */
