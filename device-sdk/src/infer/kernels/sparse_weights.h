// Block-sparse weights (smdl_format.h, SOTTO_SMDL_SPARSE_*): the loader's check of the encoding
// and the walk the kernels share. A kernel reads the bitmap and the stored blocks in place; a
// block not stored contributes nothing (its weights are 0 and sparse ops have weight offset 0),
// so the sums equal those over the dense weights exactly.
#ifndef SOTTO_INFER_SPARSE_WEIGHTS_H
#define SOTTO_INFER_SPARSE_WEIGHTS_H

#include <stdint.h>

#include "smdl_format.h"

namespace sotto_infer {

// Whether this build reads block-sparse weights (sotto_infer_library's NO_SPARSE_WEIGHTS, CMake's
// SOTTO_INFER_SPARSE_WEIGHTS). Without, the loader refuses an op whose weights are sparse
// (kSparseWeightsLeftOut) and has_sparse_weights is false at compile time, so the sparse checks
// and walks are dropped from the build; dense ops run exactly the same code either way.
#ifdef SOTTO_INFER_NO_SPARSE_WEIGHTS
constexpr bool kSparseWeights = false;
#else
constexpr bool kSparseWeights = true;
#endif

constexpr char kSparseWeightsLeftOut[] =
    "sparse weights: expected none (this engine is built without them: "
    "SOTTO_INFER_SPARSE_WEIGHTS; import without --prune, or with --dense-weights)";

// Whether an op with these params has block-sparse weights, in a build that reads them.
inline bool has_sparse_weights(const int32_t *params) {
  return kSparseWeights && params[SOTTO_P_SPARSE_WEIGHTS] != 0;
}

struct SparseShape {
  uint32_t rows;    // output channels
  uint32_t groups;  // runs per row (kernel pixels of a CONV_2D; 1 for FULLY_CONNECTED)
  uint32_t run;     // weights per run (in_c; in_n)
};

// Whether `bytes` of weights hold a valid encoding for `shape`: the bitmap fits, no bit past a
// row's last block is set, and exactly 4 bytes follow per set bit. Every offset a kernel derives
// from the encoding is then inside the weights range.
inline bool sparse_weights_ok(const SparseShape &s, const uint8_t *weights, uint32_t bytes) {
  const uint32_t per_run = (s.run + SOTTO_SMDL_SPARSE_BLOCK - 1) / SOTTO_SMDL_SPARSE_BLOCK;
  const uint64_t blocks = static_cast<uint64_t>(s.groups) * per_run;
  const uint64_t bitmap = sotto_smdl_sparse_bitmap_bytes(s.rows, s.groups, s.run);
  if (s.rows == 0 || blocks == 0 || bitmap > bytes) return false;
  const uint32_t row_bytes = sotto_smdl_sparse_row_bitmap_bytes(s.groups, s.run);
  const uint32_t spare_bits = row_bytes * 8u - static_cast<uint32_t>(blocks);  // 0..7
  const uint8_t last_byte_mask = static_cast<uint8_t>(0xFFu >> spare_bits);
  uint64_t stored = 0;
  for (uint32_t r = 0; r < s.rows; ++r) {
    const uint8_t *row = weights + static_cast<uint64_t>(r) * row_bytes;
    if ((row[row_bytes - 1] & ~last_byte_mask) != 0) return false;
    for (uint32_t i = 0; i < row_bytes; ++i) {
      uint32_t v = row[i];
      for (; v != 0; v &= v - 1) ++stored;
    }
  }
  for (uint64_t i = static_cast<uint64_t>(s.rows) * row_bytes; i < bitmap; ++i) {
    if (weights[i] != 0) return false;
  }
  return bitmap + 4 * stored == bytes;
}

// The stored blocks: they start after the padded bitmap.
inline const int8_t *sparse_blocks(const SparseShape &s, const int8_t *weights) {
  return weights + static_cast<uint32_t>(sotto_smdl_sparse_bitmap_bytes(s.rows, s.groups, s.run));
}

// Walks one run of a row: for every stored block calls mac(first weight index in the run,
// block weights, length 1..4) and advances *blocks past it. `bit` is the run's first bit in the
// row's bitmap. A run whose inputs lie in padding is walked with skip = true: the blocks are
// passed over, nothing is multiplied.
template <typename Mac>
inline void sparse_run(const uint8_t *row_bits, uint32_t bit, uint32_t run, const int8_t **blocks,
                       bool skip, Mac mac) {
  for (uint32_t k = 0; k < run; k += SOTTO_SMDL_SPARSE_BLOCK, ++bit) {
    if ((row_bits[bit >> 3] >> (bit & 7u)) & 1u) {
      if (!skip) {
        const uint32_t left = run - k;
        mac(k, *blocks, left < SOTTO_SMDL_SPARSE_BLOCK ? left : SOTTO_SMDL_SPARSE_BLOCK);
      }
      *blocks += SOTTO_SMDL_SPARSE_BLOCK;
    }
  }
}

}  // namespace sotto_infer

#endif
