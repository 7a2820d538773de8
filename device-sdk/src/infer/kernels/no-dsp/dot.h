// Multiply-accumulate loops for the cores without DSP instructions (RV32IMC, Cortex-M0+), shared
// by the no-dsp kernels: four products per pass, no branch inside. Byte loads, not 32-bit loads
// of four int8: both cores load a sign-extended byte in one instruction (RV32 LB, Thumb-1
// LDRSB), while taking a word apart costs two shifts per byte on either (no SXTB16), so a MAC
// from a word costs more instructions than from two byte loads. Interior pixels call the loops
// without an input offset (kOffset false): the kernels fold input_offset * sum(w) into each
// output channel's bias once per call (up to kFoldedChannels channels); pixels at the border
// add it per product (kOffset true). The kernels write the output pixels in order, each after
// reading its window, as the planner's in-place rule (gateway/model/in_place.cpp) requires.
#ifndef SOTTO_INFER_NO_DSP_DOT_H
#define SOTTO_INFER_NO_DSP_DOT_H

#include <stdint.h>

namespace sotto_infer {
namespace no_dsp {

// Output channels whose folded biases a kernel keeps on the stack (256 B): past that, interior
// pixels add the input offset per product as border pixels do.
const int32_t kFoldedChannels = 64;

// One product of x[xi] (plus the offset when kOffset) and w[wi].
template <bool kOffset>
inline int32_t product(const int8_t *x, int32_t xi, const int8_t *w, int32_t wi, int32_t x_offset) {
  return (kOffset ? x[xi] + x_offset : x[xi]) * w[wi];
}

// sum (x[i] (+ x_offset)) * w[i] over i < n. Every call's n is at most
// SOTTO_SMDL_MAX_ACCUMULATION_DEPTH, so the sum fits int32 (the loader's bound on the reference).
template <bool kOffset>
inline int32_t dot(const int8_t *x, const int8_t *w, int32_t n, int32_t x_offset) {
  int32_t acc = 0;
  int32_t i = 0;
#if defined(__ARM_ARCH_ISA_THUMB) && __ARM_ARCH_ISA_THUMB == 1
  // Thumb-1 (Cortex-M0+) has LDRSB only with a register offset: one index register serves both
  // arrays (2 loads, MULS, 2 ADDS per MAC). The empty asm keeps the index opaque; otherwise GCC
  // turns x[i + 1]... into constant offsets, each one a MOVS of its own.
  for (const int32_t n4 = n & ~3; i < n4;) {
    acc += product<kOffset>(x, i, w, i, x_offset);
    __asm__("" : "+l"(++i));
    acc += product<kOffset>(x, i, w, i, x_offset);
    __asm__("" : "+l"(++i));
    acc += product<kOffset>(x, i, w, i, x_offset);
    __asm__("" : "+l"(++i));
    acc += product<kOffset>(x, i, w, i, x_offset);
    __asm__("" : "+l"(++i));
  }
#else
  // RV32: LB takes an immediate offset: 2 loads, MUL, ADD per MAC.
  for (const int32_t n4 = n & ~3; i < n4; i += 4, x += 4, w += 4) {
    acc += product<kOffset>(x, 0, w, 0, x_offset);
    acc += product<kOffset>(x, 1, w, 1, x_offset);
    acc += product<kOffset>(x, 2, w, 2, x_offset);
    acc += product<kOffset>(x, 3, w, 3, x_offset);
  }
  n -= i;
  i = 0;
#endif
  for (; i < n; ++i) acc += product<kOffset>(x, i, w, i, x_offset);
  return acc;
}

// sum (x[i * x_step] (+ x_offset)) * w[i * w_step] over i < n (DEPTHWISE_CONV_2D: one channel
// along a row of pixels and of filter taps).
template <bool kOffset>
inline int32_t dot_strided(const int8_t *x, int32_t x_step, const int8_t *w, int32_t w_step,
                           int32_t n, int32_t x_offset) {
  int32_t acc = 0;
  int32_t i = 0;
  for (; i + 4 <= n; i += 4, x += 4 * x_step, w += 4 * w_step) {
    acc += product<kOffset>(x, 0, w, 0, x_offset);
    acc += product<kOffset>(x, x_step, w, w_step, x_offset);
    acc += product<kOffset>(x, 2 * x_step, w, 2 * w_step, x_offset);
    acc += product<kOffset>(x, 3 * x_step, w, 3 * w_step, x_offset);
  }
  for (; i < n; ++i, x += x_step, w += w_step) acc += product<kOffset>(x, 0, w, 0, x_offset);
  return acc;
}

// bias + x_offset * sum(w[i * w_step] over i < n), modulo 2^32 (as the reference's wrapping
// bias addition): the bias of one output channel with the input offset folded in.
inline int32_t folded_bias(int32_t bias, int32_t x_offset, const int8_t *w, int32_t w_step,
                           int32_t n) {
  uint32_t sum = 0;
  for (int32_t i = 0; i < n; ++i, w += w_step) {
    sum += static_cast<uint32_t>(static_cast<int32_t>(*w));
  }
  return static_cast<int32_t>(static_cast<uint32_t>(bias) + static_cast<uint32_t>(x_offset) * sum);
}

}  // namespace no_dsp
}  // namespace sotto_infer

#endif
