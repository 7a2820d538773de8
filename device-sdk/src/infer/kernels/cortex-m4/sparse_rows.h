// Block-sparse weights (smdl_format.h) on the Cortex-M4, shared by FULLY_CONNECTED and the
// pointwise CONV_2D (1x1, stride 1, no padding: each pixel is a row of in_c inputs): every row of
// inputs times the sparse weight rows. Only the stored blocks are visited (the bitmap's set bits,
// lowest first), each one word of weights against four raw inputs, two SMLADs; a short last block
// is multiplied plainly. The input offset comes from the folded bias when the op has one, else
// from the sum of the stored weights, taken in the same walk. Every sum equals the reference's
// over the dense rows modulo 2^32, so the outputs are bit-exact.
#ifndef SOTTO_INFER_CORTEX_M4_SPARSE_ROWS_H
#define SOTTO_INFER_CORTEX_M4_SPARSE_ROWS_H

#include "cortex-m4/dsp.h"
#include "fixed_point.h"
#include "kernel_args.h"
#include "sparse_weights.h"

namespace sotto_infer {

// `rows` rows of `in_n` inputs from a.input0_data into rows of `out_n` outputs; kFolded: the op
// has a folded bias (no weight sums needed).
template <bool kFolded>
inline void sparse_rows_walk(const KernelArgs &a, int32_t rows, int32_t in_n, int32_t out_n) {
  const int32_t *p = a.op->params;
  const SparseShape shape = {static_cast<uint32_t>(out_n), 1, static_cast<uint32_t>(in_n)};
  const uint32_t row_bytes = sotto_smdl_sparse_row_bitmap_bytes(1, shape.run);
  const bool per_channel = a.op->multiplier_count > 1;
  const uint32_t input_offset = static_cast<uint32_t>(p[SOTTO_P_INPUT_OFFSET]);
  const int32_t output_offset = p[SOTTO_P_OUTPUT_OFFSET];
  const int32_t act_min = p[SOTTO_P_ACT_MIN], act_max = p[SOTTO_P_ACT_MAX];
  const int32_t *const folded = a.folded_bias, *const bias = a.bias;
  RequantEntry shared;
  prepare_requant(a.multiplier, a.shift, 1, &shared);
  for (int32_t r = 0; r < rows; ++r) {
    const int8_t *const x = a.input0_data + r * in_n;
    int8_t *const out = a.output_data + r * out_n;
    const uint8_t *bits = reinterpret_cast<const uint8_t *>(a.weights);
    const uint32_t *w = reinterpret_cast<const uint32_t *>(sparse_blocks(shape, a.weights));
    for (int32_t o = 0; o < out_n; ++o, bits += row_bytes) {
      int32_t acc = 0, weight_sum = 0;
      for (uint32_t i = 0; i < row_bytes; ++i) {
        for (uint32_t b = bits[i]; b != 0; b &= b - 1) {
          const int32_t k = static_cast<int32_t>((i * 8 + __builtin_ctz(b)) * 4);
          const uint32_t wr = *w++;
          if (in_n - k >= 4) {
            const uint32_t xr = load_u32(x + k);
            const uint32_t w02 = __sxtb16(wr), w13 = sxtb16_ror8(wr);
            acc = __smlad(__sxtb16(xr), w02, acc);
            acc = __smlad(sxtb16_ror8(xr), w13, acc);
            if (!kFolded) {
              weight_sum = __smlad(w02, 0x00010001u, weight_sum);
              weight_sum = __smlad(w13, 0x00010001u, weight_sum);
            }
          } else {
            const int8_t *wb = reinterpret_cast<const int8_t *>(w - 1);
            for (int32_t j = 0; j < in_n - k; ++j) {
              acc = wrapping_add(acc, x[k + j] * wb[j]);
              weight_sum += wb[j];
            }
          }
        }
      }
      if (kFolded) {
        acc = wrapping_add(acc, folded[o]);
      } else {
        acc = static_cast<int32_t>(static_cast<uint32_t>(acc) +
                                   input_offset * static_cast<uint32_t>(weight_sum));
        if (bias != nullptr) acc = wrapping_add(acc, bias[o]);
      }
      RequantEntry e = shared;
      if (per_channel) prepare_requant(a.multiplier + o, a.shift + o, 1, &e);
      out[o] = requantize_entry_to_int8(acc, e, output_offset, act_min, act_max);
    }
  }
}

// Out of line: inlined, it would grow the dense kernels' prologue (about 200 instructions per AD
// op).
__attribute__((noinline)) inline void sparse_rows(const KernelArgs &a, int32_t rows, int32_t in_n,
                                                  int32_t out_n) {
  if (!kSparseWeights) return;  // never called: such a build's loader refuses sparse weights
  if (a.folded_bias != nullptr) {
    sparse_rows_walk<true>(a, rows, in_n, out_n);
  } else {
    sparse_rows_walk<false>(a, rows, in_n, out_n);
  }
}

}  // namespace sotto_infer

#endif
