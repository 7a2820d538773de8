// FULLY_CONNECTED for Cortex-M4: raw int8 inputs (the importer folds input_offset * sum(w) into
// the bias) times four weight rows per pass. The importer stores each group of four rows as
// words that pair two rows A, B at the same two inputs (SOTTO_P_FC_WEIGHTS_INTERLEAVED in
// smdl_format.h): halfwords 256 B + (A + 128), A + 128 in 0..255. One SMLAD of an input pair
// with the masked word sums x (A + 128), one with the whole word adds 256 x B on top, so four
// MACs cost three instructions instead of two unpacks and two SMLADs. A's sum is the first minus
// 128 sum(x); B's is the difference shifted right by 8, exact while 256 x B stays within int32,
// hence chunks of kChunk inputs. No scratch. Blobs without that layout or without a folded bias
// (weight zero point != 0) run the reference; block-sparse weights run sparse_rows.h.
// Bit-exact with it (the same integer sums).
#include "cortex-m4/dsp.h"
#include "cortex-m4/sparse_rows.h"
#include "fixed_point.h"
#include "kernel_args.h"

namespace sotto_infer {
namespace {

// |sum of x B| <= kChunk * 128 * 128 = 2^22: 256 times that fits int32.
const int32_t kChunk = 256;

// One word pairing rows A, B at the inputs of x (an int16 pair): low += x (A + 128),
// raw += x (A + 128) + 256 x B.
inline void mac_pair(uint32_t x, uint32_t word, int32_t *low, int32_t *raw) {
  *low = __smlad(x, word & 0x00FF00FFu, *low);
  *raw = __smlad(x, word, *raw);
}

// (raw - low) / 256 in two's complement: 256 x B even when the sums themselves wrapped.
inline int32_t high_rows(int32_t raw, int32_t low) {
  return static_cast<int32_t>(static_cast<uint32_t>(raw) - static_cast<uint32_t>(low)) >> 8;
}

// Four inputs times the block's four rows: two LDRDs of weights, eight SMLADs.
inline void mac_4x4(const int8_t *x, const uint32_t *&w, int32_t *low_ab, int32_t *raw_ab,
                    int32_t *low_cd, int32_t *raw_cd) {
  const uint32_t xr = load_u32(x);
  const uint32_t x02 = __sxtb16(xr), x13 = sxtb16_ror8(xr);
  uint32_t w0, w1;
  load_pair(w, &w0, &w1);
  mac_pair(x02, w0, low_ab, raw_ab);
  mac_pair(x13, w1, low_ab, raw_ab);
  load_pair(w, &w0, &w1);
  mac_pair(x02, w0, low_cd, raw_cd);
  mac_pair(x13, w1, low_cd, raw_cd);
}

inline int32_t dot_raw_1x1(const int8_t *x, const int8_t *w, int32_t n, int32_t acc) {
  for (int32_t k = 0; k < n; k += 4) {
    const uint32_t xr = load_u32(x + k), r = load_u32(w + k);
    acc = __smlad(__sxtb16(xr), __sxtb16(r), acc);
    acc = __smlad(sxtb16_ror8(xr), sxtb16_ror8(r), acc);
  }
  return acc;
}

// The requantization entry of output o: the shared one for a per-tensor multiplier.
inline RequantEntry entry_of(const int32_t *multiplier, const int32_t *shift, int32_t o) {
  RequantEntry e;
  prepare_requant(multiplier + o, shift + o, 1, &e);
  return e;
}

}  // namespace

namespace cortex_m4 {

void fully_connected(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  if (p[SOTTO_P_SPARSE_WEIGHTS] != 0) {
    const int32_t out_n = a.output->dims[3];
    const int32_t rows = static_cast<int32_t>(a.output->bytes) / out_n;
    sparse_rows(a, rows, static_cast<int32_t>(a.input0->bytes) / rows, out_n);
    return;
  }
  if (p[SOTTO_P_FC_WEIGHTS_INTERLEAVED] == 0 || a.folded_bias == nullptr) {
    reference::fully_connected(a);
    return;
  }
  const int32_t out_n = a.output->dims[3];
  const int32_t rows = static_cast<int32_t>(a.output->bytes) / out_n;
  const int32_t in_n = static_cast<int32_t>(a.input0->bytes) / rows;
  const int32_t body = in_n & ~3, tail = in_n - body;
  const bool per_channel = a.op->multiplier_count > 1;
  const int32_t output_offset = p[SOTTO_P_OUTPUT_OFFSET];
  const int32_t act_min = p[SOTTO_P_ACT_MIN], act_max = p[SOTTO_P_ACT_MAX];
  // Locals, not a.*: every int8 output store may alias the argument struct for the compiler.
  const int32_t *const folded = a.folded_bias, *const multiplier = a.multiplier;
  const int32_t *const shift = a.shift;
  const int8_t *const weights = a.weights;
  const RequantEntry shared = entry_of(multiplier, shift, 0);
  for (int32_t r = 0; r < rows; ++r) {
    const int8_t *const x = a.input0_data + r * in_n;
    int8_t *const out = a.output_data + r * out_n;
    int32_t x_sum = 0;  // over the body: rows A and C carry + 128
    for (int32_t k = 0; k < body; k += 4) {
      const uint32_t xr = load_u32(x + k);
      x_sum = __smlad(__sxtb16(xr), 0x00010001u, x_sum);
      x_sum = __smlad(sxtb16_ror8(xr), 0x00010001u, x_sum);
    }
    const int32_t lifted = x_sum * 128;
    // Blocks of four rows are 4 * in_n bytes: each starts word aligned (the loader checks the
    // weights' offset).
    const uint32_t *w = reinterpret_cast<const uint32_t *>(weights);
    int32_t o = 0;
    for (; o + 4 <= out_n; o += 4) {
      int32_t low_ab = 0, low_cd = 0, sum_b = 0, sum_d = 0;
      for (int32_t start = 0; start < body; start += kChunk) {
        const int8_t *xk = x + start;
        const int8_t *const end = x + (body - start > kChunk ? start + kChunk : body);
        int32_t raw_ab = low_ab, raw_cd = low_cd;
        // Two groups per iteration halve the loop's compare and branch.
        if (((end - xk) & 4) != 0) {
          mac_4x4(xk, w, &low_ab, &raw_ab, &low_cd, &raw_cd);
          xk += 4;
        }
        for (; xk != end; xk += 8) {
          mac_4x4(xk, w, &low_ab, &raw_ab, &low_cd, &raw_cd);
          mac_4x4(xk + 4, w, &low_ab, &raw_ab, &low_cd, &raw_cd);
        }
        sum_b = wrapping_add(sum_b, high_rows(raw_ab, low_ab));
        sum_d = wrapping_add(sum_d, high_rows(raw_cd, low_cd));
      }
      int32_t acc[4] = {low_ab - lifted, sum_b, low_cd - lifted, sum_d};
      // The block's tails: each row's last in_n % 4 weights, plain, row after row.
      const int8_t *wt = reinterpret_cast<const int8_t *>(w);
      for (int32_t j = 0; j < 4; ++j, wt += tail) {
        int32_t v = wrapping_add(acc[j], folded[o + j]);
        for (int32_t k = 0; k < tail; ++k) v = wrapping_add(v, x[body + k] * wt[k]);
        const RequantEntry e = per_channel ? entry_of(multiplier, shift, o + j) : shared;
        out[o + j] = requantize_entry_to_int8(v, e, output_offset, act_min, act_max);
      }
      w = reinterpret_cast<const uint32_t *>(wt);
    }
    for (; o < out_n; ++o) {  // the last out_n % 4 rows, stored plainly
      const int8_t *wr = weights + o * in_n;
      int32_t acc = dot_raw_1x1(x, wr, body, folded[o]);
      for (int32_t k = body; k < in_n; ++k) acc += x[k] * wr[k];
      const RequantEntry e = per_channel ? entry_of(multiplier, shift, o) : shared;
      out[o] = requantize_entry_to_int8(acc, e, output_offset, act_min, act_max);
    }
  }
}

}  // namespace cortex_m4
}  // namespace sotto_infer
