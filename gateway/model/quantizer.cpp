// Calibration (float reference over the samples) and the int8 TFLite writer. Tensors that the
// engine requires to share quantization (a pool's or PAD's or RESHAPE's input and output) are
// tied into one group with the union of their ranges; CONCATENATION inputs quantized unlike
// its output get an int8 -> int8 QUANTIZE first.
#include "quantizer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "float_eval.h"
#include "importer.h"
#include "tflite_builder.h"

namespace sotto::gw::model {
namespace {

using tools::TfliteBuilder;

constexpr int8_t kInt32 = 2;
constexpr int8_t kInt8 = 9;
// Enough values per tensor for a stable percentile while memory stays small.
constexpr size_t kPercentileValuesPerTensor = 1 << 21;

enum Builtin : int32_t {
  kAdd = 0,
  kAveragePool = 1,
  kConcatenation = 2,
  kConv = 3,
  kDepthwiseConv = 4,
  kFullyConnected = 9,
  kLogistic = 14,
  kMaxPool = 17,
  kMul = 18,
  kReshape = 22,
  kSoftmax = 25,
  kPad = 34,
  kMean = 40,
  kQuantize = 114,
};

struct QuantParams {
  float scale = 1.0f;
  int32_t zero_point = 0;
  bool operator==(const QuantParams &o) const {
    return scale == o.scale && zero_point == o.zero_point;
  }
};

// TFLite's asymmetric int8 parameters for [min, max], widened to contain 0.
QuantParams params_for(TensorRange r) {
  float lo = std::min(r.min, 0.0f), hi = std::max(r.max, 0.0f);
  if (hi - lo < 1e-8f) hi = lo + 1e-8f;
  QuantParams q;
  q.scale = (hi - lo) / 255.0f;
  const double zp = std::round(-128.0 - static_cast<double>(lo) / q.scale);
  q.zero_point = static_cast<int32_t>(std::clamp(zp, -128.0, 127.0));
  return q;
}

// Fused activation code for TFLite: the clamp the kernel applies (RELU, RELU_N1_TO_1, RELU6).
// Any other clamp is enforced by the output range, which calibration keeps inside it.
int8_t activation_code(const fp::Op &op) {
  const bool no_max = std::isinf(op.act_max);
  if (op.act_min == 0.0f && no_max) return 1;
  if (op.act_min == -1.0f && op.act_max == 1.0f) return 2;
  if (op.act_min == 0.0f && op.act_max == 6.0f) return 3;
  return 0;
}

class UnionFind {
 public:
  explicit UnionFind(size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0); }
  size_t find(size_t x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  void join(size_t a, size_t b) { parent_[find(a)] = find(b); }

 private:
  std::vector<size_t> parent_;
};

class TfliteWriter {
 public:
  TfliteWriter(const fp::Graph &g, const std::vector<TensorRange> &ranges) : g_(g) {
    assign_params(ranges);
  }

  std::vector<uint8_t> write() {
    const int32_t input = activation(g_.input);
    for (const fp::Op &op : g_.ops) write_op(op);
    return b_.finish(input, activation(g_.output));
  }

 private:
  void assign_params(const std::vector<TensorRange> &ranges) {
    const size_t n = g_.tensors.size();
    UnionFind groups(n);
    std::vector<bool> fixed(n, false);
    for (const fp::Op &op : g_.ops) {
      switch (op.kind) {
        case fp::OpKind::kPad:
        case fp::OpKind::kReshape:
        case fp::OpKind::kAveragePool2d:
        case fp::OpKind::kMaxPool2d:
          groups.join(static_cast<size_t>(op.inputs[0]), static_cast<size_t>(op.output));
          break;
        case fp::OpKind::kSoftmax:
        case fp::OpKind::kLogistic:
          fixed[static_cast<size_t>(op.output)] = true;
          break;
        default:
          break;
      }
    }
    std::vector<TensorRange> group_range(
        n, {std::numeric_limits<float>::max(), std::numeric_limits<float>::lowest()});
    std::vector<bool> group_fixed(n, false);
    for (size_t t = 0; t < n; ++t) {
      TensorRange &r = group_range[groups.find(t)];
      r.min = std::min(r.min, ranges[t].min);
      r.max = std::max(r.max, ranges[t].max);
      if (fixed[t]) group_fixed[groups.find(t)] = true;
    }
    params_.resize(n);
    for (size_t t = 0; t < n; ++t) {
      const size_t root = groups.find(t);
      params_[t] =
          group_fixed[root] ? QuantParams{1.0f / 256, -128} : params_for(group_range[root]);
    }
  }

  int32_t activation(int32_t t) {
    const auto found = index_.find(t);
    if (found != index_.end()) return found->second;
    const fp::Tensor &tensor = g_.tensors[static_cast<size_t>(t)];
    const QuantParams &q = params_[static_cast<size_t>(t)];
    const int32_t i =
        b_.named_tensor(tensor.name, tensor.shape, kInt8, {q.scale}, {q.zero_point}, 0);
    index_[t] = i;
    return i;
  }

  int32_t int32_constant(const std::string &name, const std::vector<int32_t> &values) {
    return b_.named_tensor(name, {static_cast<int32_t>(values.size())}, kInt32, {}, {}, 0,
                           TfliteBuilder::bytes_of(values));
  }

  // An activation tensor that no graph tensor names (explicit padding, requantized inputs).
  int32_t extra_activation(const std::string &name, const std::vector<int32_t> &shape,
                           const QuantParams &q) {
    return b_.named_tensor(name, shape, kInt8, {q.scale}, {q.zero_point}, 0);
  }

  // Per-channel symmetric int8 weights (channel = first dim, or last for depthwise) and int32
  // bias at input scale x channel scale.
  void weights_and_bias(const fp::Op &op, std::vector<int32_t> *inputs) {
    const bool depthwise = op.kind == fp::OpKind::kDepthwiseConv2d;
    const size_t channels =
        static_cast<size_t>(depthwise ? op.weight_shape[3] : op.weight_shape[0]);
    const size_t per = op.weights.size() / channels;
    const auto channel_of = [&](size_t i) { return depthwise ? i % channels : i / per; };
    std::vector<float> max_abs(channels, 0.0f);
    for (size_t i = 0; i < op.weights.size(); ++i) {
      max_abs[channel_of(i)] = std::max(max_abs[channel_of(i)], std::fabs(op.weights[i]));
    }
    std::vector<float> scales(channels);
    for (size_t c = 0; c < channels; ++c) scales[c] = std::max(max_abs[c], 1e-8f) / 127.0f;
    std::vector<uint8_t> q(op.weights.size());
    for (size_t i = 0; i < op.weights.size(); ++i) {
      const float v = std::round(op.weights[i] / scales[channel_of(i)]);
      q[i] = static_cast<uint8_t>(static_cast<int8_t>(std::clamp(v, -127.0f, 127.0f)));
    }
    const float in_scale = params_[static_cast<size_t>(op.inputs[0])].scale;
    std::vector<int32_t> bias(channels, 0);
    std::vector<float> bias_scales(channels);
    for (size_t c = 0; c < channels; ++c) {
      bias_scales[c] = in_scale * scales[c];
      const double b =
          op.bias.empty() ? 0.0 : std::round(op.bias[c] / static_cast<double>(bias_scales[c]));
      bias[c] = static_cast<int32_t>(std::clamp(b, -2147483647.0, 2147483647.0));
    }
    const std::string &name = g_.tensors[static_cast<size_t>(op.output)].name;
    inputs->push_back(b_.named_tensor(name + "/weights", op.weight_shape, kInt8, scales,
                                      std::vector<int64_t>(channels, 0), depthwise ? 3 : 0, q));
    inputs->push_back(b_.named_tensor(name + "/bias", {static_cast<int32_t>(channels)}, kInt32,
                                      bias_scales, std::vector<int64_t>(channels, 0), 0,
                                      TfliteBuilder::bytes_of(bias)));
  }

  // The engine pads a window op as TFLite's SAME (before = total / 2); other explicit padding
  // becomes a PAD op in front of an unpadded window.
  int32_t window_input(const fp::Op &op) {
    const int32_t in = activation(op.inputs[0]);
    const std::vector<int32_t> &is = g_.tensors[static_cast<size_t>(op.inputs[0])].shape;
    const std::vector<int32_t> &os = g_.tensors[static_cast<size_t>(op.output)].shape;
    const auto before = [](int32_t in_size, int32_t out_size, int32_t stride, int32_t dilation,
                           int32_t k) {
      return std::max(0, ((out_size - 1) * stride + (k - 1) * dilation + 1 - in_size) / 2);
    };
    if (op.pad_top == before(is[1], os[1], op.stride_h, op.dilation_h, op.kernel_h) &&
        op.pad_left == before(is[2], os[2], op.stride_w, op.dilation_w, op.kernel_w)) {
      return in;
    }
    std::vector<int32_t> shape = is;
    shape[1] += op.pad_top + op.pad_bottom;
    shape[2] += op.pad_left + op.pad_right;
    const std::string &name = g_.tensors[static_cast<size_t>(op.output)].name;
    const int32_t padded =
        extra_activation(name + "/padded", shape, params_[static_cast<size_t>(op.inputs[0])]);
    const std::vector<int32_t> paddings = {
        0, 0, op.pad_top, op.pad_bottom, op.pad_left, op.pad_right, 0, 0};
    const int32_t p = b_.named_tensor(name + "/paddings", {4, 2}, kInt32, {}, {}, 0,
                                      TfliteBuilder::bytes_of(paddings));
    b_.op(kPad, {in, p}, padded);
    return padded;
  }

  void write_op(const fp::Op &op) {
    const int32_t out = activation(op.output);
    const std::vector<int32_t> &out_shape = g_.tensors[static_cast<size_t>(op.output)].shape;
    auto options = tools::FbNode::table();
    switch (op.kind) {
      case fp::OpKind::kConv2d:
      case fp::OpKind::kDepthwiseConv2d: {
        const bool dw = op.kind == fp::OpKind::kDepthwiseConv2d;
        std::vector<int32_t> inputs = {window_input(op)};
        weights_and_bias(op, &inputs);
        options->set(0, int8_t{0});
        options->set(1, op.stride_w);
        options->set(2, op.stride_h);
        if (dw) options->set(3, op.depth_multiplier);
        options->set(dw ? 4 : 3, activation_code(op));
        options->set(dw ? 5 : 4, op.dilation_w);
        options->set(dw ? 6 : 5, op.dilation_h);
        return b_.op(dw ? kDepthwiseConv : kConv, inputs, out, options);
      }
      case fp::OpKind::kFullyConnected: {
        std::vector<int32_t> inputs = {activation(op.inputs[0])};
        weights_and_bias(op, &inputs);
        options->set(0, activation_code(op));
        return b_.op(kFullyConnected, inputs, out, options);
      }
      case fp::OpKind::kAveragePool2d:
      case fp::OpKind::kMaxPool2d:
        options->set(0, int8_t{0});
        options->set(1, op.stride_w);
        options->set(2, op.stride_h);
        options->set(3, op.kernel_w);
        options->set(4, op.kernel_h);
        options->set(5, activation_code(op));
        return b_.op(op.kind == fp::OpKind::kAveragePool2d ? kAveragePool : kMaxPool,
                     {activation(op.inputs[0])}, out, options);
      case fp::OpKind::kMean:
        options->set(0, static_cast<uint8_t>(out_shape.size() == 4));
        return b_.op(
            kMean,
            {activation(op.inputs[0]),
             int32_constant(g_.tensors[static_cast<size_t>(op.output)].name + "/axes", {1, 2})},
            out, options);
      case fp::OpKind::kAdd:
      case fp::OpKind::kMul:
        options->set(0, activation_code(op));
        return b_.op(op.kind == fp::OpKind::kAdd ? kAdd : kMul,
                     {activation(op.inputs[0]), activation(op.inputs[1])}, out, options);
      case fp::OpKind::kSoftmax:
        options->set(0, 1.0f);
        return b_.op(kSoftmax, {activation(op.inputs[0])}, out, options);
      case fp::OpKind::kLogistic:
        return b_.op(kLogistic, {activation(op.inputs[0])}, out);
      case fp::OpKind::kConcatenation:
        return write_concatenation(op, out);
      case fp::OpKind::kPad: {
        std::vector<int32_t> paddings;
        for (size_t d = 0; d < op.pad_before.size(); ++d) {
          paddings.push_back(op.pad_before[d]);
          paddings.push_back(op.pad_after[d]);
        }
        const int32_t p =
            b_.named_tensor(g_.tensors[static_cast<size_t>(op.output)].name + "/paddings",
                            {static_cast<int32_t>(op.pad_before.size()), 2}, kInt32, {}, {}, 0,
                            TfliteBuilder::bytes_of(paddings));
        return b_.op(kPad, {activation(op.inputs[0]), p}, out);
      }
      case fp::OpKind::kReshape:
        return b_.op(
            kReshape,
            {activation(op.inputs[0]),
             int32_constant(g_.tensors[static_cast<size_t>(op.output)].name + "/shape", out_shape)},
            out);
    }
  }

  void write_concatenation(const fp::Op &op, int32_t out) {
    const QuantParams &target = params_[static_cast<size_t>(op.output)];
    std::vector<int32_t> inputs;
    for (int32_t t : op.inputs) {
      int32_t in = activation(t);
      if (!(params_[static_cast<size_t>(t)] == target)) {
        const fp::Tensor &tensor = g_.tensors[static_cast<size_t>(t)];
        const int32_t requantized =
            extra_activation(tensor.name + "/requantized", tensor.shape, target);
        b_.op(kQuantize, {in}, requantized);
        in = requantized;
      }
      inputs.push_back(in);
    }
    auto options = tools::FbNode::table();
    options->set(0, op.axis);
    options->set(1, int8_t{0});
    b_.op(kConcatenation, inputs, out, options);
  }

  const fp::Graph &g_;
  std::vector<QuantParams> params_;
  std::map<int32_t, int32_t> index_;
  TfliteBuilder b_;
};

}  // namespace

std::vector<TensorRange> calibrate(const fp::Graph &graph,
                                   const std::vector<std::vector<float>> &samples,
                                   double percentile) {
  if (samples.empty()) throw ImportError("calibration set is empty");
  const bool use_percentile = percentile > 0;
  if (use_percentile && (percentile <= 50.0 || percentile > 100.0)) {
    throw ImportError("percentile " + std::to_string(percentile) +
                      "; supported: above 50, up to 100");
  }
  const size_t n = graph.tensors.size();
  std::vector<TensorRange> ranges(
      n, {std::numeric_limits<float>::max(), std::numeric_limits<float>::lowest()});
  std::vector<std::vector<float>> kept(use_percentile ? n : 0);
  fp::Evaluator evaluator(graph);
  for (size_t s = 0; s < samples.size(); ++s) {
    evaluator.run(samples[s]);
    for (size_t t = 0; t < n; ++t) {
      const std::vector<float> &v = evaluator.value(t);
      if (v.empty()) continue;
      const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
      ranges[t].min = std::min(ranges[t].min, *lo);
      ranges[t].max = std::max(ranges[t].max, *hi);
      if (!use_percentile) continue;
      // Keep every sample's values while they fit, else an evenly spread subset of samples.
      const size_t stride =
          (v.size() * samples.size() + kPercentileValuesPerTensor - 1) / kPercentileValuesPerTensor;
      if (s % std::max<size_t>(stride, 1) == 0) kept[t].insert(kept[t].end(), v.begin(), v.end());
    }
  }
  for (size_t t = 0; t < kept.size(); ++t) {
    std::vector<float> &v = kept[t];
    if (v.empty()) continue;
    const auto at = [&](double q) {
      const size_t k = static_cast<size_t>(std::round(q * static_cast<double>(v.size() - 1)));
      std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
      return v[k];
    };
    ranges[t].max = at(percentile / 100.0);
    ranges[t].min = at(1.0 - percentile / 100.0);
  }
  return ranges;
}

std::vector<uint8_t> quantize_to_tflite(const fp::Graph &graph,
                                        const std::vector<TensorRange> &ranges) {
  return TfliteWriter(graph, ranges).write();
}

}  // namespace sotto::gw::model
