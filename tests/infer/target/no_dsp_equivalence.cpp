// On-target check of the no-dsp kernels (kernels/no-dsp, RV32 and Cortex-M0) against the
// reference, bit for bit, on random CONV_2D and DEPTHWISE_CONV_2D shapes steered through each of
// their paths: interior pixels (the folded bias, raw products) and pixels at every border,
// undilated rows (one run of kernel_w * in_c) and dilated columns (one run per tap), runs with
// and without a tail after the four-MAC passes, pointwise filters, depth multipliers above 1, a
// window of 272 taps, input offsets 0 and not, no bias, and outputs placed over their inputs as
// close as the planner's in-place rule allows (the kernels must write pixels in order). Small
// buffers: the image fits the nRF51's 16 KB of RAM. Prints the cases and how many took each path,
// and exits 0 only when nothing differed and every path count is the one these fixed draws give on
// every target.
#include <stdint.h>
#include <string.h>

#include "../kernel_test_util.h"
#include "op_registry.h"
#include "sotto/port_target.h"
#include "write_int.h"
#include "xorshift.h"

namespace {

using sotto_test::shape;

sotto_test::Xorshift32 g_random = {0x2545F491u};

alignas(4) int8_t g_input[1536];
alignas(4) int8_t g_weights[2048];
alignas(4) int8_t g_out_fast[1024];
alignas(4) int8_t g_out_ref[1024];
alignas(4) int8_t g_in_place[1536 + 1024];  // an input and the output planned over it
int32_t g_bias[32], g_mult[32], g_shift[32];

// What the draws steered through (the kernels' own decisions, recomputed here).
struct Paths {
  uint32_t conv, depthwise, interior, border, run_tails, dilated, pointwise, multiplier, over_taps,
      zero_offset, no_bias, in_place;
};

void fill(int8_t *p, int32_t n) {
  for (int32_t i = 0; i < n; ++i) p[i] = static_cast<int8_t>(g_random.next());
}

// Interior and border output pixels of the window (the kernels' test: all taps inside).
void count_pixels(const int32_t *p, const sotto_smdl_tensor_t &in, const sotto_smdl_tensor_t &out,
                  Paths *paths) {
  for (int32_t oy = 0; oy < out.dims[1]; ++oy) {
    const int32_t y0 = oy * p[SOTTO_P_STRIDE_H] - p[SOTTO_P_PAD_H];
    const int32_t y1 = y0 + p[SOTTO_P_DILATION_H] * (p[SOTTO_P_KERNEL_H] - 1);
    for (int32_t ox = 0; ox < out.dims[2]; ++ox) {
      const int32_t x0 = ox * p[SOTTO_P_STRIDE_W] - p[SOTTO_P_PAD_W];
      const int32_t x1 = x0 + p[SOTTO_P_DILATION_W] * (p[SOTTO_P_KERNEL_W] - 1);
      const bool inside = y0 >= 0 && y1 < in.dims[1] && x0 >= 0 && x1 < in.dims[2];
      (inside ? paths->interior : paths->border) += 1;
    }
  }
}

// The least offset(input) - offset(output) the planner allows for an output over the input
// (gateway/model/in_place.cpp, written out again): output pixel u's bytes end at or before the
// first input byte any pixel from u on reads.
int32_t in_place_distance(const int32_t *p, const sotto_smdl_tensor_t &in,
                          const sotto_smdl_tensor_t &out) {
  int32_t distance = INT32_MIN, need_from = INT32_MAX;
  for (int32_t u = out.dims[1] * out.dims[2] - 1; u >= 0; --u) {
    const int32_t oy = u / out.dims[2], ox = u % out.dims[2];
    int32_t iy = -1, ix = -1;
    for (int32_t k = 0; k < p[SOTTO_P_KERNEL_H] && iy < 0; ++k) {
      const int32_t y = oy * p[SOTTO_P_STRIDE_H] - p[SOTTO_P_PAD_H] + p[SOTTO_P_DILATION_H] * k;
      if (y >= 0 && y < in.dims[1]) iy = y;
    }
    for (int32_t k = 0; k < p[SOTTO_P_KERNEL_W] && ix < 0; ++k) {
      const int32_t x = ox * p[SOTTO_P_STRIDE_W] - p[SOTTO_P_PAD_W] + p[SOTTO_P_DILATION_W] * k;
      if (x >= 0 && x < in.dims[2]) ix = x;
    }
    if (iy >= 0 && ix >= 0 && (iy * in.dims[2] + ix) * in.dims[3] < need_from) {
      need_from = (iy * in.dims[2] + ix) * in.dims[3];
    }
    if (need_from != INT32_MAX && (u + 1) * out.dims[3] - need_from > distance) {
      distance = (u + 1) * out.dims[3] - need_from;
    }
  }
  return distance == INT32_MIN ? 0 : distance;
}

void write_count(const char *name, uint32_t v) {
  sotto_port_write(name);
  sotto_test_write_int(v);
}

}  // namespace

extern "C" int main(void) {
  using namespace sotto_infer;
  Paths paths;
  memset(&paths, 0, sizeof paths);
  uint32_t checked = 0, mismatches = 0;
  for (uint32_t n = 0; n < 400; ++n) {
    sotto_smdl_op_t op;
    memset(&op, 0, sizeof op);
    op.input1 = SOTTO_SMDL_NO_TENSOR;
    int32_t *p = op.params;
    const bool depthwise = (n & 1) != 0;
    const bool zero_offset = (g_random.next() & 7) == 0;
    p[SOTTO_P_INPUT_OFFSET] = zero_offset ? 0 : g_random.pick(-127, 128);
    p[SOTTO_P_OUTPUT_OFFSET] = g_random.pick(-128, 127);
    p[SOTTO_P_ACT_MIN] = (g_random.next() & 1) ? -128 : g_random.pick(-128, 0);
    p[SOTTO_P_ACT_MAX] = (g_random.next() & 1) ? 127 : g_random.pick(0, 127);
    // One case in 8 a pointwise filter, one depthwise case in 16 a 17x16 window (272 taps).
    const bool pointwise = !depthwise && (g_random.next() & 7) == 0;
    const bool over_taps = depthwise && (g_random.next() & 15) == 0;
    const int32_t k_h = pointwise ? 1 : over_taps ? 17 : g_random.pick(1, 5);
    const int32_t k_w = pointwise ? 1 : over_taps ? 16 : g_random.pick(1, 5);
    const int32_t d_h = pointwise || over_taps ? 1 : g_random.pick(1, 2);
    const int32_t d_w = pointwise || over_taps ? 1 : g_random.pick(1, 2);
    const int32_t stride = g_random.pick(1, 2);
    const int32_t mult = depthwise && !over_taps ? g_random.pick(1, 3) : 1;
    const int32_t in_c = over_taps ? 1 : depthwise ? g_random.pick(1, 7) : g_random.pick(1, 13);
    const int32_t out_c = depthwise ? in_c * mult : g_random.pick(1, 9);
    const int32_t in_h = g_random.pick(d_h * (k_h - 1) + 1, d_h * (k_h - 1) + 8);
    const int32_t in_w = g_random.pick(d_w * (k_w - 1) + 1, d_w * (k_w - 1) + 8);
    p[SOTTO_P_KERNEL_H] = k_h;
    p[SOTTO_P_KERNEL_W] = k_w;
    p[SOTTO_P_STRIDE_H] = p[SOTTO_P_STRIDE_W] = stride;
    p[SOTTO_P_DILATION_H] = d_h;
    p[SOTTO_P_DILATION_W] = d_w;
    p[SOTTO_P_PAD_H] = pointwise ? 0 : g_random.pick(0, k_h - 1);
    p[SOTTO_P_PAD_W] = pointwise ? 0 : g_random.pick(0, k_w - 1);
    p[SOTTO_P_DEPTH_MULTIPLIER] = mult;
    const int32_t out_h = (in_h + 2 * p[SOTTO_P_PAD_H] - d_h * (k_h - 1) - 1) / stride + 1;
    const int32_t out_w = (in_w + 2 * p[SOTTO_P_PAD_W] - d_w * (k_w - 1) - 1) / stride + 1;
    const sotto_smdl_tensor_t in = shape(in_h, in_w, in_c), out = shape(out_h, out_w, out_c);
    const int32_t weights = k_h * k_w * (depthwise ? out_c : in_c * out_c);
    if (in.bytes > sizeof g_input || out.bytes > sizeof g_out_fast ||
        weights > static_cast<int32_t>(sizeof g_weights)) {
      continue;
    }
    fill(g_input, static_cast<int32_t>(in.bytes));
    fill(g_weights, weights);
    for (int32_t c = 0; c < out_c; ++c) {
      g_bias[c] = g_random.pick(-20000, 20000);
      g_mult[c] = (1 << 30) + static_cast<int32_t>(g_random.next() & 0x3FFFFFFF);
      g_shift[c] = g_random.pick(-12, -2);
    }
    KernelArgs a;
    memset(&a, 0, sizeof a);
    a.op = &op;
    a.input0 = &in;
    a.output = &out;
    a.input0_data = g_input;
    a.weights = g_weights;
    const bool no_bias = (g_random.next() & 3) == 0;
    a.bias = no_bias ? nullptr : g_bias;
    a.multiplier = g_mult;
    a.shift = g_shift;
    const uint32_t kind = depthwise ? SOTTO_OP_DEPTHWISE_CONV_2D : SOTTO_OP_CONV_2D;
    memset(g_out_fast, 0x11, out.bytes);
    memset(g_out_ref, 0x22, out.bytes);
    a.output_data = g_out_ref;
    (depthwise ? reference::depthwise_conv_2d : reference::conv_2d)(a);
    // One case in four with the output over its input, as close as the planner may put it.
    const int32_t distance = in_place_distance(p, in, out);
    const bool in_place = (g_random.next() & 3) == 0 && (distance > 0 ? distance : 0) + in.bytes <=
                                                            static_cast<int32_t>(sizeof g_in_place);
    int8_t *fast = g_out_fast;
    if (in_place) {
      const int32_t in_at = distance > 0 ? distance : 0;
      memcpy(g_in_place + in_at, g_input, in.bytes);
      a.input0_data = g_in_place + in_at;
      fast = g_in_place + in_at - distance;
    }
    a.output_data = fast;
    kernel_for(kind)(a);  // this build's kernel: no-dsp on RV32 and the Cortex-M0
    ++checked;
    if (memcmp(fast, g_out_ref, out.bytes) != 0) ++mismatches;
    paths.in_place += in_place ? 1 : 0;
    (depthwise ? paths.depthwise : paths.conv) += 1;
    count_pixels(p, in, out, &paths);
    const int32_t run = depthwise ? k_w : d_w == 1 ? k_w * in_c : in_c;
    paths.run_tails += (run & 3) != 0 && run > 4 ? 1 : 0;
    paths.dilated += d_w > 1 ? 1 : 0;
    paths.pointwise += pointwise ? 1 : 0;
    paths.multiplier += mult > 1 ? 1 : 0;
    paths.over_taps += over_taps ? 1 : 0;
    paths.zero_offset += zero_offset ? 1 : 0;
    paths.no_bias += no_bias ? 1 : 0;
  }
  write_count("no-dsp cases ", checked);
  write_count(" mismatches ", mismatches);
  const uint32_t counts[12] = {paths.conv,        paths.depthwise,  paths.interior,
                               paths.border,      paths.run_tails,  paths.dilated,
                               paths.pointwise,   paths.multiplier, paths.over_taps,
                               paths.zero_offset, paths.no_bias,    paths.in_place};
  static const char *const kNames[12] = {
      " (conv ",    ", depthwise ", ", interior pixels ", ", border pixels ",   ", runs with tail ",
      ", dilated ", ", pointwise ", ", multiplier ",      ", 272-tap windows ", ", offset 0 ",
      ", no bias ", ", in place "};
  for (int k = 0; k < 12; ++k) write_count(kNames[k], counts[k]);
  sotto_port_write(")\n");
  static const uint32_t kExpected[12] = {193, 192, 5244, 8806, 125, 197, 24, 116, 13, 46, 97, 98};
  const bool paths_ok = memcmp(counts, kExpected, sizeof counts) == 0;
  if (!paths_ok) sotto_port_write("PATHS differ from the counts these draws give\n");
  return mismatches == 0 && paths_ok ? 0 : 1;
}
