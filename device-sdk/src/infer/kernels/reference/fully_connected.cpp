// FULLY_CONNECTED, int8, weights [out][in] (dense, interleaved for the Cortex-M4 or block-sparse),
// one multiplier (per-tensor) or one per row: the loader's check and the reference kernel.
#include "fixed_point.h"
#include "interleaved_weights.h"
#include "kernel_args.h"
#include "op_check.h"
#include "reference_fallback.h"
#include "sparse_weights.h"

namespace sotto_infer {

namespace {

// sotto_smdl_depth_fits_int32 on the weights as the importer saw them, before interleaving.
bool accumulation_fits(const OpCheck &c, uint32_t out_n, uint32_t in_n) {
  const int8_t *w = reinterpret_cast<const int8_t *>(c.model.data + c.op.weights_offset);
  const int32_t weight_offset = c.op.params[SOTTO_P_FILTER_OFFSET];
  if (has_sparse_weights(c.op.params)) {  // the stored blocks only (checked before)
    const uint32_t bitmap = static_cast<uint32_t>(sotto_smdl_sparse_bitmap_bytes(out_n, 1, in_n));
    return sotto_smdl_depth_fits_int32(in_n, 0, w + bitmap, c.op.weights_bytes - bitmap) != 0;
  }
  if (c.op.params[SOTTO_P_FC_WEIGHTS_INTERLEAVED] == 0 || weight_offset != 0 ||
      in_n <= SOTTO_SMDL_MAX_DEPTH_ANY_INT8_WEIGHT || in_n > SOTTO_SMDL_MAX_ACCUMULATION_DEPTH) {
    return sotto_smdl_depth_fits_int32(in_n, weight_offset, w, c.op.weights_bytes) != 0;
  }
  for (uint32_t o = 0; o < out_n; ++o) {
    for (uint32_t k = 0; k < in_n; ++k) {
      if (interleaved_weight(w, static_cast<int32_t>(out_n), static_cast<int32_t>(in_n),
                             static_cast<int32_t>(o), static_cast<int32_t>(k)) == -128) {
        return false;
      }
    }
  }
  return true;
}

// Sparse weights (smdl_format.h): flag 1, weight offset 0, not interleaved, a valid encoding.
sotto_err_t check_sparse_fully_connected(OpCheck &c, uint32_t out_n, uint32_t in_n) {
  const int32_t *p = c.param();
  if (p[SOTTO_P_SPARSE_WEIGHTS] != 1 || p[SOTTO_P_FILTER_OFFSET] != 0 ||
      p[SOTTO_P_FC_WEIGHTS_INTERLEAVED] != 0 || (c.op.weights_offset & 3u) != 0) {
    return c.fail(
        SOTTO_ERR_MODEL_BAD_OP,
        "sparse weights: expected flag 1, weight offset 0, not interleaved, word-aligned");
  }
  const SparseShape shape = {out_n, 1, in_n};
  if (!sparse_weights_ok(shape, c.model.data + c.op.weights_offset, c.op.weights_bytes)) {
    return c.fail(SOTTO_ERR_MODEL_BAD_CONSTANTS,
                  "sparse weights: expected a bitmap of ceil(in_n / 4) bits per row, no stray "
                  "bits, 4 bytes per set bit");
  }
  return SOTTO_OK;
}

// The sparse rows of input row `in`: the same sums as the dense loop over the zero-filled rows.
void sparse_fully_connected_row(const KernelArgs &a, const int8_t *in, int8_t *out, int32_t out_n,
                                int32_t in_n) {
  const int32_t *p = a.op->params;
  const int32_t input_offset = p[SOTTO_P_INPUT_OFFSET];
  const bool per_channel = a.op->multiplier_count > 1;
  const SparseShape shape = {static_cast<uint32_t>(out_n), 1, static_cast<uint32_t>(in_n)};
  const uint32_t row_bytes = sotto_smdl_sparse_row_bitmap_bytes(1, shape.run);
  const uint8_t *bits = reinterpret_cast<const uint8_t *>(a.weights);
  const int8_t *blocks = sparse_blocks(shape, a.weights);
  for (int32_t o = 0; o < out_n; ++o, bits += row_bytes) {
    int32_t acc = 0;
    sparse_run(bits, 0, shape.run, &blocks, false, [&](uint32_t k, const int8_t *w, uint32_t n) {
      for (uint32_t j = 0; j < n; ++j) acc += w[j] * (in[k + j] + input_offset);
    });
    if (a.bias) acc = wrapping_add(acc, a.bias[o]);
    const int32_t c = per_channel ? o : 0;
    out[o] = requantize_to_int8(acc, a.multiplier[c], a.shift[c], p[SOTTO_P_OUTPUT_OFFSET],
                                p[SOTTO_P_ACT_MIN], p[SOTTO_P_ACT_MAX]);
  }
}

}  // namespace

sotto_err_t check_fully_connected(OpCheck &c) {
  sotto_err_t err = check_int8_activations(c);
  if (err == SOTTO_OK) err = check_mac_quantization(c);
  if (err != SOTTO_OK) return err;
  const sotto_smdl_op_t &op = c.op;
  const uint32_t out_c = static_cast<uint32_t>(c.output.dims[3]);
  const uint32_t rows = c.output.bytes / out_c;  // 32-bit: no libcall
  if (rows == 0 || c.output.bytes % out_c != 0 || c.input0.bytes % rows != 0) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                  "rows: expected input and output to hold the same number of rows");
  }
  const uint32_t depth = c.input0.bytes / rows;
  if (op.params[SOTTO_P_SPARSE_WEIGHTS] != 0 && !kSparseWeights) {
    return c.fail(SOTTO_ERR_MODEL_UNSUPPORTED_OP, kSparseWeightsLeftOut);
  }
  if (has_sparse_weights(op.params)) {
    err = check_sparse_fully_connected(c, out_c, depth);
    if (err != SOTTO_OK) return err;
  } else if (op.weights_bytes != static_cast<uint64_t>(out_c) * depth) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH, "weights: expected out_c * input row bytes");
  }
  if (!accumulation_fits(c, out_c, depth)) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP,
                  "input row: expected its products to fit an int32 (sotto_smdl_depth_fits_int32)");
  }
  if ((op.multiplier_count != 1 && op.multiplier_count != out_c) ||
      (op.bias_count != 0 && op.bias_count != out_c) ||
      (op.folded_bias_count != 0 && op.folded_bias_count != out_c)) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                  "constants: expected 1 or out_c multipliers, none or out_c (folded) biases");
  }
  // Interleaved weights (smdl_format.h) come only with the folded bias, and the Cortex-M4 kernel
  // walks them with word loads from their start.
  if (!kReferenceFallback && !has_sparse_weights(op.params) &&
      op.params[SOTTO_P_FC_WEIGHTS_INTERLEAVED] == 0) {
    return c.fail(SOTTO_ERR_MODEL_UNSUPPORTED_OP,
                  "weights: expected interleaved" SOTTO_INFER_FALLBACK_LEFT_OUT
                  "; import with --target cortex-m4");
  }
  if (op.params[SOTTO_P_FC_WEIGHTS_INTERLEAVED] != 0 &&
      (op.params[SOTTO_P_FC_WEIGHTS_INTERLEAVED] != 1 || op.folded_bias_count == 0 ||
       (op.weights_offset & 3u) != 0)) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP,
                  "interleaved weights: expected flag 1, a folded bias and word-aligned weights");
  }
  return SOTTO_OK;
}

void reference::fully_connected(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const int32_t out_n = a.output->dims[3];
  const int32_t rows = static_cast<int32_t>(a.output->bytes) / out_n;
  const int32_t in_n = static_cast<int32_t>(a.input0->bytes) / rows;
  const int32_t input_offset = p[SOTTO_P_INPUT_OFFSET], filter_offset = p[SOTTO_P_FILTER_OFFSET];
  const bool per_channel = a.op->multiplier_count > 1;
#ifdef SOTTO_INFER_OPTIMIZED_FULLY_CONNECTED
  const bool interleaved = false;  // the optimized kernel reads that layout itself
#else
  const bool interleaved = p[SOTTO_P_FC_WEIGHTS_INTERLEAVED] != 0;
#endif
  for (int32_t r = 0; r < rows; ++r) {
    const int8_t *in = a.input0_data + r * in_n;
    if (has_sparse_weights(p)) {
      sparse_fully_connected_row(a, in, a.output_data + r * out_n, out_n, in_n);
      continue;
    }
    for (int32_t o = 0; o < out_n; ++o) {
      const int8_t *w = a.weights + o * in_n;
      int32_t acc = 0;
      for (int32_t i = 0; i < in_n; ++i) {
        const int32_t wi = interleaved ? interleaved_weight(a.weights, out_n, in_n, o, i) : w[i];
        acc += (wi + filter_offset) * (in[i] + input_offset);
      }
      if (a.bias) acc = wrapping_add(acc, a.bias[o]);
      const int32_t c = per_channel ? o : 0;
      a.output_data[r * out_n + o] =
          requantize_to_int8(acc, a.multiplier[c], a.shift[c], p[SOTTO_P_OUTPUT_OFFSET],
                             p[SOTTO_P_ACT_MIN], p[SOTTO_P_ACT_MAX]);
    }
  }
}

}  // namespace sotto_infer
