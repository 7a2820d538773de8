// Post-training quantization of a float graph into an int8 TFLite model that the compiler
// (import_tflite) turns into a .smdl, so float and int8 models run the same engine and kernels.
// The scheme is TFLite's int8 one: weights symmetric per output channel (zero point 0, values in
// [-127, 127]), activations asymmetric per tensor, bias int32 at input scale x weight scale,
// SOFTMAX/LOGISTIC outputs at scale 1/256 and zero point -128.
#pragma once

#include <cstdint>
#include <vector>

#include "float_graph.h"

namespace sotto::gw::model {

struct TensorRange {
  float min = 0.0f;
  float max = 0.0f;
};

// Each graph tensor's range over the calibration samples (NHWC, one vector per sample): the
// minimum and maximum, or with percentile in (50, 100) the values at percentile and
// 100 - percentile, which ignores rare outliers.
std::vector<TensorRange> calibrate(const fp::Graph &graph,
                                   const std::vector<std::vector<float>> &samples,
                                   double percentile);

// The int8 TFLite flatbuffer of `graph` with activation ranges `ranges` (one per tensor).
std::vector<uint8_t> quantize_to_tflite(const fp::Graph &graph,
                                        const std::vector<TensorRange> &ranges);

}  // namespace sotto::gw::model
