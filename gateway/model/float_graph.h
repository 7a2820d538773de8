// A float32 model as the quantizer sees it: the ops the int8 engine runs, already in the
// device's NHWC layout, with weights, padding and fused clamps made explicit. The ONNX and float
// TFLite readers produce it; the reference evaluator runs it; the quantizer turns it into an
// int8 TFLite model for the compiler.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace sotto::gw::model::fp {

enum class OpKind {
  kConv2d,           // weights [O, kH, kW, I]
  kDepthwiseConv2d,  // weights [1, kH, kW, O], O = I * depth_multiplier
  kFullyConnected,   // weights [O, K]; the input's elements per row are K
  kAveragePool2d,    // padding is not counted in the average
  kMaxPool2d,
  kMean,  // over H and W of a 4-D tensor
  kAdd,
  kMul,
  kSoftmax,  // over the last dim
  kLogistic,
  kConcatenation,
  kPad,  // with zeros
  kReshape,
};

const char *op_kind_name(OpKind kind);

struct Tensor {
  std::string name;
  std::vector<int32_t> shape;  // NHWC for 4-D; [N, features] for flat tensors
  size_t elements() const;
};

struct Op {
  OpKind kind = OpKind::kReshape;
  std::string source;           // where it came from, for messages: "node 'fc1' (Gemm, index 4)"
  std::vector<int32_t> inputs;  // activation tensors
  int32_t output = -1;
  std::vector<float> weights;
  std::vector<int32_t> weight_shape;
  std::vector<float> bias;  // one per output channel, or empty
  int32_t stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int32_t kernel_h = 1, kernel_w = 1;
  int32_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int32_t depth_multiplier = 1;
  // Fused clamp (Relu, Clip, Relu6) applied to the output.
  float act_min = -std::numeric_limits<float>::infinity();
  float act_max = std::numeric_limits<float>::infinity();
  int32_t axis = 0;                            // CONCATENATION, in the output's rank
  std::vector<int32_t> pad_before, pad_after;  // PAD, per dim of the input
};

// The layout the model's own callers use for its input and output (ONNX: channels first).
enum class Layout { kNhwc, kNchw };

struct Graph {
  std::vector<Tensor> tensors;
  std::vector<Op> ops;  // in execution order
  int32_t input = -1;
  int32_t output = -1;
  Layout layout = Layout::kNhwc;
  std::vector<int32_t> source_input_shape;  // as the source model states it, batch included
  std::vector<int32_t> source_output_shape;

  int32_t add_tensor(const std::string &name, const std::vector<int32_t> &shape);
  // The op writing tensor t, or -1 for the graph input.
  int32_t producer(int32_t t) const;
};

// "[1, 2, 64]" for messages.
template <typename T>
std::string dims_text(const std::vector<T> &dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

// A rows x cols matrix (row-major) transposed: moves channels first <-> channels last.
std::vector<float> transpose(const std::vector<float> &in, size_t rows, size_t cols);

// One sample in the graph's own NHWC order from one in the source layout (same element count).
std::vector<float> to_device_layout(const Graph &g, const std::vector<float> &source_sample);
// The graph's output sample back in the source layout.
std::vector<float> to_source_layout(const Graph &g, const std::vector<float> &device_output);

}  // namespace sotto::gw::model::fp
