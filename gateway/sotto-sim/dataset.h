// Labelled training and held-out sets drawn from the simulator's own signal generators, one
// per site kind. The two splits come from disjoint machines, fields and wearers (different
// device seeds), so held-out accuracy measures generalisation to devices never seen.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sensor_model.h"

namespace sotto::gw::sim {

enum class Split { kTrain = 0, kHeldOut = 1 };

struct Dataset {
  std::vector<int64_t> x_shape;  // samples first
  std::vector<float> x;
  std::vector<int64_t> y_shape;
  std::vector<float> y;
};

// industrial: x [N, 1, 256] vibration in g (channels first); y [N, 2] = bearing condition
//   (0 normal, 1 outer race, 2 inner race, 3 imbalance), severity in [0, 1] (anomaly score).
// agri: x [N, 48] = 24 hourly soil moisture values (permille / 1000) then 24 hourly
//   temperatures (degrees C / 10), oldest first; y [N, 2] = irrigation need (moisture under
//   200 permille within 6 h), frost risk (under 0.5 degrees C within 12 h).
// wearable: x [N, 2, 64] = heart rate (bpm / 100) and peak acceleration (g) every 0.5 s;
//   y [N, 2] = heart-rate anomaly, fall.
Dataset make_dataset(SiteKind kind, uint64_t seed, Split split, size_t samples);

}  // namespace sotto::gw::sim
