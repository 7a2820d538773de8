// Weights stored for the Cortex-M4's matrix kernels (SOTTO_P_FC_WEIGHTS_INTERLEAVED in
// smdl_format.h): FULLY_CONNECTED rows and CONV_2D filters, out_n rows of in_n inputs (a windowed
// filter's rows padded to whole groups: in_n is sotto_smdl_window_row of its window).
// The reference kernels read one weight at a time through this, so that every build runs every
// target's blob.
#ifndef SOTTO_INFER_INTERLEAVED_WEIGHTS_H
#define SOTTO_INFER_INTERLEAVED_WEIGHTS_H

#include <stdint.h>

namespace sotto_infer {

// Weight (o, k) of rows stored in the interleaved order.
inline int32_t interleaved_weight(const int8_t *w, int32_t out_n, int32_t in_n, int32_t o,
                                  int32_t k) {
  const int32_t body = in_n & ~3, tail = in_n - body, j = o & 3;
  if (o >= (out_n & ~3)) return w[o * in_n + k];
  const int8_t *block = w + (o - j) * in_n;
  if (k >= body) return block[4 * body + j * tail + (k - body)];
  const int32_t b = k & 3;
  const int32_t byte = (k - b) * 4 + (j >> 1) * 8 + (b & 1) * 4 + (b >> 1) * 2 + (j & 1);
  const int32_t stored = block[byte];
  return (j & 1) != 0 ? stored : static_cast<int8_t>(stored - 128);
}

}  // namespace sotto_infer

#endif
