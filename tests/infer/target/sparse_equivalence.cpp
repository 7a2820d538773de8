// Sparse == dense on random shapes: FULLY_CONNECTED (with and without the folded bias that the
// Cortex-M4 sparse kernel reads) and CONV_2D (1x1 and general windows, padding, strides,
// dilation, in_c not a multiple of 4). The encoding is written here, independently of the
// importer, from smdl_format.h's description.
#include "sparse_equivalence.h"

#include <string.h>

#include "../kernel_test_util.h"
#include "op_registry.h"
#include "xorshift.h"

namespace {

using sotto_test::shape;

sotto_test::Xorshift32 g_random = {0x2545F491u};

alignas(4) int8_t g_input[2048];
alignas(4) int8_t g_dense[8192];
alignas(4) uint8_t g_sparse[8192 + 2048];
alignas(4) int8_t g_out_sparse[1024];
alignas(4) int8_t g_out_dense[1024];
int32_t g_bias[32], g_folded[32], g_mult[32], g_shift[32];

void fill(const sotto_smdl_tensor_t &t) {
  for (uint32_t i = 0; i < t.bytes; ++i) g_input[i] = static_cast<int8_t>(g_random.next());
}

// Random weights [rows][groups][run]; each 1x4 block of a run zeroed with probability
// zero_percent, whole rows with probability 1/8.
void fill_weights(int32_t rows, int32_t groups, int32_t run, uint32_t zero_percent) {
  for (int32_t r = 0; r < rows; ++r) {
    const bool row_zero = (g_random.next() & 7) == 0;
    for (int32_t g = 0; g < groups; ++g) {
      for (int32_t k = 0; k < run; k += 4) {
        const bool zero = row_zero || g_random.next() % 100 < zero_percent;
        for (int32_t j = k; j < k + 4 && j < run; ++j) {
          int8_t v = static_cast<int8_t>(g_random.next());
          if (v == -128) v = -127;  // TFLite's symmetric weights
          g_dense[(r * groups + g) * run + j] = static_cast<int8_t>(zero ? 0 : v);
        }
      }
    }
  }
}

// smdl_format.h: per row ceil(groups * ceil(run / 4) / 8) bitmap bytes, the bitmap padded to 4,
// then 4 bytes per stored block (a short one padded with zeros). Returns the bytes written.
uint32_t encode(int32_t rows, int32_t groups, int32_t run) {
  const int32_t per_run = (run + 3) / 4;
  const int32_t row_bytes = (groups * per_run + 7) / 8;
  const int32_t bitmap = (rows * row_bytes + 3) / 4 * 4;
  memset(g_sparse, 0, static_cast<size_t>(bitmap));
  uint32_t n = static_cast<uint32_t>(bitmap);
  for (int32_t r = 0; r < rows; ++r) {
    for (int32_t b = 0; b < groups * per_run; ++b) {
      const int32_t g = b / per_run, k = (b % per_run) * 4;
      const int8_t *w = &g_dense[(r * groups + g) * run + k];
      const int32_t len = run - k < 4 ? run - k : 4;
      bool any = false;
      for (int32_t j = 0; j < len; ++j) any = any || w[j] != 0;
      if (!any) continue;
      g_sparse[r * row_bytes + b / 8] |= static_cast<uint8_t>(1u << (b % 8));
      for (int32_t j = 0; j < 4; ++j) g_sparse[n++] = j < len ? static_cast<uint8_t>(w[j]) : 0;
    }
  }
  return n;
}

void requant_params(int32_t channels, int32_t lo_shift, int32_t hi_shift) {
  for (int32_t c = 0; c < channels; ++c) {
    g_bias[c] = g_random.pick(-20000, 20000);
    g_mult[c] = (1 << 30) + static_cast<int32_t>(g_random.next() & 0x3FFFFFFF);
    g_shift[c] = g_random.pick(lo_shift, hi_shift);
  }
}

uint32_t zero_percent() {  // mostly about half, sometimes none or all
  const uint32_t r = g_random.next() % 8;
  return r == 0 ? 0 : r == 1 ? 100 : 50;
}

}  // namespace

uint32_t run_sparse_equivalence(uint32_t cases, uint32_t *checked, uint32_t *fully_connected,
                                uint32_t *conv) {
  using namespace sotto_infer;
  uint32_t mismatches = 0;
  *checked = *fully_connected = *conv = 0;
  for (uint32_t n = 0; n < cases; ++n) {
    sotto_smdl_op_t op;
    memset(&op, 0, sizeof op);
    op.input1 = SOTTO_SMDL_NO_TENSOR;
    int32_t *p = op.params;
    p[SOTTO_P_INPUT_OFFSET] = g_random.pick(-127, 128);
    p[SOTTO_P_OUTPUT_OFFSET] = g_random.pick(-128, 127);
    p[SOTTO_P_ACT_MIN] = (g_random.next() & 1) ? -128 : g_random.pick(-128, 0);
    p[SOTTO_P_ACT_MAX] = (g_random.next() & 1) ? 127 : g_random.pick(0, 127);
    KernelArgs a;
    memset(&a, 0, sizeof a);
    a.op = &op;
    a.bias = (g_random.next() & 3) != 0 ? g_bias : nullptr;
    a.multiplier = g_mult;
    a.shift = g_shift;
    a.input0_data = g_input;
    sotto_smdl_tensor_t in, out;
    const bool is_conv = (n & 1) != 0;
    int32_t rows = 0, groups = 1, run = 0;
    if (is_conv) {
      const bool pointwise = (g_random.next() & 1) != 0;
      const int32_t k_h = pointwise ? 1 : g_random.pick(1, 3),
                    k_w = pointwise ? 1 : g_random.pick(1, 3);
      const int32_t stride = g_random.pick(1, 2), dil = pointwise ? 1 : g_random.pick(1, 2);
      const int32_t in_h = g_random.pick(k_h, 6), in_w = g_random.pick(k_w, 6),
                    in_c = g_random.pick(1, 24);
      const int32_t out_c = g_random.pick(1, 12);
      p[SOTTO_P_KERNEL_H] = k_h;
      p[SOTTO_P_KERNEL_W] = k_w;
      p[SOTTO_P_STRIDE_H] = p[SOTTO_P_STRIDE_W] = stride;
      p[SOTTO_P_DILATION_H] = p[SOTTO_P_DILATION_W] = dil;
      p[SOTTO_P_PAD_H] = g_random.pick(0, k_h - 1);
      p[SOTTO_P_PAD_W] = g_random.pick(0, k_w - 1);
      p[SOTTO_P_DEPTH_MULTIPLIER] = 1;
      const int32_t out_h = (in_h + 2 * p[SOTTO_P_PAD_H] - dil * (k_h - 1) - 1) / stride + 1;
      const int32_t out_w = (in_w + 2 * p[SOTTO_P_PAD_W] - dil * (k_w - 1) - 1) / stride + 1;
      if (out_h < 1 || out_w < 1) continue;
      in = shape(in_h, in_w, in_c);
      out = shape(out_h, out_w, out_c);
      rows = out_c;
      groups = k_h * k_w;
      run = in_c;
      requant_params(out_c, -12, 1);
      op.multiplier_count = static_cast<uint32_t>(out_c);
    } else {
      const int32_t batch = g_random.pick(1, 3);
      run = (g_random.next() & 3) == 0 ? g_random.pick(100, 400) : g_random.pick(1, 70);
      rows = g_random.pick(1, 20);
      in = shape(1, batch, run);
      out = shape(1, batch, rows);
      requant_params(rows, run > 70 ? -16 : -12, run > 70 ? -8 : 1);
      op.multiplier_count = (g_random.next() & 1) ? static_cast<uint32_t>(rows) : 1;
    }
    fill(in);
    fill_weights(rows, groups, run, zero_percent());
    const uint32_t sparse_bytes = encode(rows, groups, run);
    const int32_t depth = groups * run;
    if (!is_conv &&
        (g_random.next() & 1) != 0) {  // the folded bias the importer writes for sparse FC
      for (int32_t o = 0; o < rows; ++o) {
        int32_t sum = 0;
        for (int32_t k = 0; k < depth; ++k) sum += g_dense[o * depth + k];
        g_folded[o] = (a.bias ? a.bias[o] : 0) + p[SOTTO_P_INPUT_OFFSET] * sum;
      }
      a.folded_bias = g_folded;
    }
    a.input0 = &in;
    a.output = &out;
    memset(g_out_sparse, 0x11, out.bytes);
    memset(g_out_dense, 0x22, out.bytes);
    const uint32_t kind = is_conv ? SOTTO_OP_CONV_2D : SOTTO_OP_FULLY_CONNECTED;
    // Sparse: the kernel this build runs for the op (the Cortex-M4's own for FULLY_CONNECTED).
    p[SOTTO_P_SPARSE_WEIGHTS] = 1;
    op.weights_bytes = sparse_bytes;
    a.weights = reinterpret_cast<const int8_t *>(g_sparse);
    a.output_data = g_out_sparse;
    kernel_for(kind)(a);
    // Dense: the reference kernel on the zero-filled weights.
    p[SOTTO_P_SPARSE_WEIGHTS] = 0;
    op.weights_bytes = static_cast<uint32_t>(rows * depth);
    a.weights = g_dense;
    a.output_data = g_out_dense;
    if (is_conv) {
      reference::conv_2d(a);
    } else {
      reference::fully_connected(a);
    }
    ++*checked;
    ++*(is_conv ? conv : fully_connected);
    if (memcmp(g_out_sparse, g_out_dense, out.bytes) != 0) ++mismatches;
  }
  return mismatches;
}
