// Reads a float32 ONNX model into a float graph (float_graph.h) in the device's NHWC layout:
// weights transposed, 1-D convolutions as 2-D ones of height 1, BatchNormalization folded into
// the convolution before it, Relu/Clip fused into the op before them, and a Flatten of a
// channels-first tensor undone by permuting the next Gemm's weight columns. An operator or form
// the int8 engine cannot run is refused with an ImportError naming it, its node name and index.
#pragma once

#include <cstdint>
#include <vector>

#include "float_graph.h"

namespace sotto::gw::model {

// True when `bytes` parse as an ONNX ModelProto with a graph.
bool is_onnx_model(const std::vector<uint8_t> &bytes);

fp::Graph read_onnx(const std::vector<uint8_t> &bytes);

}  // namespace sotto::gw::model
