// CONV_2D for Cortex-M4. A pointwise filter the importer stored interleaved runs the
// register-blocked matrix kernel (pointwise_conv.h), any other window stored interleaved the
// windowed kernel built on it (window_conv.h). Plain filters (a blob from an older importer): four
// output pixels' windows are expanded once to int16 in the planned scratch (input offset added,
// padding = zero contribution), interleaved so that each weight word, unpacked once, feeds four
// pixels' SMLADs. Bit-exact with the reference: the same integer sums, the same requantization.
// Without scratch (a blob compiled for another target), or for more than one batch, it runs the
// reference. (int16 activations run CONV_2D_16X8, never this kernel.)
#include "cortex-m4/dsp.h"
#include "cortex-m4/pointwise_conv.h"
#include "cortex-m4/sparse_rows.h"
#include "cortex-m4/window_conv.h"
#include "fixed_point.h"
#include "kernel_args.h"
#include "reference_fallback.h"

namespace sotto_infer {
namespace {

const int32_t kPixels = 4;  // output pixels per pass: each weight word feeds four of them

// Scratch layout for kPixels pixels: for each whole group of four window values g, 2 words per
// pixel, {(v0, v2), (v1, v3)} as int16 pairs, so one pointer walks all pixels in the order
// SXTB16 / SXTB16-ROR-8 unpack packed int8 weights; then each pixel's tail (window % 4), 4 int16
// apiece, in natural order; then an int8 staging area of the window rounded up to 4 bytes; then
// a RequantEntry per output channel (m4_conv_2d_scratch_bytes, the plain layout).
static_assert(sizeof(RequantEntry) == 16, "m4_conv_2d_scratch_bytes: 16 bytes per output channel");
// Writes the window of output pixel (oy, ox) into slot `pixel` of col: (x + input_offset), or 0
// where the window leaves the picture.
void gather(const KernelArgs &a, int32_t oy, int32_t ox, int32_t body, int32_t pixel,
            int16_t *col) {
  const int32_t *p = a.op->params;
  const int32_t in_h = a.input0->dims[1], in_w = a.input0->dims[2], in_c = a.input0->dims[3];
  const int32_t k_h = p[SOTTO_P_KERNEL_H], k_w = p[SOTTO_P_KERNEL_W];
  const int32_t y0 = oy * p[SOTTO_P_STRIDE_H] - p[SOTTO_P_PAD_H];
  const int32_t x0 = ox * p[SOTTO_P_STRIDE_W] - p[SOTTO_P_PAD_W];
  const int32_t offset = p[SOTTO_P_INPUT_OFFSET];
  if ((in_c & 3) == 0) {  // every tap is whole groups: two SXTAB16 per four values
    const uint32_t offset_pair = pair_of(offset);
    uint32_t *dst = reinterpret_cast<uint32_t *>(col) + 2 * pixel;
    const int32_t step = 2 * kPixels;
    for (int32_t ky = 0; ky < k_h; ++ky) {
      const int32_t iy = y0 + p[SOTTO_P_DILATION_H] * ky;
      for (int32_t kx = 0; kx < k_w; ++kx) {
        const int32_t ix = x0 + p[SOTTO_P_DILATION_W] * kx;
        if (iy < 0 || iy >= in_h || ix < 0 || ix >= in_w) {
          for (int32_t g = 0; g < in_c / 4; ++g, dst += step) dst[0] = dst[1] = 0;
        } else {
          const int8_t *src = a.input0_data + (iy * in_w + ix) * in_c;
          for (int32_t g = 0; g < in_c / 4; ++g, dst += step) {
            const uint32_t v = load_u32(src + 4 * g);
            dst[0] = __sxtab16(offset_pair, v);
            dst[1] = sxtab16_ror8(offset_pair, v);
          }
        }
      }
    }
    return;
  }
  // Other channel counts: stage the window as int8 (value -offset where it leaves the picture,
  // so that it expands to 0), then expand whole groups with SXTAB16 and the tail one by one.
  int8_t *staged = reinterpret_cast<int8_t *>(col + kPixels * (body + 4));
  int8_t *dst = staged;
  const size_t tap_bytes = static_cast<size_t>(in_c);
  const bool row_inside = x0 >= 0 && x0 + (k_w - 1) * p[SOTTO_P_DILATION_W] < in_w;
  const bool contiguous = row_inside && p[SOTTO_P_DILATION_W] == 1;
  for (int32_t ky = 0; ky < k_h; ++ky) {
    const int32_t iy = y0 + p[SOTTO_P_DILATION_H] * ky;
    if (contiguous && iy >= 0 && iy < in_h) {  // the window's row is one run of input bytes
      const int8_t *src = a.input0_data + (iy * in_w + x0) * in_c;
      const int32_t run = k_w * in_c;
      int32_t i = 0;
      for (; i + 4 <= run; i += 4) store_u32(dst + i, load_u32(src + i));  // a word per step
      for (; i < run; ++i) dst[i] = src[i];
      dst += run;
      continue;
    }
    for (int32_t kx = 0; kx < k_w; ++kx, dst += in_c) {
      const int32_t ix = x0 + p[SOTTO_P_DILATION_W] * kx;
      if (iy < 0 || iy >= in_h || ix < 0 || ix >= in_w) {
        memset(dst, -offset, tap_bytes);
      } else {
        memcpy(dst, a.input0_data + (iy * in_w + ix) * in_c, tap_bytes);
      }
    }
  }
  const uint32_t offset_pair = pair_of(offset);
  uint32_t *words = reinterpret_cast<uint32_t *>(col) + 2 * pixel;
  for (int32_t g = 0; g < body / 4; ++g, words += 2 * kPixels) {
    const uint32_t v = load_u32(staged + 4 * g);
    words[0] = __sxtab16(offset_pair, v);
    words[1] = sxtab16_ror8(offset_pair, v);
  }
  int16_t *tail = col + kPixels * body + 4 * pixel;
  for (int32_t k = body; k < static_cast<int32_t>(dst - staged); ++k) {
    tail[k - body] = static_cast<int16_t>(staged[k] + offset);
  }
}

// One weight word (four window values), unpacked once, times the four pixels' columns.
inline void mac_group(const int8_t *w, const uint32_t *&x, int32_t *acc0, int32_t *acc1,
                      int32_t *acc2, int32_t *acc3) {
  const uint32_t raw = load_u32(w);
  const uint32_t w02 = __sxtb16(raw), w13 = sxtb16_ror8(raw);
  uint32_t x02, x13;
  load_pair(x, &x02, &x13);
  *acc0 = __smlad(x13, w13, __smlad(x02, w02, *acc0));
  load_pair(x, &x02, &x13);
  *acc1 = __smlad(x13, w13, __smlad(x02, w02, *acc1));
  load_pair(x, &x02, &x13);
  *acc2 = __smlad(x13, w13, __smlad(x02, w02, *acc2));
  load_pair(x, &x02, &x13);
  *acc3 = __smlad(x13, w13, __smlad(x02, w02, *acc3));
}

}  // namespace

namespace cortex_m4 {

void conv_2d(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const int32_t out_h = a.output->dims[1], out_w = a.output->dims[2], out_c = a.output->dims[3];
  const int32_t window = p[SOTTO_P_KERNEL_H] * p[SOTTO_P_KERNEL_W] * a.input0->dims[3];
  const int32_t body = window & ~3;
  const uint32_t columns = static_cast<uint32_t>(2 * kPixels * (body + 4) + (window + 3) / 4 * 4);
  // Block-sparse weights (smdl_format.h): a pointwise conv is rows of in_c inputs, walked as a
  // sparse FULLY_CONNECTED (sparse_rows.h); other windows run the reference.
  if (p[SOTTO_P_SPARSE_WEIGHTS] != 0) {
    const bool pointwise = p[SOTTO_P_KERNEL_H] == 1 && p[SOTTO_P_KERNEL_W] == 1 &&
                           p[SOTTO_P_STRIDE_H] == 1 && p[SOTTO_P_STRIDE_W] == 1 &&
                           p[SOTTO_P_PAD_H] == 0 && p[SOTTO_P_PAD_W] == 0;
    if (pointwise) {
      sparse_rows(a, static_cast<int32_t>(a.output->bytes) / out_c, a.input0->dims[3], out_c);
    } else if (kReferenceFallback) {  // (else the loader refused it)
      reference::conv_2d(a);
    }
    return;
  }
  // Every dense layout's kernel needs one batch and the scratch m4_conv_2d_scratch_bytes gives
  // for its layout, the interleaved ones also their folded bias: else the reference (without
  // it, reference_fallback.h, the loader refused the op).
  const int32_t interleaving = p[SOTTO_P_FC_WEIGHTS_INTERLEAVED];
  if (kReferenceFallback &&
      (a.output->dims[0] != 1 || a.scratch == nullptr ||
       (interleaving != 0 && a.folded_bias == nullptr) ||
       a.op->scratch_bytes <
           m4_conv_2d_scratch_bytes(interleaving, static_cast<uint32_t>(a.input0->dims[3]),
                                    static_cast<uint32_t>(window), static_cast<uint32_t>(out_c)))) {
    reference::conv_2d(a);
    return;
  }
  if (interleaving == SOTTO_SMDL_INTERLEAVED_ROWS) {
    pointwise_conv_2d(a);
    return;
  }
  if (interleaving == SOTTO_SMDL_INTERLEAVED_WINDOW) {
    window_conv_2d(a);
    return;
  }
  int16_t *col = reinterpret_cast<int16_t *>(a.scratch);
  const int16_t *tails = col + kPixels * body;
  const int32_t output_offset = p[SOTTO_P_OUTPUT_OFFSET];
  const int32_t act_min = p[SOTTO_P_ACT_MIN], act_max = p[SOTTO_P_ACT_MAX];
  const bool full_range = is_full_int8_range(act_min, act_max);
  const int32_t pixels = out_h * out_w;
  // Locals, not a.*: every int8 output store may alias the argument struct for the compiler.
  const int32_t *const bias = a.bias;
  RequantEntry *const requant = reinterpret_cast<RequantEntry *>(a.scratch + columns);
  prepare_requant(a.multiplier, a.shift, out_c, requant);
  for (int32_t px = 0; px < pixels; px += kPixels) {
    const int32_t count = pixels - px < kPixels ? pixels - px : kPixels;
    // Short last pass: the spare slots repeat the last pixel, so they compute its values and
    // store them again at its place (no test per store).
    for (int32_t slot = 0; slot < kPixels; ++slot) {
      const int32_t q = px + (slot < count ? slot : count - 1);
      gather(a, q / out_w, q % out_w, body, slot, col);
    }
    const int32_t at1 = (count > 1 ? 1 : count - 1) * out_c;
    const int32_t at2 = (count > 2 ? 2 : count - 1) * out_c;
    const int32_t at3 = (count > 3 ? 3 : count - 1) * out_c;
    int8_t *out = a.output_data + px * out_c;
    const int8_t *w = a.weights;
    for (int32_t oc = 0; oc < out_c; ++oc, w += window) {
      const int32_t b = bias ? bias[oc] : 0;
      int32_t acc0 = b, acc1 = b, acc2 = b, acc3 = b;
      const uint32_t *x = reinterpret_cast<const uint32_t *>(col);
      const int8_t *wk = w;
      // Two groups per iteration halve the loop's compare and branch.
      if ((body & 4) != 0) {
        mac_group(wk, x, &acc0, &acc1, &acc2, &acc3);
        wk += 4;
      }
      for (; wk != w + body; wk += 8) {
        mac_group(wk, x, &acc0, &acc1, &acc2, &acc3);
        mac_group(wk + 4, x, &acc0, &acc1, &acc2, &acc3);
      }
      for (int32_t k = body; k < window; ++k) {
        const int32_t f = w[k];
        acc0 += tails[k - body] * f;
        acc1 += tails[4 + k - body] * f;
        acc2 += tails[8 + k - body] * f;
        acc3 += tails[12 + k - body] * f;
      }
      // A copy (int8 stores may alias the table for the compiler): once its shift is known to be
      // <= -2, every output below takes the short path without testing it again.
      const RequantEntry e = requant[oc];
      int8_t *o = out + oc;
      if (e.shift > -2) {  // rare: larger multipliers
        const int32_t accs[kPixels] = {acc0, acc1, acc2, acc3};
        for (int32_t i = 0; i < count; ++i) {
          o[i * out_c] = requantize_entry_to_int8(accs[i], e, output_offset, act_min, act_max);
        }
        continue;
      }
      if (full_range) {  // every MLPerf conv: no clamp compares per output
        o[0] = requantize_entry_right_to_int8_full(acc0, e, output_offset);
        o[at1] = requantize_entry_right_to_int8_full(acc1, e, output_offset);
        o[at2] = requantize_entry_right_to_int8_full(acc2, e, output_offset);
        o[at3] = requantize_entry_right_to_int8_full(acc3, e, output_offset);
        continue;
      }
      o[0] = requantize_entry_to_int8(acc0, e, output_offset, act_min, act_max);
      o[at1] = requantize_entry_to_int8(acc1, e, output_offset, act_min, act_max);
      o[at2] = requantize_entry_to_int8(acc2, e, output_offset, act_min, act_max);
      o[at3] = requantize_entry_to_int8(acc3, e, output_offset, act_min, act_max);
    }
  }
}

}  // namespace cortex_m4
}  // namespace sotto_infer
