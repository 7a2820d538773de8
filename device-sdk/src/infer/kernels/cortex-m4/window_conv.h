// CONV_2D for Cortex-M4 with a window other than pointwise, its filter interleaved by the importer
// (SOTTO_SMDL_INTERLEAVED_WINDOW in smdl_format.h: rows of kernel_h * kernel_w * in_c weights
// padded with zeros to whole groups of four, and the folded bias). Each pass gathers four output
// pixels' windows as raw int8 (a tap outside the picture reads the input's zero point, which the
// folded bias turns into nothing) and expands them once to int16 pairs; then every pair of filter
// rows runs over them in the pointwise kernel's register-blocked loop (pointwise_conv.h: one
// weight word masked once feeds eight SMLADs, two rows by four pixels). No tails: the padded
// weights are 0, so whatever fills the padded slots adds nothing (the pixel's sum of values, which
// the masked rows take out, counts the same slots); a window read straight from the input may
// fill them with up to 3 bytes after it, never past the input's end. Bit-exact with the
// reference: the same integer sums, the same requantization.
#ifndef SOTTO_INFER_CORTEX_M4_WINDOW_CONV_H
#define SOTTO_INFER_CORTEX_M4_WINDOW_CONV_H

#include "cortex-m4/dsp.h"
#include "cortex-m4/pointwise_conv.h"
#include "kernel_args.h"

namespace sotto_infer {
namespace window_conv {

using pointwise::kPixels;

// Scratch (m4_conv_2d_scratch_bytes, SOTTO_SMDL_INTERLEAVED_WINDOW): the four pixels' windows as
// int16 pairs, 8 words per group of four values (the pointwise kernel's order), then one window
// staged as int8 (row bytes), then the output stage's entry per output channel (16 bytes).

struct Geometry {
  const int8_t *input;
  int32_t in_h, in_w, in_c, k_h, k_w, dilation_h, dilation_w;
  int32_t row;         // values per stored filter row: the window in whole groups
  int32_t zero_point;  // what a tap outside the picture reads
  int32_t readable;    // input bytes from its start (a word load may read past a row, not this)
};

// One group of four raw bytes at x into a pixel's two int16 pairs at xs (even) and xs + kPixels
// (odd); adds the values to sum.
__attribute__((always_inline)) inline void expand_group(const int8_t *x, uint32_t *xs,
                                                        int32_t &sum) {
  pointwise::expand_word(x, xs, xs + kPixels, &sum);
}

// `groups` groups of raw bytes from x into one pixel's slot of the expanded windows, from xs (the
// group's first word plus the slot) on; adds the values to *sum and returns the next group's xs.
// Two groups per iteration halve the loop's compare and branch.
__attribute__((always_inline)) inline uint32_t *expand_run(const int8_t *x, int32_t groups,
                                                           uint32_t *xs, int32_t *sum) {
  int32_t s = *sum;
  if ((groups & 1) != 0) {
    expand_group(x, xs, s);
    x += 4;
    xs += 2 * kPixels;
  }
  for (const int8_t *const end = x + 4 * (groups & ~1); x != end; x += 8, xs += 4 * kPixels) {
    expand_group(x, xs, s);
    expand_group(x + 4, xs + 2 * kPixels, s);
  }
  *sum = s;
  return xs;
}

// `groups` groups of the zero point (taps outside the picture) into one pixel's slot.
__attribute__((always_inline)) inline uint32_t *fill_run(uint32_t zero_pair, int32_t groups,
                                                         uint32_t *xs) {
  for (int32_t k = 0; k < groups; ++k, xs += 2 * kPixels) xs[0] = xs[kPixels] = zero_pair;
  return xs;
}

// A window wholly inside the picture whose rows are `run` bytes (run % 4 != 0, run > 4: a group
// spans at most two rows), the first at `first` and each `step` after the last, into one pixel's
// slot from xs on, without staging (vww's and ic's first convs: 3 taps of 3 channels a row); adds
// the values to *sum. Each group of four window values is one word load, or two where it spans
// two window rows (the first's bytes kept, the second's shifted in above them); the padded slots
// after the last row take the bytes after it, which the caller checked exist.
inline void expand_rows(const int8_t *first, int32_t step, int32_t rows, int32_t run,
                        int32_t groups, uint32_t *xs, int32_t *sum) {
  const int8_t *at = first;  // the row the next group starts in
  int32_t offset = 0;        // where in that row
  int32_t rows_left = rows;
  int32_t s = *sum;
  for (int32_t k = 0; k < groups; ++k, xs += 2 * kPixels) {
    uint32_t word = load_u32(at + offset);
    offset += 4;
    if (offset >= run) {  // the group ends this row
      offset -= run;      // bytes it takes from the next row
      at += step;
      if (--rows_left > 0 && offset > 0) {
        const uint32_t kept = 8u * static_cast<uint32_t>(4 - offset);
        word = (word & ((1u << kept) - 1u)) | (load_u32(at) << kept);
      }
    }
    const uint32_t even = __sxtb16(word), odd = sxtb16_ror8(word);
    xs[0] = even;
    xs[kPixels] = odd;
    s = __smlad(odd, 0x00010001u, __smlad(even, 0x00010001u, s));
  }
  *sum = s;
}

// The taps of window row iy (inside the picture or not) from column x0 on, as raw bytes at `at`
// (the zero point where a tap leaves the picture).
inline void stage_row(const Geometry &g, int32_t iy, int32_t x0, int8_t *at) {
  const bool y_inside = iy >= 0 && iy < g.in_h;
  for (int32_t kx = 0; kx < g.k_w; ++kx, at += g.in_c) {
    const int32_t ix = x0 + g.dilation_w * kx;
    if (y_inside && ix >= 0 && ix < g.in_w) {
      const int8_t *src = g.input + (iy * g.in_w + ix) * g.in_c;
      for (int32_t c = 0; c < g.in_c; ++c) at[c] = src[c];
    } else {
      for (int32_t c = 0; c < g.in_c; ++c) at[c] = static_cast<int8_t>(g.zero_point);
    }
  }
}

// Output pixel's window, whose first tap is at input (y0, x0), into slot `slot` of xs; returns
// the sum of its raw values (padding included). When a window row is whole groups (k_w * in_c a
// multiple of 4), rows inside the picture expand straight from the input; other windows wholly
// inside do too (expand_rows); the rest are staged as int8 first (the staging's last
// row - window bytes stay 0).
inline int32_t gather(const Geometry &g, int32_t y0, int32_t x0, int32_t slot, uint32_t *xs,
                      int8_t *staged) {
  int32_t sum = 0;
  uint32_t *dst = xs + slot;
  const bool row_inside = x0 >= 0 && x0 + (g.k_w - 1) * g.dilation_w < g.in_w;
  const bool contiguous = row_inside && g.dilation_w == 1;
  const int32_t run = g.k_w * g.in_c;
  if ((run & 3) == 0) {
    const uint32_t zero_pair = pair_of(g.zero_point);
    for (int32_t ky = 0; ky < g.k_h; ++ky) {
      const int32_t iy = y0 + g.dilation_h * ky;
      if (iy < 0 || iy >= g.in_h) {  // a row above or below the picture
        dst = fill_run(zero_pair, run / 4, dst);
        sum += run * g.zero_point;
      } else if (contiguous) {  // the window's row is one run of input bytes
        dst = expand_run(g.input + (iy * g.in_w + x0) * g.in_c, run / 4, dst, &sum);
      } else if ((g.in_c & 3) == 0) {  // tap by tap
        for (int32_t kx = 0; kx < g.k_w; ++kx) {
          const int32_t ix = x0 + g.dilation_w * kx;
          if (ix >= 0 && ix < g.in_w) {
            dst = expand_run(g.input + (iy * g.in_w + ix) * g.in_c, g.in_c / 4, dst, &sum);
          } else {
            dst = fill_run(zero_pair, g.in_c / 4, dst);
            sum += g.in_c * g.zero_point;
          }
        }
      } else {  // a row across the picture's side, channels not in whole groups
        stage_row(g, iy, x0, staged);
        dst = expand_run(staged, run / 4, dst, &sum);
      }
    }
    return sum;
  }
  const int32_t last_row = y0 + g.dilation_h * (g.k_h - 1);
  const int32_t first = (y0 * g.in_w + x0) * g.in_c;
  const int32_t step = g.dilation_h * g.in_w * g.in_c;
  if (contiguous && run > 4 && y0 >= 0 && last_row < g.in_h &&
      first + (g.k_h - 1) * step + run + 3 <= g.readable) {  // every row inside, no staging
    expand_rows(g.input + first, step, g.k_h, run, g.row / 4, dst, &sum);
    return sum;
  }
  int8_t *at = staged;
  for (int32_t ky = 0; ky < g.k_h; ++ky, at += run) {
    const int32_t iy = y0 + g.dilation_h * ky;
    if (contiguous && iy >= 0 && iy < g.in_h) {
      const int8_t *src = g.input + (iy * g.in_w + x0) * g.in_c;
      int32_t i = 0;
      for (; i + 4 <= run; i += 4) store_u32(at + i, load_u32(src + i));  // a word per step
      for (; i < run; ++i) at[i] = src[i];
    } else {
      stage_row(g, iy, x0, at);
    }
  }
  expand_run(staged, g.row / 4, dst, &sum);
  return sum;
}

// The last out_c % 4 rows from `o` on, stored plainly, for the four pixels, with the reference's
// output stage (rare in models, none of MLPerf Tiny's: kept out of line and small).
__attribute__((noinline)) inline void plain_rows(const KernelArgs &a, const pointwise::Channels &ch,
                                                 const uint32_t *xs, int32_t row,
                                                 int8_t *const out[kPixels], int32_t o) {
  for (; o < a.output->dims[3]; ++o) {
    const int32_t f = a.folded_bias[o];
    int32_t v[kPixels] = {f, f, f, f};
    pointwise::plain_row(xs, a.weights + o * row, row / 4, v);
    for (int32_t i = 0; i < kPixels; ++i) {
      out[i][o] = requantize_to_int8(v[i], ch.multiplier[o], ch.shift[o], ch.output_offset,
                                     ch.act_min, ch.act_max);
    }
  }
}

inline void run(const KernelArgs &a, const pointwise::Channels &ch, pointwise::PassStage stage,
                const Geometry &g, uint32_t *xs, int8_t *staged) {
  const int32_t *p = a.op->params;
  const int32_t out_w = a.output->dims[2], out_c = a.output->dims[3];
  const int32_t pixels = a.output->dims[1] * out_w;
  const int32_t row = g.row;
  const uint32_t *const xs_end = xs + 2 * kPixels * (row / 4);
  const int32_t stride_h = p[SOTTO_P_STRIDE_H], stride_w = p[SOTTO_P_STRIDE_W];
  const int32_t pad_h = p[SOTTO_P_PAD_H], pad_w = p[SOTTO_P_PAD_W];
  // Locals, not a.*: every int8 output store may alias the argument struct for the compiler.
  const int32_t *const folded = a.folded_bias;
  const int8_t *const weights = a.weights;
  int8_t *const output_data = a.output_data;
  // With the pointwise kernel's assembly pass (a row of at most one chunk, the whole int8 range),
  // each pass's whole blocks of rows run there (pointwise_pass.h), as in pointwise::run.
  const int32_t groups = row / 4, blocks_end = out_c & ~3;
  // One pass per call (passes 0): the windows are gathered here, so the raw-input fields and
  // their pass starts stay unused.
  const uint8_t *const rows = reinterpret_cast<const uint8_t *>(weights);
  pointwise::PassFrame frame = {{0, 0, 0, 0},
                                xs,
                                rows,
                                rows + 8,
                                folded,
                                xs_end,
                                1 + pointwise::kGroupBytes * ((4 - groups % 4) % 4),
                                ch.table + blocks_end,
                                {nullptr, nullptr, nullptr, nullptr},
                                ch.table,
                                stage == pointwise::kGeneralPass ? 1 : 0,
                                0,
                                nullptr,
                                0,
                                nullptr,
                                0,
                                rows,
                                rows + 8,
                                folded,
                                ch.table};
  for (int32_t q = 0; q < pixels; q += kPixels) {
    // A short last pass: the spare slots repeat its last pixel, computing its values and storing
    // them again at its place (no test per store).
    const int32_t last = pixels - q < kPixels ? pixels - 1 : q + kPixels - 1;
    int8_t *out[kPixels];
    int32_t lift[kPixels];
    for (int32_t i = 0; i < kPixels; ++i) {
      const int32_t at = q + i < last ? q + i : last;
      const int32_t oy = at / out_w, ox = at - oy * out_w;
      lift[i] = 128 * gather(g, oy * stride_h - pad_h, ox * stride_w - pad_w, i, xs, staged);
      out[i] = output_data + at * out_c;
    }
    if (stage != pointwise::kNoPass) {
      for (int32_t i = 0; i < kPixels; ++i) {
        frame.minus_lift[i] = -lift[i];
        frame.out[i] = out[i];
      }
      if (pixels - q >= kPixels) {
        pointwise::run_pass(&frame);
      } else {  // a pass would do four pixels' work: each one alone instead
        for (int32_t i = 0; i < pixels - q; ++i) {
          pointwise::single_pixel(xs + i, groups, weights, folded,
                                  reinterpret_cast<const pointwise::PassEntry *>(ch.table),
                                  blocks_end, stage == pointwise::kPlainPass, lift[i], out[i]);
        }
      }
      if (blocks_end < out_c) window_conv::plain_rows(a, ch, xs, row, out, blocks_end);
      continue;
    }
    const int8_t *block = weights;
    int32_t o = 0;
    for (; o + 4 <= out_c; o += 4, block += 4 * row) {
      // Rows o, o + 1 (the first two words of each group), then o + 2, o + 3.
      for (int32_t j = 0; j < 4; j += 2) {
        int32_t v[2][kPixels];
#pragma GCC unroll 4  // kPixels: the pixels' values stay in registers
        for (int32_t i = 0; i < kPixels; ++i) {
          v[0][i] = folded[o + j] - lift[i];
          v[1][i] = folded[o + j + 1];
        }
        pointwise::pair_rows(xs, xs_end, reinterpret_cast<const uint32_t *>(block) + j, v[0], v[1]);
        // One copy of the output stage for both rows (flash).
#pragma GCC unroll 1
        for (int32_t r = 0; r < 2; ++r) pointwise::store_channel(ch, o + j + r, v[r], out);
      }
    }
    if (o < out_c) window_conv::plain_rows(a, ch, xs, row, out, o);
  }
}

}  // namespace window_conv

namespace cortex_m4 {

// The interleaved windowed CONV_2D (the op's check admitted the layout), with one batch and its
// m4_conv_2d_scratch_bytes of scratch (cortex_m4::conv_2d checked them).
inline void window_conv_2d(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const int32_t in_c = a.input0->dims[3], out_c = a.output->dims[3];
  const int32_t window = p[SOTTO_P_KERNEL_H] * p[SOTTO_P_KERNEL_W] * in_c;
  const int32_t row = static_cast<int32_t>(sotto_smdl_window_row(static_cast<uint32_t>(window)));
  uint32_t *const xs = reinterpret_cast<uint32_t *>(a.scratch);
  int8_t *const staged = reinterpret_cast<int8_t *>(a.scratch + 8 * row);
  pointwise::ChannelEntry *const table =
      reinterpret_cast<pointwise::ChannelEntry *>(a.scratch + 9 * row);
  const pointwise::PassStage stage =
      pointwise::prepare_pass(a, row, reinterpret_cast<pointwise::PassEntry *>(table));
  pointwise::prepare_channels(a, row, stage != pointwise::kNoPass ? out_c & ~3 : 0, table);
  // The staging's padded slots (row - window) stay 0; the rest is written before it is read.
  memset(staged, 0, static_cast<size_t>(row));
  const window_conv::Geometry g = {a.input0_data,
                                   a.input0->dims[1],
                                   a.input0->dims[2],
                                   in_c,
                                   p[SOTTO_P_KERNEL_H],
                                   p[SOTTO_P_KERNEL_W],
                                   p[SOTTO_P_DILATION_H],
                                   p[SOTTO_P_DILATION_W],
                                   row,
                                   -p[SOTTO_P_INPUT_OFFSET],
                                   a.input0->dims[1] * a.input0->dims[2] * in_c};
  const pointwise::Channels ch = {table,
                                  a.multiplier,
                                  a.shift,
                                  p[SOTTO_P_OUTPUT_OFFSET],
                                  p[SOTTO_P_ACT_MIN],
                                  p[SOTTO_P_ACT_MAX]};
  window_conv::run(a, ch, stage, g, xs, staged);
}

}  // namespace cortex_m4
}  // namespace sotto_infer

#endif
