// FULLY_CONNECTED for Cortex-M4: raw int8 inputs (the importer folds input_offset * sum(w) into
// the bias) times four weight rows per pass, SXTB16 on both sides and SMLAD. No scratch. Blobs
// without a folded bias (weight zero point != 0) run the reference. Bit-exact with it.
#include "cortex-m4/dsp.h"
#include "fixed_point.h"
#include "kernel_args.h"

namespace sotto_infer {
namespace {

// The dot products over the first n (n % 4 == 0) elements of input x with the rows w, w + row,
// w + 2 row, w + 3 row, added to acc.
inline void dot_raw_1x4(const int8_t *x, const int8_t *w, int32_t n, int32_t row, int32_t acc[4]) {
  int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
  const int8_t *w1 = w + row, *w2 = w + 2 * row, *w3 = w + 3 * row;
  for (int32_t k = 0; k < n; k += 4) {
    const uint32_t xr = load_u32(x + k);
    const uint32_t x02 = __sxtb16(xr), x13 = sxtb16_ror8(xr);
    uint32_t r = load_u32(w + k);
    a0 = __smlad(x02, __sxtb16(r), a0);
    a0 = __smlad(x13, sxtb16_ror8(r), a0);
    r = load_u32(w1 + k);
    a1 = __smlad(x02, __sxtb16(r), a1);
    a1 = __smlad(x13, sxtb16_ror8(r), a1);
    r = load_u32(w2 + k);
    a2 = __smlad(x02, __sxtb16(r), a2);
    a2 = __smlad(x13, sxtb16_ror8(r), a2);
    r = load_u32(w3 + k);
    a3 = __smlad(x02, __sxtb16(r), a3);
    a3 = __smlad(x13, sxtb16_ror8(r), a3);
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
}

inline int32_t dot_raw_1x1(const int8_t *x, const int8_t *w, int32_t n, int32_t acc) {
  for (int32_t k = 0; k < n; k += 4) {
    const uint32_t xr = load_u32(x + k), r = load_u32(w + k);
    acc = __smlad(__sxtb16(xr), __sxtb16(r), acc);
    acc = __smlad(sxtb16_ror8(xr), sxtb16_ror8(r), acc);
  }
  return acc;
}

}  // namespace

void fully_connected(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const int32_t out_n = a.output->dims[3];
  const int32_t rows = static_cast<int32_t>(a.output->bytes) / out_n;
  const int32_t in_n = static_cast<int32_t>(a.input0->bytes) / rows;
  if (a.folded_bias == nullptr) {
    fully_connected_reference(a);
    return;
  }
  const int32_t body = in_n & ~3;
  const bool per_channel = a.op->multiplier_count > 1;
  const int32_t output_offset = p[SOTTO_P_OUTPUT_OFFSET];
  const int32_t act_min = p[SOTTO_P_ACT_MIN], act_max = p[SOTTO_P_ACT_MAX];
  for (int32_t r = 0; r < rows; ++r) {
    const int8_t *x = a.input0_data + r * in_n;
    int8_t *out = a.output_data + r * out_n;
    int32_t o = 0;
    for (; o + 4 <= out_n; o += 4) {
      const int8_t *w = a.weights + o * in_n;
      int32_t acc[4] = {a.folded_bias[o], a.folded_bias[o + 1], a.folded_bias[o + 2],
                        a.folded_bias[o + 3]};
      dot_raw_1x4(x, w, body, in_n, acc);
      for (int32_t j = 0; j < 4; ++j) {
        for (int32_t k = body; k < in_n; ++k) acc[j] += x[k] * w[j * in_n + k];
        const int32_t c = per_channel ? o + j : 0;
        out[o + j] = requantize_to_int8_fast(acc[j], a.multiplier[c], a.shift[c], output_offset,
                                             act_min, act_max);
      }
    }
    for (; o < out_n; ++o) {
      const int8_t *w = a.weights + o * in_n;
      int32_t acc = dot_raw_1x1(x, w, body, a.folded_bias[o]);
      for (int32_t k = body; k < in_n; ++k) acc += x[k] * w[k];
      const int32_t c = per_channel ? o : 0;
      out[o] = requantize_to_int8_fast(acc, a.multiplier[c], a.shift[c], output_offset, act_min,
                                       act_max);
    }
  }
}

}  // namespace sotto_infer
