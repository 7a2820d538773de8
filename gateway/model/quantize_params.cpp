// Requantization multipliers and activation clamps, derived exactly as TFLite derives them.
#include "quantize_params.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace sotto::gw::model {

QuantizedMultiplier quantize_multiplier(double real) {
  QuantizedMultiplier q;
  if (real == 0.0) return q;
  int shift = 0;
  const double fraction = std::frexp(real, &shift);
  int64_t fixed = static_cast<int64_t>(std::round(fraction * static_cast<double>(1LL << 31)));
  if (fixed == (1LL << 31)) {
    fixed /= 2;
    ++shift;
  }
  if (shift < -31) {
    shift = 0;
    fixed = 0;
  }
  if (shift > 30)
    throw std::runtime_error("requantization scale too large: " + std::to_string(real));
  q.multiplier = static_cast<int32_t>(fixed);
  q.shift = shift;
  return q;
}

void activation_range(int32_t fused, float scale, int32_t zero_point, int32_t *act_min,
                      int32_t *act_max, int32_t type_min, int32_t type_max) {
  auto quantize = [&](float f) { return zero_point + static_cast<int32_t>(std::round(f / scale)); };
  int32_t lo = type_min, hi = type_max;
  if (fused == 1) {
    lo = std::max(lo, quantize(0.0f));
  } else if (fused == 3) {
    lo = std::max(lo, quantize(0.0f));
    hi = std::min(hi, quantize(6.0f));
  } else if (fused == 2) {
    lo = std::max(lo, quantize(-1.0f));
    hi = std::min(hi, quantize(1.0f));
  } else if (fused != 0) {
    throw std::runtime_error("unsupported fused activation " + std::to_string(fused));
  }
  *act_min = lo;
  *act_max = hi;
}

}  // namespace sotto::gw::model
