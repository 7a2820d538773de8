// FULLY_CONNECTED for Cortex-M4: raw int8 inputs (the importer folds input_offset * sum(w) into
// the bias) times four weight rows per pass. The importer stores each group of four rows as
// words that pair two rows A, B at the same two inputs (SOTTO_P_FC_WEIGHTS_INTERLEAVED in
// smdl_format.h): halfwords 256 B + (A + 128), A + 128 in 0..255. One SMLAD of an input pair
// with the masked word sums x (A + 128), one with the whole word adds 256 x B on top, so four
// MACs cost three instructions instead of two unpacks and two SMLADs. A's sum is the first minus
// 128 sum(x); B's is the difference shifted right by 8, exact while 256 x B stays within int32,
// hence chunks of kChunk inputs. A per-tensor scale with a multiplier of 2^30 or more and a shift
// of -21..-1 (TFLite's usual) takes the short output stage for a block's four outputs at once
// (short_output, one clamped word store); others take a requantization entry per output. No
// scratch. Blobs without that layout or without a folded bias (weight zero point != 0) run the
// reference; block-sparse weights run sparse_rows.h. Bit-exact with it (the same integer sums).
#include "cortex-m4/dsp.h"
#include "cortex-m4/sparse_rows.h"
#include "fixed_point.h"
#include "kernel_args.h"
#include "reference_fallback.h"

namespace sotto_infer {
namespace {

// |sum of x B| <= kChunk * 128 * 128 = kChunk * 2^14, and 256 times that must fit int32:
// kChunk < 512 (a multiple of 8, so that a chunk's loop takes whole pairs of groups).
const int32_t kChunk = 504;

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

// One block of four rows A, B, C, D times the body of x (body inputs, a multiple of 4), from the
// block's interleaved words at w: acc[j] = row j's sum over raw inputs (lifted: 128 times the
// body's input sum, which rows A and C carry). Returns the end of the block's words. A function
// of its own, so that its loop and the caller's output stage each keep their values in registers.
__attribute__((noinline)) const uint32_t *block_sums(const int8_t *x, int32_t body, int32_t lifted,
                                                     const uint32_t *w, int32_t acc[4]) {
  int32_t low_ab = 0, low_cd = 0, sum_b = 0, sum_d = 0;
  const int8_t *const x_end = x + body;
  while (x != x_end) {
    const int8_t *const end = x_end - x > kChunk ? x + kChunk : x_end;
    int32_t raw_ab = low_ab, raw_cd = low_cd;
    // Two groups per iteration halve the loop's compare and branch.
    if (((end - x) & 4) != 0) {
      mac_4x4(x, w, &low_ab, &raw_ab, &low_cd, &raw_cd);
      x += 4;
    }
    for (; x != end; x += 8) {
      mac_4x4(x, w, &low_ab, &raw_ab, &low_cd, &raw_cd);
      mac_4x4(x + 4, w, &low_ab, &raw_ab, &low_cd, &raw_cd);
    }
    sum_b = wrapping_add(sum_b, high_rows(raw_ab, low_ab));
    sum_d = wrapping_add(sum_d, high_rows(raw_cd, low_cd));
  }
  acc[0] = wrapping_sub(low_ab, lifted);
  acc[1] = sum_b;
  acc[2] = wrapping_sub(low_cd, lifted);
  acc[3] = sum_d;
  return w;
}

// acc on the output's scale plus its offset, saturated to int8: dsp.h's short output stage
// (OutputScale), with the doubling saturated (QADD). That covers every sum for a multiplier of at
// least 2^30 (TFLite's are in [2^30, 2^31)): where 2 acc saturates, |acc| >= 2^30, so
// |acc m / 2^31| >= 2^29 and, shifted right by at most 21, the result is at least 256 from the
// offset before saturating, as it is with the saturated doubling (|h| >= 2^29 there too).
// sign_mask: -1 where negative results survive the activation bounds (their rounding needs the
// sign), else 0.
inline int32_t short_output(int32_t acc, const OutputScale &s, int32_t sign_mask) {
  int32_t t = smmlar(__qadd(acc, acc), s.multiplier, s.rounding);
  t += (acc >> 31) & sign_mask;
  return __ssat(t >> s.right_shift, 8);
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
  if (kReferenceFallback && (p[SOTTO_P_FC_WEIGHTS_INTERLEAVED] == 0 || a.folded_bias == nullptr)) {
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
  // A per-tensor scale the short output stage covers (short_output): four outputs of a block in a
  // few instructions each, clamped together.
  const bool short_stage = !per_channel && output_scale_ok(multiplier[0], shift[0]) &&
                           multiplier[0] >= (1 << 30) && act_min >= -128 && act_max <= 127 &&
                           act_min <= act_max;
  const OutputScale scale =
      short_stage ? output_scale(multiplier[0], shift[0], output_offset) : OutputScale{0, 0, 1};
  const int32_t sign_mask = sign_rounds(act_min, output_offset) ? -1 : 0;
  const uint32_t low4 = bytes4(act_min), high4 = bytes4(act_max);
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
      int32_t acc[4];
      w = block_sums(x, body, lifted, w, acc);
      // The block's tails: each row's last in_n % 4 weights, plain, row after row.
      if (tail != 0) {
        const int8_t *wt = reinterpret_cast<const int8_t *>(w);
        for (int32_t j = 0; j < 4; ++j, wt += tail) {
          for (int32_t k = 0; k < tail; ++k) acc[j] = wrapping_add(acc[j], x[body + k] * wt[k]);
        }
        w = reinterpret_cast<const uint32_t *>(wt);
      }
      uint32_t f0, f1, f2, f3;
      const uint32_t *f = reinterpret_cast<const uint32_t *>(folded + o);
      load_pair(f, &f0, &f1);
      load_pair(f, &f2, &f3);
      const int32_t v0 = wrapping_add(acc[0], static_cast<int32_t>(f0));
      const int32_t v1 = wrapping_add(acc[1], static_cast<int32_t>(f1));
      const int32_t v2 = wrapping_add(acc[2], static_cast<int32_t>(f2));
      const int32_t v3 = wrapping_add(acc[3], static_cast<int32_t>(f3));
      if (short_stage) {
        store_clamped4(out + o, short_output(v0, scale, sign_mask),
                       short_output(v1, scale, sign_mask), short_output(v2, scale, sign_mask),
                       short_output(v3, scale, sign_mask), true, low4, high4);
      } else {
        const int32_t v[4] = {v0, v1, v2, v3};
        for (int32_t j = 0; j < 4; ++j) {
          const RequantEntry e = per_channel ? entry_of(multiplier, shift, o + j) : shared;
          out[o + j] = requantize_entry_to_int8(v[j], e, output_offset, act_min, act_max);
        }
      }
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
