// On-target check that this build's kernels (the optimized variant on Cortex-M4) match the
// reference kernels bit for bit on random shapes the MLPerf models do not cover: odd channel
// counts, window tails, padding, strides, dilation, per-channel requantization, broadcasts.
#include "kernel_equivalence.h"

#include <string.h>

#include "../kernel_test_util.h"
#include "op_registry.h"
#include "xorshift.h"

namespace {

using sotto_test::shape;

sotto_test::Xorshift32 g_random = {0x12345678u};
// FULLY_CONNECTED's added draws, apart, so that every other kind keeps the shapes it had.
sotto_test::Xorshift32 g_fc_random = {0x2468ACE1u};

uint32_t next() {
  return g_random.next();
}

int32_t pick(int32_t lo, int32_t hi) {
  return g_random.pick(lo, hi);
}

alignas(4) int8_t g_input[4096];
alignas(4) int8_t g_input1[4096];
alignas(4) int8_t g_weights[8192];
alignas(4) int8_t g_weights_m4[8192];  // FC rows, conv filters as the M4 importer stores them
alignas(4) int8_t g_padded[8192];      // a windowed filter's rows padded to whole groups
alignas(4) int8_t g_out_fast[8192];
alignas(4) int8_t g_out_ref[8192];
alignas(4) uint8_t g_scratch[8192];
int32_t g_bias[64], g_folded[64], g_mult[64], g_shift[64];

}  // namespace

uint32_t g_kind_mismatches[4];
FullyConnectedCases g_fully_connected;
PointwiseCases g_pointwise;
WindowCases g_window;
DepthwiseCases g_depthwise;

namespace {

void fill(int8_t *p, int32_t n) {
  for (int32_t i = 0; i < n; ++i) p[i] = static_cast<int8_t>(next());
}

void requant_params(int32_t channels) {
  for (int32_t c = 0; c < channels; ++c) {
    g_bias[c] = pick(-20000, 20000);
    g_mult[c] = (1 << 30) + static_cast<int32_t>(next() & 0x3FFFFFFF);
    g_shift[c] = pick(-12, 1);
  }
}

// w ([out_n][in_n]: FULLY_CONNECTED rows or a conv filter, g_weights unless given) into
// g_weights_m4 in the interleaved order of smdl_format.h (SOTTO_P_FC_WEIGHTS_INTERLEAVED), written
// out independently of the importer.
void interleave_rows(int32_t out_n, int32_t in_n, const int8_t *w = g_weights) {
  const int32_t body = in_n & ~3;
  int32_t n = 0, o = 0;
  for (; o + 4 <= out_n; o += 4) {
    for (int32_t k = 0; k < body; k += 4) {
      const int8_t *a = w + o * in_n + k, *b = a + in_n, *c = b + in_n, *d = c + in_n;
      const int8_t words[16] = {
          static_cast<int8_t>(a[0] + 128), b[0], static_cast<int8_t>(a[2] + 128), b[2],
          static_cast<int8_t>(a[1] + 128), b[1], static_cast<int8_t>(a[3] + 128), b[3],
          static_cast<int8_t>(c[0] + 128), d[0], static_cast<int8_t>(c[2] + 128), d[2],
          static_cast<int8_t>(c[1] + 128), d[1], static_cast<int8_t>(c[3] + 128), d[3]};
      for (int32_t i = 0; i < 16; ++i) g_weights_m4[n++] = words[i];
    }
    for (int32_t j = 0; j < 4; ++j) {
      for (int32_t k = body; k < in_n; ++k) g_weights_m4[n++] = w[(o + j) * in_n + k];
    }
  }
  for (int32_t k = o * in_n; k < out_n * in_n; ++k) g_weights_m4[n++] = w[k];
}

// g_weights' rows of `window` into g_padded as rows of `row`, the added weights 0.
void pad_rows(int32_t out_n, int32_t window, int32_t row) {
  memset(g_padded, 0, static_cast<size_t>(out_n * row));
  for (int32_t o = 0; o < out_n; ++o) memcpy(g_padded + o * row, g_weights + o * window, window);
}

// Random inputs and [out_n][in_n] weights; a wide case is sometimes all -128, the largest
// products, which wrap the M4 kernels' combined sums.
void fill_operands(uint32_t in_bytes, int32_t weights, bool wide) {
  fill(g_input, static_cast<int32_t>(in_bytes));
  fill(g_weights, weights);
  if (wide && (next() & 1)) {
    memset(g_input, 0x80, in_bytes);
    memset(g_weights, 0x80, static_cast<size_t>(weights));
  }
}

// g_folded: bias + input_offset * sum(row) of g_weights ([out_n][in_n], smdl_format.h).
void fold_bias(const int32_t *bias, int32_t input_offset, int32_t out_n, int32_t in_n) {
  for (int32_t o = 0; o < out_n; ++o) {
    int32_t sum = 0;
    for (int32_t k = 0; k < in_n; ++k) sum += g_weights[o * in_n + k];
    g_folded[o] = (bias ? bias[o] : 0) + input_offset * sum;
  }
}

// A cleared op record with no second input and random input and output offsets.
void start_op(sotto_smdl_op_t *op) {
  memset(op, 0, sizeof *op);
  op->input1 = SOTTO_SMDL_NO_TENSOR;
  op->params[SOTTO_P_INPUT_OFFSET] = pick(-127, 128);
  op->params[SOTTO_P_OUTPUT_OFFSET] = pick(-128, 127);
}

bool same(uint32_t bytes) {
  return memcmp(g_out_fast, g_out_ref, bytes) == 0;
}

// Op `op` (a CONV_2D, args `a`, whose reference output is in g_out_ref) again on its filter
// interleaved as the M4 importer stores it (SOTTO_SMDL_INTERLEAVED_WINDOW: rows padded to whole
// groups, the folded bias), through this build's kernel and through the reference's decoding of the
// layout; returns how many of the two differ from g_out_ref. Counts the case's paths in g_window.
uint32_t run_windowed(sotto_smdl_op_t *op, sotto_infer::KernelArgs *a, int32_t window) {
  using namespace sotto_infer;
  uint32_t wrong = 0;
  const int32_t out_c = a->output->dims[3];
  const int32_t row = static_cast<int32_t>(sotto_smdl_window_row(static_cast<uint32_t>(window)));
  pad_rows(out_c, window, row);
  interleave_rows(out_c, row, g_padded);
  fold_bias(a->bias, op->params[SOTTO_P_INPUT_OFFSET], out_c, window);
  a->folded_bias = g_folded;
  a->weights = g_weights_m4;
  op->params[SOTTO_P_FC_WEIGHTS_INTERLEAVED] = SOTTO_SMDL_INTERLEAVED_WINDOW;
  const int32_t pixels = a->output->dims[1] * a->output->dims[2];
  g_window.cases += 1;
  g_window.channel_groups += (a->input0->dims[3] & 3) == 0 ? 1 : 0;
  g_window.padded_rows += row != window ? 1 : 0;
  g_window.row_tails += (out_c & 3) != 0 ? 1 : 0;
  g_window.short_passes += (pixels & 3) != 0 ? 1 : 0;
  g_window.chunked += row > 256 ? 1 : 0;
  g_window.dilated += op->params[SOTTO_P_DILATION_H] != 1 ? 1 : 0;
  // The M4's assembly pass (pointwise_pass.h) takes the whole blocks of rows of a layer with the
  // whole int8 range as bounds, a filter row of one chunk (256) and right shifts (1..31).
  bool pass = op->params[SOTTO_P_ACT_MIN] == -128 && op->params[SOTTO_P_ACT_MAX] == 127 &&
              row <= 256 && out_c >= 4;
  for (int32_t c = 0; c < (out_c & ~3); ++c) pass = pass && g_shift[c] <= -1;
  g_window.assembly += pass ? 1 : 0;
  const KernelFn runs[2] = {kernel_for(SOTTO_OP_CONV_2D), reference::conv_2d};
  for (const KernelFn run : runs) {
    a->output_data = g_out_fast;
    memset(g_out_fast, 0x33, a->output->bytes);
    run(*a);
    if (!same(a->output->bytes)) ++wrong;
  }
  return wrong;
}

}  // namespace

uint32_t run_kernel_equivalence(uint32_t cases, uint32_t *checked) {
  using namespace sotto_infer;
  uint32_t mismatches = 0;
  *checked = 0;
  memset(&g_pointwise, 0, sizeof g_pointwise);
  memset(&g_window, 0, sizeof g_window);
  memset(&g_depthwise, 0, sizeof g_depthwise);
  memset(&g_fully_connected, 0, sizeof g_fully_connected);
  for (uint32_t n = 0; n < cases; ++n) {
    sotto_smdl_op_t op;
    start_op(&op);
    int32_t *p = op.params;
    p[SOTTO_P_ACT_MIN] = pick(-128, 0);
    p[SOTTO_P_ACT_MAX] = pick(0, 127);
    const int32_t kind = static_cast<int32_t>(n % 4);
    KernelArgs a;
    memset(&a, 0, sizeof a);
    a.op = &op;
    a.weights = g_weights;
    a.bias = (next() & 3) != 0 ? g_bias : nullptr;
    a.multiplier = g_mult;
    a.shift = g_shift;
    a.input0_data = g_input;
    sotto_smdl_tensor_t in, in1, out;
    int32_t window = 0;  // a windowed CONV_2D's kernel_h * kernel_w * in_c, else 0
    // Half the CONV_2D cases are pointwise with the filter interleaved as the M4 importer stores
    // it (the register-blocked kernel): any stride, channel and row counts not a multiple of 4,
    // pixel counts not a multiple of 4, and sometimes wide (several of its 256-input chunks) or
    // without scratch.
    const bool pointwise = kind == 0 && (next() & 1) != 0;
    if (pointwise) {
      const bool wide = (next() & 7) == 0;
      // Half the cases are steered into the M4's assembly pass (pointwise_pass.h): in_c a
      // multiple of 4 up to its one chunk, the whole int8 range, every shift a right shift.
      const bool assembly = (next() & 1) != 0;
      const int32_t stride = pick(1, 2);
      const int32_t in_c = assembly ? (wide ? 4 * pick(60, 64) : 4 * pick(1, 10))
                           : wide   ? pick(250, 600)
                                    : pick(1, 40);
      const int32_t out_c = wide ? pick(1, 13) : pick(1, 20);
      const int32_t in_h = wide ? pick(1, 2) : pick(1, 9), in_w = wide ? pick(1, 3) : pick(1, 9);
      p[SOTTO_P_KERNEL_H] = p[SOTTO_P_KERNEL_W] = 1;
      p[SOTTO_P_STRIDE_H] = p[SOTTO_P_STRIDE_W] = stride;
      p[SOTTO_P_DILATION_H] = p[SOTTO_P_DILATION_W] = 1;
      p[SOTTO_P_DEPTH_MULTIPLIER] = 1;
      in = shape(in_h, in_w, in_c);
      out = shape((in_h - 1) / stride + 1, (in_w - 1) / stride + 1, out_c);
      fill_operands(in.bytes, in_c * out_c, wide);
      requant_params(out_c);
      if (next() & 1) {
        for (int32_t c = 0; c < out_c; ++c) g_shift[c] = pick(-12, -2);
      }
      for (int32_t c = 0; wide && c < out_c; ++c) g_shift[c] = pick(-22, -12);
      if (next() & 1) {
        p[SOTTO_P_ACT_MIN] = -128;
        p[SOTTO_P_ACT_MAX] = 127;
      }
      // The assembly pass's channels: any right shift; some dead (multiplier 0, as TFLite
      // stores a zero scale, with vww's biases of +-2^30) or, except on the plain pass, near-dead
      // (shifts -24..-28 with biases up to 2^30, so that the offset goes after the shift); half
      // the layers with the output offset at -128, whose negative results clamp away (its plain
      // pass).
      bool plain = false, unbounded = false;
      if (assembly) {
        p[SOTTO_P_ACT_MIN] = -128;
        p[SOTTO_P_ACT_MAX] = 127;
        plain = (next() & 1) != 0;
        if (plain) p[SOTTO_P_OUTPUT_OFFSET] = -128;
        for (int32_t c = 0; c < out_c; ++c) {
          const uint32_t draw = next() & 7;
          g_shift[c] = pick(wide ? -21 : -14, -1);  // r <= 21: the plain stage's reach
          if (draw == 0) {
            g_mult[c] = 0;
            g_shift[c] = 0;
            g_bias[c] = (next() & 1) ? 1 << 30 : -(1 << 30);
          } else if (draw == 1 && !plain) {
            g_shift[c] = pick(-28, -24);
            g_bias[c] = pick(-(1 << 30), 1 << 30);
          } else if (draw == 1 && c == 0) {
            // A live channel whose sums may reach 2^30, which the plain stage doubles: the
            // layer takes the general stage instead.
            g_bias[c] = g_bias[c] < 0 ? -(1 << 30) : (1 << 30) - 1;
            unbounded = true;
          }
        }
      }
      const bool scratch = (next() & 7) != 0;
      op.scratch_bytes = scratch ? sizeof g_scratch : 0;
      a.scratch = scratch ? g_scratch : nullptr;
      fold_bias(a.bias, p[SOTTO_P_INPUT_OFFSET], out_c, in_c);
      a.folded_bias = g_folded;
      interleave_rows(out_c, in_c);
      const int32_t pixels = out.dims[1] * out.dims[2];
      g_pointwise.cases += 1;
      g_pointwise.channel_tails += (in_c & 3) != 0 ? 1 : 0;
      g_pointwise.row_tails += (out_c & 3) != 0 ? 1 : 0;
      g_pointwise.short_passes += (pixels & 3) != 0 ? 1 : 0;
      g_pointwise.chunked += in_c > 256 ? 1 : 0;
      g_pointwise.without_scratch += scratch ? 0 : 1;
      const bool pass = assembly && scratch && out_c >= 4;
      g_pointwise.assembly += pass ? 1 : 0;
      g_pointwise.assembly_plain += pass && plain && !unbounded ? 1 : 0;
      g_pointwise.assembly_unbounded += pass && unbounded ? 1 : 0;
      g_pointwise.assembly_single += pass && (pixels & 3) != 0 ? 1 : 0;
      g_pointwise.assembly_stride1 +=
          pass && stride == 1 && (out_c & 3) == 0 && pixels >= 4 ? 1 : 0;
    } else if (kind == 0 || kind == 1) {  // CONV_2D, DEPTHWISE_CONV_2D
      // Half the depthwise cases have MobileNet's shape (3x3, dilation 1, channels a multiple
      // of 4), which the M4 kernel unrolls for interior pixels.
      const bool mobilenet = kind == 1 && (next() & 1) != 0;
      const int32_t k_h = mobilenet ? 3 : pick(1, 4), k_w = mobilenet ? 3 : pick(1, 4);
      const int32_t stride = pick(1, 2), dil = mobilenet ? 1 : pick(1, 2);
      const int32_t in_h = pick(k_h, 9), in_w = pick(k_w, 9);
      const int32_t in_c = kind == 0   ? pick(1, 20)
                           : mobilenet ? 4 * pick(1, 6)
                                       : 4 * pick(1, 6) - (next() & 1 ? 0 : 1);
      const int32_t out_c = kind == 0 ? pick(1, 9) : in_c;
      p[SOTTO_P_KERNEL_H] = k_h;
      p[SOTTO_P_KERNEL_W] = k_w;
      p[SOTTO_P_STRIDE_H] = p[SOTTO_P_STRIDE_W] = stride;
      p[SOTTO_P_DILATION_H] = p[SOTTO_P_DILATION_W] = dil;
      p[SOTTO_P_PAD_H] = pick(0, k_h - 1);
      p[SOTTO_P_PAD_W] = pick(0, k_w - 1);
      p[SOTTO_P_DEPTH_MULTIPLIER] = 1;
      const int32_t out_h = (in_h + 2 * p[SOTTO_P_PAD_H] - dil * (k_h - 1) - 1) / stride + 1;
      const int32_t out_w = (in_w + 2 * p[SOTTO_P_PAD_W] - dil * (k_w - 1) - 1) / stride + 1;
      if (out_h < 1 || out_w < 1) continue;
      in = shape(in_h, in_w, in_c);
      out = shape(out_h, out_w, out_c);
      fill(g_input, static_cast<int32_t>(in.bytes));
      fill(g_weights, k_h * k_w * in_c * (kind == 0 ? out_c : 1));
      requant_params(out_c);
      // Half the cases take the M4 kernels' shortest output stage (every shift <= -2, the whole
      // int8 range as activation bounds), which the random draws above would almost never pick.
      if (next() & 1) {
        for (int32_t c = 0; c < out_c; ++c) g_shift[c] = pick(-12, -2);
      }
      if (next() & 1) {
        p[SOTTO_P_ACT_MIN] = -128;
        p[SOTTO_P_ACT_MAX] = 127;
      }
      // Depthwise cases on the M4 kernel's paths: some channels scaled below its short output
      // stage (shifts -22..-31, MobileNet's near-dead channels; a large bias keeps their outputs
      // off the zero point), or a bias too large for that stage.
      if (kind == 1 && (next() & 3) == 0) {
        for (int32_t c = 0; c < out_c; c += pick(1, 3)) {
          g_shift[c] = pick(-31, -22);
          g_bias[c] = pick(-(1 << 29), 1 << 29);
        }
      }
      if (kind == 1 && (next() & 7) == 0) g_bias[pick(0, out_c - 1)] = pick(-(1 << 30), 1 << 30);
      if (kind == 1 && (in_c & 3) == 0) {
        g_depthwise.cases += 1;
        g_depthwise.narrow_bounds +=
            p[SOTTO_P_ACT_MIN] != -128 || p[SOTTO_P_ACT_MAX] != 127 ? 1 : 0;
        g_depthwise.unrolled += mobilenet ? 1 : 0;
        g_depthwise.strided += mobilenet && stride == 2 ? 1 : 0;
        for (int32_t c = 0; c < out_c; ++c) {
          if (g_shift[c] < -21) {
            g_depthwise.deep_shifts += 1;
            break;
          }
        }
      }
      op.scratch_bytes = sizeof g_scratch;
      a.scratch = g_scratch;
      if (kind == 0) window = k_h * k_w * in_c;
    } else if (kind == 2) {  // FULLY_CONNECTED, raw inputs with the folded bias
      // Every fourth case is wide (250..700 inputs: from 508 on, two of the M4 kernel's chunks).
      const bool wide = (next() & 3) == 0;
      const int32_t rows = wide ? 1 : pick(1, 3), in_n = wide ? pick(250, 700) : pick(1, 70);
      const int32_t out_n = pick(1, 11);
      in = shape(1, rows, in_n);
      out = shape(1, rows, out_n);
      fill_operands(in.bytes, in_n * out_n, wide);
      requant_params(out_n);
      // Wide sums need deeper scaling, or every output would clamp and hide a wrong sum.
      for (int32_t c = 0; wide && c < out_n; ++c) g_shift[c] = pick(-22, -12);
      op.multiplier_count = (next() & 1) ? static_cast<uint32_t>(out_n) : 1;
      // The M4 kernel's paths: the whole int8 range as bounds, a per-tensor multiplier below
      // 2^30 (its short output stage needs 2^30 and up), biases of 2^30 and more (sums whose
      // doubling saturates in that stage).
      const uint32_t draw = g_fc_random.next();
      if ((draw & 1) != 0) {
        p[SOTTO_P_ACT_MIN] = -128;
        p[SOTTO_P_ACT_MAX] = 127;
      }
      if ((draw & 6) == 0) g_mult[0] = (1 << 29) + static_cast<int32_t>(draw >> 4);
      const bool huge_bias = (draw & 24) == 0;
      if (huge_bias) {
        a.bias = g_bias;
        for (int32_t c = 0; c < out_n; c += 2) {
          g_bias[c] = ((draw >> 5) & 1) != 0 ? (1 << 30) + g_fc_random.pick(0, 1 << 29)
                                             : -(1 << 30) - g_fc_random.pick(0, 1 << 29);
        }
      }
      const bool short_stage = op.multiplier_count == 1 && g_mult[0] >= (1 << 30) &&
                               g_shift[0] >= -21 && g_shift[0] <= -1;
      g_fully_connected.cases += 1;
      g_fully_connected.short_stage += short_stage && out_n >= 4 ? 1 : 0;
      g_fully_connected.saturating += short_stage && out_n >= 4 && huge_bias ? 1 : 0;
      g_fully_connected.tails += (in_n & 3) != 0 && out_n >= 4 ? 1 : 0;
      g_fully_connected.chunked += in_n >= 504 + 4 && out_n >= 4 ? 1 : 0;
      fold_bias(a.bias, p[SOTTO_P_INPUT_OFFSET], out_n, in_n);
      a.folded_bias = g_folded;
      interleave_rows(out_n, in_n);
    } else {  // ADD, same shape or broadcast
      const int32_t c = pick(1, 40), hw = pick(1, 30);
      out = shape(1, hw, c);
      in = out;
      in1 = (next() & 1) ? out : shape(1, 1, (next() & 1) ? c : 1);
      fill(g_input, static_cast<int32_t>(in.bytes));
      fill(g_input1, static_cast<int32_t>(in1.bytes));
      for (int32_t i = 0; i < 9; ++i) p[i] = 0;
      // TFLite's left shift (20) in half the cases, any the loader admits in the others.
      const int32_t left_shift = (next() & 1) ? 20 : pick(0, 19);
      p[SOTTO_P_ADD_LEFT_SHIFT] = left_shift;
      p[SOTTO_P_ADD_INPUT1_OFFSET] = pick(-127, 128);
      p[SOTTO_P_ADD_INPUT2_OFFSET] = pick(-127, 128);
      p[SOTTO_P_ADD_INPUT1_MULT] = (1 << 30) + static_cast<int32_t>(next() & 0x3FFFFFFF);
      p[SOTTO_P_ADD_INPUT2_MULT] = (1 << 30) + static_cast<int32_t>(next() & 0x3FFFFFFF);
      p[SOTTO_P_ADD_INPUT1_SHIFT] = pick(-3, 0);
      p[SOTTO_P_ADD_INPUT2_SHIFT] = pick(-3, 0);
      // TFLite's scaling (most cases): the larger-scale input is one half (2^30, shift 0), which
      // the M4 kernel folds; sometimes both are.
      const int32_t half = pick(0, 3);
      if (half == 1 || half == 3) {
        p[SOTTO_P_ADD_INPUT1_MULT] = 1 << 30;
        p[SOTTO_P_ADD_INPUT1_SHIFT] = 0;
      }
      if (half == 2 || half == 3) {
        p[SOTTO_P_ADD_INPUT2_MULT] = 1 << 30;
        p[SOTTO_P_ADD_INPUT2_SHIFT] = 0;
      }
      p[SOTTO_P_ADD_OUTPUT_MULT] = (1 << 30) + static_cast<int32_t>(next() & 0x3FFFFFFF);
      // Output shift near -left_shift, so results span int8 without saturating; small left
      // shifts give small right shifts, where ties (half-away rounding of negatives) are common.
      const int32_t right_shift = left_shift + pick(-2, 2);
      p[SOTTO_P_ADD_OUTPUT_SHIFT] = right_shift < 1 ? -1 : -right_shift;
      // Activation bounds: random, a fused ReLU (negative results need no rounding on the M4),
      // or none (the whole int8 range, one SSAT on the M4).
      const uint32_t bounds = next() % 3;
      // (A fused ReLU's act_min above the drawn act_max would be bounds the loader refuses.)
      if (bounds == 1) {
        p[SOTTO_P_ACT_MIN] = p[SOTTO_P_OUTPUT_OFFSET];
        if (p[SOTTO_P_ACT_MAX] < p[SOTTO_P_ACT_MIN]) p[SOTTO_P_ACT_MAX] = 127;
      }
      if (bounds == 2) {
        p[SOTTO_P_ACT_MIN] = -128;
        p[SOTTO_P_ACT_MAX] = 127;
      }
      a.input1 = &in1;
      a.input1_data = g_input1;
    }
    a.input0 = &in;
    a.output = &out;
    a.output_data = g_out_fast;
    memset(g_out_fast, 0x11, out.bytes);
    memset(g_out_ref, 0x22, out.bytes);
    static const uint32_t kKinds[4] = {SOTTO_OP_CONV_2D, SOTTO_OP_DEPTHWISE_CONV_2D,
                                       SOTTO_OP_FULLY_CONNECTED, SOTTO_OP_ADD};
    static const KernelFn kReference[4] = {reference::conv_2d, reference::depthwise_conv_2d,
                                           reference::fully_connected, reference::add};
    // FULLY_CONNECTED and pointwise CONV_2D: this build's kernel on the Cortex-M4 layout, the
    // reference on plain rows.
    const bool interleave = kind == 2 || pointwise;
    if (interleave) {
      a.weights = g_weights_m4;
      p[SOTTO_P_FC_WEIGHTS_INTERLEAVED] = 1;
    }
    kernel_for(kKinds[kind])(a);  // the kernel this build runs for the op
    if (interleave) {
      a.weights = g_weights;
      p[SOTTO_P_FC_WEIGHTS_INTERLEAVED] = 0;
    }
    a.output_data = g_out_ref;
    kReference[kind](a);
    ++*checked;
    if (!same(out.bytes)) {
      ++mismatches;
      g_kind_mismatches[kind]++;
    }
    // Every windowed CONV_2D again on its filter interleaved as the M4 importer stores it. (No
    // random draws there: the cases after it stay the same.)
    if (window != 0) {
      const uint32_t wrong = run_windowed(&op, &a, window);
      mismatches += wrong;
      g_kind_mismatches[0] += wrong;
      ++*checked;
    }
  }
  // Windowed CONV_2D cases over several of the M4 kernel's 256-input chunks, sometimes with the
  // largest products (all -128), which the random shapes above seldom reach.
  for (uint32_t n = 0; n < 24; ++n) {
    sotto_smdl_op_t op;
    start_op(&op);
    int32_t *p = op.params;
    p[SOTTO_P_ACT_MIN] = -128;
    p[SOTTO_P_ACT_MAX] = 127;
    const int32_t k = pick(2, 3), stride = pick(1, 2), in_c = pick(30, 64), out_c = pick(1, 9);
    const int32_t in_h = pick(k, 5), in_w = pick(k, 5);
    p[SOTTO_P_KERNEL_H] = p[SOTTO_P_KERNEL_W] = k;
    p[SOTTO_P_STRIDE_H] = p[SOTTO_P_STRIDE_W] = stride;
    p[SOTTO_P_DILATION_H] = p[SOTTO_P_DILATION_W] = 1;
    p[SOTTO_P_PAD_H] = p[SOTTO_P_PAD_W] = pick(0, k - 1);
    p[SOTTO_P_DEPTH_MULTIPLIER] = 1;
    const sotto_smdl_tensor_t in = shape(in_h, in_w, in_c);
    const sotto_smdl_tensor_t out = shape((in_h + 2 * p[SOTTO_P_PAD_H] - k) / stride + 1,
                                          (in_w + 2 * p[SOTTO_P_PAD_W] - k) / stride + 1, out_c);
    fill_operands(in.bytes, k * k * in_c * out_c, true);
    requant_params(out_c);
    for (int32_t c = 0; c < out_c; ++c) g_shift[c] = pick(-22, -12);
    KernelArgs a;
    memset(&a, 0, sizeof a);
    a.op = &op;
    a.input0 = &in;
    a.output = &out;
    a.input0_data = g_input;
    a.weights = g_weights;
    a.bias = (next() & 3) != 0 ? g_bias : nullptr;
    a.multiplier = g_mult;
    a.shift = g_shift;
    op.scratch_bytes = sizeof g_scratch;
    a.scratch = g_scratch;
    a.output_data = g_out_ref;
    reference::conv_2d(a);
    const uint32_t wrong = run_windowed(&op, &a, k * k * in_c);
    mismatches += wrong;
    g_kind_mismatches[0] += wrong;
    ++*checked;
  }
  return mismatches;
}
