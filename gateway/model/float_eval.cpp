// Float kernels of the reference evaluator, one function per op kind, NHWC.
#include "float_eval.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace sotto::gw::model::fp {
namespace {

// A 4-D NHWC view of a shape (right-aligned, leading ones).
struct Dims {
  int32_t n = 1, h = 1, w = 1, c = 1;
  explicit Dims(const std::vector<int32_t> &s) {
    int32_t d[4] = {1, 1, 1, 1};
    const size_t skip = 4 - std::min<size_t>(4, s.size());
    for (size_t i = 0; i < s.size() && i < 4; ++i) d[skip + i] = s[i];
    n = d[0];
    h = d[1];
    w = d[2];
    c = d[3];
  }
};

float clamp(const Op &op, float v) {
  return std::min(std::max(v, op.act_min), op.act_max);
}

void conv(const Op &op, const std::vector<float> &in, const Dims &id, std::vector<float> *out,
          const Dims &od) {
  const bool depthwise = op.kind == OpKind::kDepthwiseConv2d;
  const int32_t kh = op.kernel_h, kw = op.kernel_w;
  for (int32_t n = 0; n < od.n; ++n) {
    for (int32_t oy = 0; oy < od.h; ++oy) {
      for (int32_t ox = 0; ox < od.w; ++ox) {
        for (int32_t o = 0; o < od.c; ++o) {
          double acc = op.bias.empty() ? 0.0 : op.bias[static_cast<size_t>(o)];
          for (int32_t ky = 0; ky < kh; ++ky) {
            const int32_t iy = oy * op.stride_h - op.pad_top + ky * op.dilation_h;
            if (iy < 0 || iy >= id.h) continue;
            for (int32_t kx = 0; kx < kw; ++kx) {
              const int32_t ix = ox * op.stride_w - op.pad_left + kx * op.dilation_w;
              if (ix < 0 || ix >= id.w) continue;
              const size_t pixel = ((static_cast<size_t>(n) * id.h + iy) * id.w + ix) * id.c;
              if (depthwise) {
                const int32_t c = o / op.depth_multiplier;
                acc += static_cast<double>(in[pixel + c]) *
                       op.weights[(static_cast<size_t>(ky) * kw + kx) * od.c + o];
              } else {
                const size_t w0 = ((static_cast<size_t>(o) * kh + ky) * kw + kx) * id.c;
                for (int32_t c = 0; c < id.c; ++c) {
                  acc += static_cast<double>(in[pixel + c]) * op.weights[w0 + c];
                }
              }
            }
          }
          (*out)[((static_cast<size_t>(n) * od.h + oy) * od.w + ox) * od.c + o] =
              clamp(op, static_cast<float>(acc));
        }
      }
    }
  }
}

void fully_connected(const Op &op, const std::vector<float> &in, std::vector<float> *out) {
  const size_t outputs = static_cast<size_t>(op.weight_shape[0]);
  const size_t depth = static_cast<size_t>(op.weight_shape[1]);
  const size_t rows = in.size() / depth;
  for (size_t r = 0; r < rows; ++r) {
    for (size_t o = 0; o < outputs; ++o) {
      double acc = op.bias.empty() ? 0.0 : op.bias[o];
      for (size_t k = 0; k < depth; ++k) {
        acc += static_cast<double>(in[r * depth + k]) * op.weights[o * depth + k];
      }
      (*out)[r * outputs + o] = clamp(op, static_cast<float>(acc));
    }
  }
}

void pool(const Op &op, const std::vector<float> &in, const Dims &id, std::vector<float> *out,
          const Dims &od) {
  const bool average = op.kind == OpKind::kAveragePool2d;
  for (int32_t n = 0; n < od.n; ++n) {
    for (int32_t oy = 0; oy < od.h; ++oy) {
      for (int32_t ox = 0; ox < od.w; ++ox) {
        for (int32_t c = 0; c < od.c; ++c) {
          double sum = 0;
          float best = -std::numeric_limits<float>::infinity();
          int32_t count = 0;
          for (int32_t ky = 0; ky < op.kernel_h; ++ky) {
            const int32_t iy = oy * op.stride_h - op.pad_top + ky;
            if (iy < 0 || iy >= id.h) continue;
            for (int32_t kx = 0; kx < op.kernel_w; ++kx) {
              const int32_t ix = ox * op.stride_w - op.pad_left + kx;
              if (ix < 0 || ix >= id.w) continue;
              const float v = in[((static_cast<size_t>(n) * id.h + iy) * id.w + ix) * id.c + c];
              sum += v;
              best = std::max(best, v);
              ++count;
            }
          }
          const float v = average ? static_cast<float>(sum / std::max(count, 1)) : best;
          (*out)[((static_cast<size_t>(n) * od.h + oy) * od.w + ox) * od.c + c] = clamp(op, v);
        }
      }
    }
  }
}

void mean(const std::vector<float> &in, const Dims &id, std::vector<float> *out) {
  for (int32_t n = 0; n < id.n; ++n) {
    for (int32_t c = 0; c < id.c; ++c) {
      double sum = 0;
      for (int32_t p = 0; p < id.h * id.w; ++p) {
        sum += in[(static_cast<size_t>(n) * id.h * id.w + p) * id.c + c];
      }
      (*out)[static_cast<size_t>(n) * id.c + c] = static_cast<float>(sum / (id.h * id.w));
    }
  }
}

// ADD and MUL read a broadcast operand (one element or a last-dim vector) at i % its size.
void elementwise(const Op &op, const std::vector<float> &a, const std::vector<float> &b,
                 std::vector<float> *out) {
  for (size_t i = 0; i < out->size(); ++i) {
    const float x = a[i % a.size()], y = b[i % b.size()];
    (*out)[i] = clamp(op, op.kind == OpKind::kAdd ? x + y : x * y);
  }
}

void softmax(const std::vector<float> &in, int32_t depth, std::vector<float> *out) {
  for (size_t row = 0; row < in.size(); row += static_cast<size_t>(depth)) {
    const float top = *std::max_element(in.begin() + static_cast<long>(row),
                                        in.begin() + static_cast<long>(row) + depth);
    double sum = 0;
    for (int32_t i = 0; i < depth; ++i) sum += std::exp(static_cast<double>(in[row + i] - top));
    for (int32_t i = 0; i < depth; ++i) {
      (*out)[row + i] = static_cast<float>(std::exp(static_cast<double>(in[row + i] - top)) / sum);
    }
  }
}

// Copies each input's blocks along `axis` (of the output's rank) in turn.
void concatenate(const Op &op, const Graph &g, const std::vector<std::vector<float>> &values,
                 std::vector<float> *out) {
  const std::vector<int32_t> &shape = g.tensors[static_cast<size_t>(op.output)].shape;
  size_t outer = 1, inner = 1;
  for (int32_t d = 0; d < op.axis; ++d) outer *= static_cast<size_t>(shape[static_cast<size_t>(d)]);
  for (size_t d = static_cast<size_t>(op.axis) + 1; d < shape.size(); ++d)
    inner *= static_cast<size_t>(shape[d]);
  size_t at = 0;
  for (size_t o = 0; o < outer; ++o) {
    for (int32_t t : op.inputs) {
      const std::vector<float> &v = values[static_cast<size_t>(t)];
      const size_t block =
          static_cast<size_t>(
              g.tensors[static_cast<size_t>(t)].shape[static_cast<size_t>(op.axis)]) *
          inner;
      std::copy(v.begin() + static_cast<long>(o * block),
                v.begin() + static_cast<long>((o + 1) * block),
                out->begin() + static_cast<long>(at));
      at += block;
    }
  }
}

void pad(const Op &op, const std::vector<int32_t> &in_shape, const std::vector<float> &in,
         const std::vector<int32_t> &out_shape, std::vector<float> *out) {
  std::fill(out->begin(), out->end(), 0.0f);
  const size_t rank = in_shape.size();
  std::vector<int32_t> index(rank, 0);
  for (size_t i = 0; i < in.size(); ++i) {
    size_t at = 0;
    for (size_t d = 0; d < rank; ++d) {
      at =
          at * static_cast<size_t>(out_shape[d]) + static_cast<size_t>(index[d] + op.pad_before[d]);
    }
    (*out)[at] = in[i];
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < in_shape[d]) break;
      index[d] = 0;
    }
  }
}

}  // namespace

Evaluator::Evaluator(const Graph &graph) : g_(graph), values_(graph.tensors.size()) {
  for (size_t t = 0; t < values_.size(); ++t) values_[t].resize(graph.tensors[t].elements());
}

const std::vector<float> &Evaluator::run(const std::vector<float> &input) {
  std::vector<float> &in = values_[static_cast<size_t>(g_.input)];
  if (input.size() != in.size()) {
    throw std::invalid_argument("sample has " + std::to_string(input.size()) +
                                " values; the model input takes " + std::to_string(in.size()));
  }
  in = input;
  for (const Op &op : g_.ops) run_op(op);
  return values_[static_cast<size_t>(g_.output)];
}

void Evaluator::run_op(const Op &op) {
  const std::vector<float> &a = values_[static_cast<size_t>(op.inputs[0])];
  std::vector<float> &out = values_[static_cast<size_t>(op.output)];
  const Dims id(g_.tensors[static_cast<size_t>(op.inputs[0])].shape);
  const Dims od(g_.tensors[static_cast<size_t>(op.output)].shape);
  switch (op.kind) {
    case OpKind::kConv2d:
    case OpKind::kDepthwiseConv2d:
      return conv(op, a, id, &out, od);
    case OpKind::kFullyConnected:
      return fully_connected(op, a, &out);
    case OpKind::kAveragePool2d:
    case OpKind::kMaxPool2d:
      return pool(op, a, id, &out, od);
    case OpKind::kMean:
      return mean(a, id, &out);
    case OpKind::kAdd:
    case OpKind::kMul:
      return elementwise(op, a, values_[static_cast<size_t>(op.inputs[1])], &out);
    case OpKind::kSoftmax:
      return softmax(a, od.c, &out);
    case OpKind::kLogistic:
      for (size_t i = 0; i < a.size(); ++i) out[i] = 1.0f / (1.0f + std::exp(-a[i]));
      return;
    case OpKind::kConcatenation:
      return concatenate(op, g_, values_, &out);
    case OpKind::kPad:
      return pad(op, g_.tensors[static_cast<size_t>(op.inputs[0])].shape, a,
                 g_.tensors[static_cast<size_t>(op.output)].shape, &out);
    case OpKind::kReshape:
      out = a;
      return;
  }
}

}  // namespace sotto::gw::model::fp
