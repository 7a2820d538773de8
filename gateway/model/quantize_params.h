// Host-side derivation of TFLite's fixed-point requantization parameters.
#pragma once

#include <cstdint>

namespace sotto::gw::model {

struct QuantizedMultiplier {
  int32_t multiplier = 0;
  int32_t shift = 0;
};

// real = multiplier * 2^(shift - 31), multiplier in [2^30, 2^31), as TFLite rounds it.
QuantizedMultiplier quantize_multiplier(double real);

// Clamp bounds for a fused activation (0 none, 1 RELU, 2 RELU_N1_TO_1, 3 RELU6) on an output
// whose type holds type_min..type_max (int8 by default).
void activation_range(int32_t fused, float scale, int32_t zero_point, int32_t *act_min,
                      int32_t *act_max, int32_t type_min = -128, int32_t type_max = 127);

}  // namespace sotto::gw::model
