// Reference FULLY_CONNECTED, int8: weights [out][in], one multiplier (per-tensor) or per row.
#include "fixed_point.h"
#include "kernel_args.h"

namespace sotto_infer {

namespace {

// Weight (o, k) of a blob compiled for the Cortex-M4 kernel (SOTTO_P_FC_WEIGHTS_INTERLEAVED in
// smdl_format.h), so that every build runs every blob.
int32_t interleaved_weight(const int8_t *w, int32_t out_n, int32_t in_n, int32_t o, int32_t k) {
  const int32_t body = in_n & ~3, tail = in_n - body, j = o & 3;
  if (o >= (out_n & ~3)) return w[o * in_n + k];
  const int8_t *block = w + (o - j) * in_n;
  if (k >= body) return block[4 * body + j * tail + (k - body)];
  const int32_t b = k & 3;
  const int32_t byte = (k - b) * 4 + (j >> 1) * 8 + (b & 1) * 4 + (b >> 1) * 2 + (j & 1);
  const int32_t stored = block[byte];
  return (j & 1) != 0 ? stored : static_cast<int8_t>(stored - 128);
}

}  // namespace

void fully_connected_reference(const KernelArgs &a) {
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

#ifndef SOTTO_INFER_OPTIMIZED_FULLY_CONNECTED
void fully_connected(const KernelArgs &a) {
  fully_connected_reference(a);
}
#endif

}  // namespace sotto_infer
