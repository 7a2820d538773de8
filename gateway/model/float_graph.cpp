// Float graph bookkeeping and the channels-first <-> NHWC sample conversions.
#include "float_graph.h"

#include <stdexcept>

namespace sotto::gw::model::fp {
namespace {

// Channels and spatial elements of a source-layout shape [N, C, spatial...] (rank >= 3).
void channels_and_spatial(const std::vector<int32_t> &shape, size_t *channels, size_t *spatial) {
  *channels = static_cast<size_t>(shape[1]);
  *spatial = 1;
  for (size_t d = 2; d < shape.size(); ++d) *spatial *= static_cast<size_t>(shape[d]);
}

}  // namespace

std::vector<float> transpose(const std::vector<float> &in, size_t rows, size_t cols) {
  if (in.size() != rows * cols) throw std::logic_error("layout conversion: element count");
  std::vector<float> out(in.size());
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < cols; ++c) out[c * rows + r] = in[r * cols + c];
  }
  return out;
}

const char *op_kind_name(OpKind kind) {
  switch (kind) {
    case OpKind::kConv2d:
      return "CONV_2D";
    case OpKind::kDepthwiseConv2d:
      return "DEPTHWISE_CONV_2D";
    case OpKind::kFullyConnected:
      return "FULLY_CONNECTED";
    case OpKind::kAveragePool2d:
      return "AVERAGE_POOL_2D";
    case OpKind::kMaxPool2d:
      return "MAX_POOL_2D";
    case OpKind::kMean:
      return "MEAN";
    case OpKind::kAdd:
      return "ADD";
    case OpKind::kMul:
      return "MUL";
    case OpKind::kSoftmax:
      return "SOFTMAX";
    case OpKind::kLogistic:
      return "LOGISTIC";
    case OpKind::kConcatenation:
      return "CONCATENATION";
    case OpKind::kPad:
      return "PAD";
    case OpKind::kReshape:
      return "RESHAPE";
  }
  return "?";
}

size_t Tensor::elements() const {
  size_t n = 1;
  for (int32_t d : shape) n *= static_cast<size_t>(d);
  return n;
}

int32_t Graph::add_tensor(const std::string &name, const std::vector<int32_t> &shape) {
  tensors.push_back({name, shape});
  return static_cast<int32_t>(tensors.size() - 1);
}

int32_t Graph::producer(int32_t t) const {
  for (size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].output == t) return static_cast<int32_t>(i);
  }
  return -1;
}

std::vector<float> to_device_layout(const Graph &g, const std::vector<float> &source_sample) {
  if (g.layout == Layout::kNhwc || g.source_input_shape.size() < 3) return source_sample;
  size_t channels = 0, spatial = 0;
  channels_and_spatial(g.source_input_shape, &channels, &spatial);
  return transpose(source_sample, channels, spatial);
}

std::vector<float> to_source_layout(const Graph &g, const std::vector<float> &device_output) {
  if (g.layout == Layout::kNhwc || g.source_output_shape.size() < 3) return device_output;
  size_t channels = 0, spatial = 0;
  channels_and_spatial(g.source_output_shape, &channels, &spatial);
  return transpose(device_output, spatial, channels);
}

}  // namespace sotto::gw::model::fp
