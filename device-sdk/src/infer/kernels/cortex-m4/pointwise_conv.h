// Pointwise CONV_2D for Cortex-M4 (1x1 window, no padding, any stride): a matrix product of the
// output pixels' input rows and the filter stored interleaved by the importer
// (SOTTO_P_FC_WEIGHTS_INTERLEAVED in smdl_format.h, the FULLY_CONNECTED kernel's layout), with the
// folded bias so that raw int8 inputs multiply. Register-blocked: four pixels' inputs are expanded
// once to int16 pairs in the scratch, then every pair of rows (A, B) runs over the four pixels
// with eight accumulators, so each weight word, masked once, feeds eight SMLADs (two rows, four
// pixels): per four inputs, two rows and four pixels (32 MACs), two word loads of weights, four
// LDRDs of inputs, two ANDs and sixteen SMLADs. A's sum is the masked one minus 128 sum(x), B's the
// difference of the two sums shifted right by 8, exact per chunk of kChunk inputs (see
// fully_connected.cpp). In the common case (pointwise_pass.h: in_c a multiple of 4 up to one chunk,
// the whole int8 range as bounds) each pass's whole blocks of four rows run in assembly; the C++
// below does the rest. Bit-exact with the reference: the same integer sums, the same
// requantization.
#ifndef SOTTO_INFER_CORTEX_M4_POINTWISE_CONV_H
#define SOTTO_INFER_CORTEX_M4_POINTWISE_CONV_H

#include "cortex-m4/dsp.h"
#include "cortex-m4/pointwise_pass.h"
#include "kernel_args.h"
#include "reference_fallback.h"

namespace sotto_infer {
namespace pointwise {

// |sum of x B| <= kChunk * 128 * 128 = 2^22: 256 times that fits int32.
const int32_t kChunk = 256;
const int32_t kPixels = 4;  // output pixels per pass

// Scratch (m4_conv_2d_scratch_bytes, SOTTO_SMDL_INTERLEAVED_ROWS): for each whole group of four
// inputs, 8 words {p0..p3 (x0, x2), p0..p3 (x1, x3)} as int16 pairs (the order SXTB16 /
// SXTB16-ROR-8 unpack the weight words in), then the output stage's entry per output channel
// (16 bytes).

// The word at p, then p advances by kStep bytes (LDR with post-index).
template <int kStep>
static inline uint32_t load_word_then_step(const uint32_t *&p) {
  uint32_t v;
  __asm__("ldr %0, [%1], %2" : "=r"(v), "+r"(p) : "I"(kStep));
  return v;
}

// One pixel's word of raw inputs into its two int16 pairs; adds the four values to *sum.
__attribute__((always_inline)) inline void expand_word(const int8_t *x, uint32_t *even,
                                                       uint32_t *odd, int32_t *sum) {
  const uint32_t v = load_u32(x);
  *even = __sxtb16(v);
  *odd = sxtb16_ror8(v);
  *sum = __smlad(*odd, 0x00010001u, __smlad(*even, 0x00010001u, *sum));
}

// The pixels' inputs (raw int8, the body of whole groups) into the scratch's int16 pairs; each
// pixel's sum of those inputs.
inline void expand_pixels(const int8_t *const x[kPixels], int32_t body, uint32_t *xs,
                          int32_t sum[kPixels]) {
  int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (int32_t k = 0; k < body; k += 4, xs += 2 * kPixels) {
    expand_word(x[0] + k, xs + 0, xs + 4, &s0);
    expand_word(x[1] + k, xs + 1, xs + 5, &s1);
    expand_word(x[2] + k, xs + 2, xs + 6, &s2);
    expand_word(x[3] + k, xs + 3, xs + 7, &s3);
  }
  sum[0] = s0;
  sum[1] = s1;
  sum[2] = s2;
  sum[3] = s3;
}

// Sums of rows A and B for the four pixels. Within a chunk, low = x (A + 128) and raw =
// x (A + 128) + 256 x B start at the same value, so raw - low is 256 x B (exact: |x B| sums stay
// below 2^23).
struct PairSums {
  int32_t low0, raw0, low1, raw1, low2, raw2, low3, raw3;
};

// One group of four inputs times one pair of rows, for the four pixels, as assembly: GCC's
// scheduling of the same intrinsics hoists the weight words and spills accumulators. For each of
// the pair's two words (its inputs k, k + 2, then k + 1, k + 3; then the pointer skips the other
// pair's words): load it, mask its low rows, and for two LDRDs of two pixels' int16 pairs, two
// SMLADs per pixel. 24 instructions, 32 MACs.
#define SOTTO_POINTWISE_HALF_GROUP(STEP)       \
  "ldr %[word], [%[w]], #" #STEP               \
  "\n\t"                                       \
  "and %[low], %[word], #0x00FF00FF\n\t"       \
  "ldrd %[xa], %[xb], [%[xs]], #8\n\t"         \
  "smlad %[low0], %[xa], %[low], %[low0]\n\t"  \
  "smlad %[raw0], %[xa], %[word], %[raw0]\n\t" \
  "smlad %[low1], %[xb], %[low], %[low1]\n\t"  \
  "smlad %[raw1], %[xb], %[word], %[raw1]\n\t" \
  "ldrd %[xa], %[xb], [%[xs]], #8\n\t"         \
  "smlad %[low2], %[xa], %[low], %[low2]\n\t"  \
  "smlad %[raw2], %[xa], %[word], %[raw2]\n\t" \
  "smlad %[low3], %[xb], %[low], %[low3]\n\t"  \
  "smlad %[raw3], %[xb], %[word], %[raw3]\n\t"
#define SOTTO_POINTWISE_GROUP SOTTO_POINTWISE_HALF_GROUP(4) SOTTO_POINTWISE_HALF_GROUP(12)
#define SOTTO_POINTWISE_OPERANDS                                                              \
  [low0] "+r"(s->low0), [raw0] "+r"(s->raw0), [low1] "+r"(s->low1), [raw1] "+r"(s->raw1),     \
      [low2] "+r"(s->low2), [raw2] "+r"(s->raw2), [low3] "+r"(s->low3), [raw3] "+r"(s->raw3), \
      [xs] "+r"(xs), [w] "+r"(w), [word] "=&r"(word), [low] "=&r"(low), [xa] "=&r"(xa),       \
      [xb] "=&r"(xb)

// (raw - low) / 256 in two's complement: 256 x B even when the sums themselves wrapped.
inline int32_t high_rows(int32_t raw, int32_t low) {
  return static_cast<int32_t>(static_cast<uint32_t>(raw) - static_cast<uint32_t>(low)) >> 8;
}

// Groups [xs, end) (at most kChunk / 4) of one pair of rows, the four pixels, added to s; xs and
// w advance. Every register but the stack pointer is taken, so the loop's end is compared from
// memory. One group per iteration: the layers that come here (off the assembly pass: a channel
// tail, over one chunk, narrower bounds) are rare, and the code stays small.
__attribute__((always_inline)) inline void pair_chunk(const uint32_t *&xs,
                                                      const uint32_t *const end, const uint32_t *&w,
                                                      PairSums *s) {
  uint32_t word, low, xa, xb;
  if (xs == end) return;
  __asm__("1:\n\t" SOTTO_POINTWISE_GROUP
          "ldr %[word], %[end]\n\t"
          "cmp %[xs], %[word]\n\t"
          "bne 1b\n\t"
          : SOTTO_POINTWISE_OPERANDS
          : [end] "m"(end)
          : "cc", "memory");
}

// Rows A, B (whose words start at w) over the body for the four pixels, from the sums' starting
// values in a[] and b[] (bias and lift). Each chunk's 256 x B is taken out before the next.
__attribute__((always_inline)) inline void pair_rows(const uint32_t *xs,
                                                     const uint32_t *const xs_end,
                                                     const uint32_t *w, int32_t a[kPixels],
                                                     int32_t b[kPixels]) {
  PairSums s = {a[0], a[0], a[1], a[1], a[2], a[2], a[3], a[3]};
  const int32_t chunk_words = 2 * kPixels * kChunk / 4;
  while (xs != xs_end) {
    const uint32_t *const end = xs_end - xs > chunk_words ? xs + chunk_words : xs_end;
    s.raw0 = s.low0;
    s.raw1 = s.low1;
    s.raw2 = s.low2;
    s.raw3 = s.low3;
    pair_chunk(xs, end, w, &s);
    b[0] = wrapping_add(b[0], high_rows(s.raw0, s.low0));
    b[1] = wrapping_add(b[1], high_rows(s.raw1, s.low1));
    b[2] = wrapping_add(b[2], high_rows(s.raw2, s.low2));
    b[3] = wrapping_add(b[3], high_rows(s.raw3, s.low3));
  }
  a[0] = s.low0;
  a[1] = s.low1;
  a[2] = s.low2;
  a[3] = s.low3;
}

// A plain row (the last out_c % 4) over the body, for the four pixels.
inline void plain_row(const uint32_t *xs, const int8_t *w, int32_t groups, int32_t v[kPixels]) {
  int32_t s0 = v[0], s1 = v[1], s2 = v[2], s3 = v[3];
  for (int32_t g = 0; g < groups; ++g, xs += 2 * kPixels) {
    const uint32_t r = load_u32(w + 4 * g);
    const uint32_t w02 = __sxtb16(r), w13 = sxtb16_ror8(r);
    s0 = __smlad(xs[4], w13, __smlad(xs[0], w02, s0));
    s1 = __smlad(xs[5], w13, __smlad(xs[1], w02, s1));
    s2 = __smlad(xs[6], w13, __smlad(xs[2], w02, s2));
    s3 = __smlad(xs[7], w13, __smlad(xs[3], w02, s3));
  }
  v[0] = s0;
  v[1] = s1;
  v[2] = s2;
  v[3] = s3;
}

// The output stage, per channel, from a 16-byte entry prepared once per op. With the whole int8
// range as bounds (every MLPerf conv): the short stage (OutputScale in dsp.h, five instructions
// per output) where it is exact for any inputs, i.e. the channel's scale within its range and
// |sum| < 2^30 (in_c x 255 x 128 plus the bias); else, for shifts <= -2 (MobileNet's near-dead
// channels, shifts down to -31), requantize_entry_right with its 64-bit nudge. Anything else (a
// layer with narrower bounds) takes the reference's requantization.
enum ChannelStage : int32_t { kShortStage = 0, kRightShiftStage = 1, kReferenceStage = 2 };

struct ChannelEntry {
  int32_t multiplier;
  int32_t rounding;     // OutputScale::rounding, or RequantEntry::nudge_hi
  int32_t right_shift;  // OutputScale::right_shift, or RequantEntry::r_minus_1
  int32_t stage;        // ChannelStage
};

struct Channels {
  const ChannelEntry *table;
  const int32_t *multiplier, *shift;
  int32_t output_offset, act_min, act_max;
};

// True when channel c's sums stay below 2^30 in magnitude whatever the inputs (in_c x 255 x 128
// plus the bias), so that the output stages may double them.
inline bool sums_bounded(const KernelArgs &a, int32_t in_c, int32_t c) {
  const int64_t bias = a.bias != nullptr ? a.bias[c] : 0;
  return static_cast<int64_t>(in_c) * 255 * 128 + (bias < 0 ? -bias : bias) < (int64_t{1} << 30);
}

// Entries of channels [first, out_c).
inline void prepare_channels(const KernelArgs &a, int32_t in_c, int32_t first,
                             ChannelEntry *table) {
  const int32_t *p = a.op->params;
  const bool full_range = is_full_int8_range(p[SOTTO_P_ACT_MIN], p[SOTTO_P_ACT_MAX]);
  for (int32_t c = first; c < a.output->dims[3]; ++c) {
    const int32_t m = a.multiplier[c], shift = a.shift[c];
    const bool bounded = sums_bounded(a, in_c, c);
    ChannelEntry e = {m, 0, 0, kReferenceStage};
    if (full_range && bounded && output_scale_ok(m, shift)) {
      const OutputScale s = output_scale(m, shift, p[SOTTO_P_OUTPUT_OFFSET]);
      e = {s.multiplier, s.rounding, s.right_shift, kShortStage};
    } else if (full_range && m >= 0 && shift <= -2) {
      RequantEntry r;
      prepare_requant(&m, &shift, 1, &r);
      e = {r.multiplier, r.nudge_hi, r.r_minus_1, kRightShiftStage};
    }
    table[c] = e;
  }
}

static_assert(sizeof(PassEntry) == sizeof(ChannelEntry) && sizeof(ChannelEntry) == 16,
              "a PassEntry takes a ChannelEntry's place, 16 bytes (m4_conv_2d_scratch_bytes)");

// Which output stage of the assembly pass (pointwise_pass.h) a layer takes, if any.
enum PassStage : int32_t { kNoPass = 0, kPlainPass = 1, kGeneralPass = 2 };

// The assembly pass's stage for a layer's whole blocks of four rows, with the PassEntry of each of
// their channels written to table; kNoPass (table left to prepare_channels) when the layer or one
// of those channels is out of its reach.
inline PassStage prepare_pass(const KernelArgs &a, int32_t in_c, PassEntry *table) {
  const int32_t *p = a.op->params;
  const int32_t blocks_end = a.output->dims[3] & ~3, offset = p[SOTTO_P_OUTPUT_OFFSET];
  if ((in_c & 3) != 0 || in_c > kChunk || blocks_end == 0 ||
      !is_full_int8_range(p[SOTTO_P_ACT_MIN], p[SOTTO_P_ACT_MAX])) {
    return kNoPass;
  }
  bool plain = !sign_rounds(p[SOTTO_P_ACT_MIN], offset);
  for (int32_t c = 0; c < blocks_end; ++c) {
    const int32_t m = a.multiplier[c], r = -a.shift[c];
    if (m == 0) continue;
    if (m < (int32_t{1} << 30) || r < 1 || r > 31) return kNoPass;
    plain = plain && r <= 21 && sums_bounded(a, in_c, c);
  }
  if (plain) {  // OutputScale's entries, and a dead channel's output (-128) as its rounding
    for (int32_t c = 0; c < blocks_end; ++c) {
      const int32_t m = a.multiplier[c];
      table[c] = m == 0
                     ? PassEntry{0, -128, 0, 0}
                     : PassEntry{m, output_scale(m, a.shift[c], offset).rounding, -a.shift[c], 0};
    }
    return kPlainPass;
  }
  const int64_t limit = int64_t{1} << 31, products = static_cast<int64_t>(in_c) * 255 * 128;
  for (int32_t c = 0; c < blocks_end; ++c) {
    const int32_t m = a.multiplier[c], r = -a.shift[c];
    // The channel's sums lie within bias +- products.
    const int64_t bias = a.bias != nullptr ? a.bias[c] : 0;
    const int64_t acc = products + (bias < 0 ? -bias : bias);  // the largest |acc|
    if (m == 0) {
      // A dead channel (TFLite's multiplier for a zero scale): every output is the offset. The
      // rounding moves every sum into [0, 2^31) before a shift by 31.
      if (acc >= limit - 256) return kNoPass;
      table[c] = PassEntry{0, static_cast<int32_t>(products - bias + 1), 31, offset};
      continue;
    }
    const PassEntry e = {static_cast<int32_t>(2u * static_cast<uint32_t>(m)), int32_t{1} << (r - 1),
                         r, offset};
    // |h + rounding| < 2^31 (PassEntry), with |h| <= |acc| m / 2^31 + 1 and acc an int32; as m <
    // 2^31, acc itself settles it without the 64-bit product for all but the largest sums.
    if (acc + 2 + e.rounding >= limit &&
        ((acc < limit ? acc : limit) * m >> 31) + 2 + e.rounding >= limit) {
      return kNoPass;
    }
    table[c] = e;
  }
  return kGeneralPass;
}

// Channel c's outputs of the four pixels.
__attribute__((always_inline)) inline void store_channel(const Channels &ch, int32_t c,
                                                         const int32_t v[kPixels],
                                                         int8_t *const out[kPixels]) {
  const ChannelEntry e = ch.table[c];
  if (e.stage == kShortStage) {
    const OutputScale s = {e.multiplier, e.rounding, e.right_shift};
#pragma GCC unroll 4  // kPixels
    for (int32_t i = 0; i < kPixels; ++i) {
      out[i][c] = static_cast<int8_t>(__ssat(scale_output<true>(v[i], s), 8));
    }
  } else if (e.stage == kRightShiftStage) {
    const RequantEntry r = {e.multiplier, 0, e.rounding, e.right_shift};
#pragma GCC unroll 4  // kPixels
    for (int32_t i = 0; i < kPixels; ++i) {
      out[i][c] = requantize_entry_right_to_int8_full(v[i], r, ch.output_offset);
    }
  } else {
    for (int32_t i = 0; i < kPixels; ++i) {
      out[i][c] = requantize_to_int8(v[i], ch.multiplier[c], ch.shift[c], ch.output_offset,
                                     ch.act_min, ch.act_max);
    }
  }
}

// The last out_c % 4 rows from `o` on, stored plainly, for the four pixels (rare in models: kept
// out of line).
__attribute__((noinline)) inline void plain_rows(const KernelArgs &a, const Channels &ch,
                                                 const uint32_t *xs, const int8_t *const x[kPixels],
                                                 int8_t *const out[kPixels], int32_t o) {
  const int32_t in_c = a.input0->dims[3], out_c = a.output->dims[3];
  const int32_t body = in_c & ~3;
  for (; o < out_c; ++o) {
    const int8_t *const row = a.weights + o * in_c;
    const int32_t f = a.folded_bias[o];
    int32_t v[kPixels] = {f, f, f, f};
    plain_row(xs, row, body / 4, v);
    for (int32_t k = body; k < in_c; ++k) {
      for (int32_t i = 0; i < kPixels; ++i) v[i] = wrapping_add(v[i], x[i][k] * row[k]);
    }
    store_channel(ch, o, v, out);
  }
}

// acc's output through its PassEntry, as the assembly's stage: plain (dsp.h's OutputScale
// without the sign term) or general (with it; pointwise_pass.h).
inline int8_t pass_output(int32_t acc, const PassEntry &e, bool plain) {
  if (plain) {  // the plain stage's entry is an OutputScale
    const OutputScale s = {e.multiplier, e.rounding, e.right_shift};
    return static_cast<int8_t>(__ssat(scale_output<false>(acc, s), 8));
  }
  const int32_t h = wrapping_add(smmlar(acc, e.multiplier, e.rounding + (acc >> 31)), acc);
  return static_cast<int8_t>(__ssat((h >> e.right_shift) + e.offset, 8));
}

// The whole blocks of rows [0, blocks_end) for the one pixel in slot xs[0] of the expanded inputs
// (whose sum times 128 is lift), with the assembly pass's entries: a short last pass's pixels, one
// by one. Per group of four inputs and four rows (16 MACs): two loads of inputs, two LDRDs of
// weights, four ANDs, eight SMLADs.
inline void single_pixel(const uint32_t *xs, int32_t groups, const int8_t *weights,
                         const int32_t *folded, const PassEntry *table, int32_t blocks_end,
                         bool plain, int32_t lift, int8_t *out) {
  const uint32_t *w = reinterpret_cast<const uint32_t *>(weights);
  for (int32_t o = 0; o < blocks_end; o += 4) {
    int32_t low_ab = -lift, raw_ab = -lift, low_cd = -lift, raw_cd = -lift;
    const uint32_t *x = xs;
    for (int32_t g = 0; g < groups; ++g, x += 2 * kPixels) {
      const uint32_t x02 = x[0], x13 = x[kPixels];
      uint32_t w0, w1;
      load_pair(w, &w0, &w1);
      low_ab = __smlad(x02, w0 & 0x00FF00FFu, low_ab);
      raw_ab = __smlad(x02, w0, raw_ab);
      low_ab = __smlad(x13, w1 & 0x00FF00FFu, low_ab);
      raw_ab = __smlad(x13, w1, raw_ab);
      load_pair(w, &w0, &w1);
      low_cd = __smlad(x02, w0 & 0x00FF00FFu, low_cd);
      raw_cd = __smlad(x02, w0, raw_cd);
      low_cd = __smlad(x13, w1 & 0x00FF00FFu, low_cd);
      raw_cd = __smlad(x13, w1, raw_cd);
    }
    const int32_t acc[4] = {wrapping_add(low_ab, folded[o]),
                            wrapping_add(folded[o + 1], high_rows(raw_ab, low_ab)),
                            wrapping_add(low_cd, folded[o + 2]),
                            wrapping_add(folded[o + 3], high_rows(raw_cd, low_cd))};
#pragma GCC unroll 1  // one copy of the output stage: this path serves a layer's last pixels
    for (int32_t k = 0; k < 4; ++k) out[o + k] = pass_output(acc[k], table[o + k], plain);
  }
}

inline void run(const KernelArgs &a, const Channels &ch, PassStage stage, uint32_t *xs) {
  const int32_t *p = a.op->params;
  const int32_t in_w = a.input0->dims[2], in_c = a.input0->dims[3];
  const int32_t out_w = a.output->dims[2], out_c = a.output->dims[3];
  const int32_t pixels = a.output->dims[1] * out_w;
  const int32_t body = in_c & ~3, tail = in_c - body, groups = body / 4;
  const uint32_t *const xs_end = xs + 2 * kPixels * groups;
  const int32_t stride_h = p[SOTTO_P_STRIDE_H], stride_w = p[SOTTO_P_STRIDE_W];
  const bool unit_stride = stride_h == 1 && stride_w == 1;
  // Locals, not a.*: every int8 output store may alias the argument struct for the compiler.
  const int32_t *const folded = a.folded_bias;
  const int8_t *const weights = a.weights;
  const int8_t *const input = a.input0_data;
  int8_t *const output_data = a.output_data;
  // With a pass, each pass's whole blocks of rows run in assembly (pointwise_pass.h).
  const int32_t blocks_end = out_c & ~3;
  PassFrame frame = {{0, 0, 0, 0},
                     xs,
                     reinterpret_cast<const uint8_t *>(weights),
                     reinterpret_cast<const uint8_t *>(weights) + 8,
                     folded,
                     xs_end,
                     1 + kGroupBytes * ((4 - groups % 4) % 4),
                     ch.table + blocks_end,
                     {nullptr, nullptr, nullptr, nullptr},
                     ch.table,
                     stage == kGeneralPass ? 1 : 0,
                     0,
                     input,
                     in_c,
                     output_data,
                     out_c,
                     reinterpret_cast<const uint8_t *>(weights),
                     reinterpret_cast<const uint8_t *>(weights) + 8,
                     folded,
                     ch.table};
  int32_t q = 0;
  if (stage != kNoPass && unit_stride && blocks_end == out_c && pixels >= kPixels) {
    // Every MLPerf pointwise layer: whole passes whose pixels follow each other in the input and
    // the output, all in one call that expands each pass's inputs itself (the loop below works
    // them out pixel by pixel).
    frame.passes = pixels / kPixels;
    run_pass(&frame);
    frame.passes = 0;
    q = pixels & ~(kPixels - 1);
  }
  for (; q < pixels; q += kPixels) {
    // A short last pass: the spare slots repeat its last pixel, computing its values and storing
    // them again at its place (no test per store).
    const int32_t last = pixels - q < kPixels ? pixels - 1 : q + kPixels - 1;
    const int8_t *x[kPixels];
    int8_t *out[kPixels];
#pragma GCC unroll 4  // kPixels: the pixels' values stay in registers
    for (int32_t i = 0; i < kPixels; ++i) {
      const int32_t at = q + i < last ? q + i : last;
      // Stride 1 (every MLPerf pointwise layer): input pixels are output pixels, no division.
      const int32_t from =
          unit_stride ? at : (at / out_w) * stride_h * in_w + (at % out_w) * stride_w;
      x[i] = input + from * in_c;
      out[i] = output_data + at * out_c;
    }
    int32_t lift[kPixels];
    expand_pixels(x, body, xs, lift);
#pragma GCC unroll 4  // kPixels: the pixels' values stay in registers
    for (int32_t i = 0; i < kPixels; ++i) lift[i] *= 128;
    if (stage != kNoPass) {
#pragma GCC unroll 4  // kPixels
      for (int32_t i = 0; i < kPixels; ++i) {
        frame.minus_lift[i] = -lift[i];
        frame.out[i] = out[i];
      }
      if (pixels - q >= kPixels) {
        run_pass(&frame);
      } else {  // a pass would do four pixels' work: each one alone instead
        for (int32_t i = 0; i < pixels - q; ++i) {
          single_pixel(xs + i, groups, weights, folded,
                       reinterpret_cast<const PassEntry *>(ch.table), blocks_end,
                       stage == kPlainPass, lift[i], out[i]);
        }
      }
      if (blocks_end < out_c) plain_rows(a, ch, xs, x, out, blocks_end);
      continue;
    }
    const int8_t *block = weights;
    int32_t o = 0;
    for (; o + 4 <= out_c; o += 4, block += 4 * in_c) {
      // Rows o, o + 1 (the first two words of each group), then o + 2, o + 3.
      for (int32_t j = 0; j < 4; j += 2) {
        int32_t va[kPixels], vb[kPixels];
#pragma GCC unroll 4  // kPixels: the pixels' values stay in registers
        for (int32_t i = 0; i < kPixels; ++i) {
          va[i] = folded[o + j] - lift[i];
          vb[i] = folded[o + j + 1];
        }
        pair_rows(xs, xs_end, reinterpret_cast<const uint32_t *>(block) + j, va, vb);
        // The block's tails: each row's last in_c % 4 weights, plain, row after row.
        const int8_t *wa = block + 4 * body + j * tail, *wb = wa + tail;
        for (int32_t k = 0; k < tail; ++k) {
#pragma GCC unroll 4  // kPixels: the pixels' values stay in registers
          for (int32_t i = 0; i < kPixels; ++i) {
            va[i] = wrapping_add(va[i], x[i][body + k] * wa[k]);
            vb[i] = wrapping_add(vb[i], x[i][body + k] * wb[k]);
          }
        }
        store_channel(ch, o + j, va, out);
        store_channel(ch, o + j + 1, vb, out);
      }
    }
    if (o < out_c) plain_rows(a, ch, xs, x, out, o);
  }
}

}  // namespace pointwise

namespace cortex_m4 {

// The interleaved pointwise CONV_2D (the op's check admitted the layout: int8, 1x1, no padding,
// folded bias), with one batch and its m4_conv_2d_scratch_bytes of scratch (cortex_m4::conv_2d
// checked them).
inline void pointwise_conv_2d(const KernelArgs &a) {
  const int32_t in_c = a.input0->dims[3], out_c = a.output->dims[3];
  const uint32_t expanded = 2u * pointwise::kPixels * static_cast<uint32_t>(in_c & ~3);
  pointwise::ChannelEntry *const table =
      reinterpret_cast<pointwise::ChannelEntry *>(a.scratch + expanded);
  const pointwise::PassStage stage =
      pointwise::prepare_pass(a, in_c, reinterpret_cast<pointwise::PassEntry *>(table));
  pointwise::prepare_channels(a, in_c, stage != pointwise::kNoPass ? out_c & ~3 : 0, table);
  const int32_t *p = a.op->params;
  const pointwise::Channels ch = {table,
                                  a.multiplier,
                                  a.shift,
                                  p[SOTTO_P_OUTPUT_OFFSET],
                                  p[SOTTO_P_ACT_MIN],
                                  p[SOTTO_P_ACT_MAX]};
  pointwise::run(a, ch, stage, reinterpret_cast<uint32_t *>(a.scratch));
}

}  // namespace cortex_m4
}  // namespace sotto_infer

#endif
