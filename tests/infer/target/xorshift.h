/* The random draws of the on-target kernel comparisons (kernel_equivalence.cpp,
 * sparse_equivalence.cpp): xorshift32, the same sequence on every target for a given seed. */
#ifndef SOTTO_TEST_XORSHIFT_H
#define SOTTO_TEST_XORSHIFT_H

#include <stdint.h>

namespace sotto_test {

struct Xorshift32 {
  uint32_t state;
  uint32_t next() {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  }
  // Uniform-ish in [lo, hi].
  int32_t pick(int32_t lo, int32_t hi) {
    return lo + static_cast<int32_t>(next() % static_cast<uint32_t>(hi - lo + 1));
  }
};

}  // namespace sotto_test

#endif
