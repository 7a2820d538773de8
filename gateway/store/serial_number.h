// Widens a counter that travels as its low N bits back to 64 bits (RFC 1982-style serial
// number arithmetic): the result is the value nearest to the last widened value that has the
// received low bits. Redelivered older values widen to themselves, wraps widen forward.
#pragma once

#include <cstdint>

namespace sotto::gw {

constexpr uint64_t widen_serial(uint64_t last, uint32_t wire, unsigned bits) {
  const uint64_t modulus = uint64_t{1} << bits;
  const uint64_t half = modulus / 2;
  const uint64_t mask = modulus - 1;
  uint64_t candidate = (last & ~mask) | (wire & mask);
  if (candidate + half < last) return candidate + modulus;  // wrapped forward
  if (candidate > last + half && candidate >= modulus)
    return candidate - modulus;  // older, before a wrap
  return candidate;
}

static_assert(widen_serial(0, 5, 24) == 5);
static_assert(widen_serial(0xfffffe, 1, 24) == 0x1000001);         // forward across the wrap
static_assert(widen_serial(0x1000001, 0xffffff, 24) == 0xffffff);  // a late one from before it
static_assert(widen_serial(100, 90, 24) == 90);                    // redelivered older value

}  // namespace sotto::gw
