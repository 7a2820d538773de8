// One GraphBuilder method per supported ONNX operator: reads the node's attributes and
// constants, converts weights and shapes from channels-first to NHWC, and emits (or fuses into
// the op before it) the float graph op.
#include <algorithm>
#include <cmath>

#include "onnx_graph_builder.h"

namespace sotto::gw::model::onnx_import {
namespace {

bool has_clamp(const fp::Op &op) {
  return !std::isinf(op.act_min) || !std::isinf(op.act_max);
}

// The device axis of source axis `axis` (channels first, rank 2..4).
int32_t device_axis(size_t rank, int64_t axis) {
  if (rank <= 2) return static_cast<int32_t>(axis);
  if (rank == 3) return axis == 1 ? 3 : 2;
  return axis == 1 ? 3 : static_cast<int32_t>(axis - 1);
}

size_t channel_count(const fp::Op &op) {
  if (op.kind == fp::OpKind::kDepthwiseConv2d) return static_cast<size_t>(op.weight_shape[3]);
  return static_cast<size_t>(op.weight_shape[0]);
}

// Multiplies output channel o's weights by factor[o] (conv, depthwise, fully connected).
void scale_channels(fp::Op *op, const std::vector<float> &factor) {
  const size_t channels = channel_count(*op);
  const size_t per = op->weights.size() / channels;
  for (size_t i = 0; i < op->weights.size(); ++i) {
    const size_t o = op->kind == fp::OpKind::kDepthwiseConv2d ? i % channels : i / per;
    op->weights[i] *= factor[o];
  }
}

}  // namespace

void GraphBuilder::read_window(fp::Op *op, const std::vector<int32_t> &in, int64_t kernel_h,
                               int64_t kernel_w, std::vector<int32_t> *out) {
  const size_t spatial = in.size() - 2;
  std::vector<int64_t> strides = attr_ints("strides"), dilations = attr_ints("dilations"),
                       pads = attr_ints("pads");
  if (strides.empty()) strides.assign(spatial, 1);
  if (dilations.empty()) dilations.assign(spatial, 1);
  if (pads.empty()) pads.assign(2 * spatial, 0);
  if (strides.size() != spatial || dilations.size() != spatial || pads.size() != 2 * spatial) {
    fail("strides, dilations or pads do not match the " + std::to_string(spatial) +
         " spatial dims");
  }
  const std::vector<int64_t> kernel =
      spatial == 1 ? std::vector<int64_t>{kernel_w} : std::vector<int64_t>{kernel_h, kernel_w};
  const std::string auto_pad = attr_string("auto_pad", "NOTSET");
  for (size_t d = 0; d < spatial; ++d) {
    if (strides[d] < 1 || dilations[d] < 1 || kernel[d] < 1 || pads[d] < 0 || pads[d + spatial] < 0)
      fail("strides, dilations and kernel must be positive and pads not negative");
    const int64_t size = in[2 + d], effective = (kernel[d] - 1) * dilations[d] + 1;
    if (auto_pad == "VALID") {
      pads[d] = pads[d + spatial] = 0;
    } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      const int64_t wanted = (size + strides[d] - 1) / strides[d];
      const int64_t total = std::max<int64_t>(0, (wanted - 1) * strides[d] + effective - size);
      pads[d] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      pads[d + spatial] = total - pads[d];
    } else if (auto_pad != "NOTSET") {
      fail("auto_pad '" + auto_pad + "'; supported: NOTSET, VALID, SAME_UPPER, SAME_LOWER");
    }
    const int64_t span = size + pads[d] + pads[d + spatial] - effective;
    if (span < 0) fail("window larger than the padded input");
    out->push_back(static_cast<int32_t>(span / strides[d] + 1));
  }
  const size_t h = spatial == 2 ? 0 : SIZE_MAX, w = spatial - 1;
  op->kernel_h = static_cast<int32_t>(kernel_h);
  op->kernel_w = static_cast<int32_t>(kernel_w);
  op->stride_w = static_cast<int32_t>(strides[w]);
  op->dilation_w = static_cast<int32_t>(dilations[w]);
  op->pad_left = static_cast<int32_t>(pads[w]);
  op->pad_right = static_cast<int32_t>(pads[w + spatial]);
  if (h != SIZE_MAX) {
    op->stride_h = static_cast<int32_t>(strides[h]);
    op->dilation_h = static_cast<int32_t>(dilations[h]);
    op->pad_top = static_cast<int32_t>(pads[h]);
    op->pad_bottom = static_cast<int32_t>(pads[h + spatial]);
  }
}

void GraphBuilder::conv() {
  const Value &in = value(input_name(0));
  const std::vector<int32_t> &s = in.source_shape;
  if (s.size() != 3 && s.size() != 4) fail("input must be [N, C, L] or [N, C, H, W]");
  const Constant &w = constant(input_name(1), "weights");
  if (!w.is_float || w.dims.size() != s.size()) fail("weights must be FLOAT of the input's rank");
  const int64_t group = attr_int("group", 1);
  const int32_t in_c = s[1];
  const auto out_c = static_cast<int32_t>(w.dims[0]);
  if (group < 1 || w.dims[1] * group != in_c || out_c % group != 0)
    fail("weights " + std::to_string(w.dims[1]) + " channels per group x group " +
         std::to_string(group) + " do not match the input's " + std::to_string(in_c));
  const int32_t kh = s.size() == 4 ? static_cast<int32_t>(w.dims[2]) : 1;
  const auto kw = static_cast<int32_t>(w.dims.back());
  fp::Op op;
  op.inputs = {in.tensor};
  const size_t taps = static_cast<size_t>(kh) * static_cast<size_t>(kw);
  if (group == 1) {
    op.kind = fp::OpKind::kConv2d;
    op.weight_shape = {out_c, kh, kw, in_c};
    op.weights.resize(w.floats.size());
    for (int32_t o = 0; o < out_c; ++o)
      for (int32_t c = 0; c < in_c; ++c)
        for (size_t t = 0; t < taps; ++t)
          op.weights[(static_cast<size_t>(o) * taps + t) * in_c + c] =
              w.floats[(static_cast<size_t>(o) * in_c + c) * taps + t];
  } else if (group == in_c) {
    op.kind = fp::OpKind::kDepthwiseConv2d;
    op.depth_multiplier = out_c / in_c;
    op.weight_shape = {1, kh, kw, out_c};
    op.weights.resize(w.floats.size());
    for (int32_t o = 0; o < out_c; ++o)
      for (size_t t = 0; t < taps; ++t)
        op.weights[t * out_c + o] = w.floats[static_cast<size_t>(o) * taps + t];
  } else {
    fail("group " + std::to_string(group) + " of " + std::to_string(in_c) +
         " input channels; supported: 1, or one group per input channel (depthwise)");
  }
  if (has_input(2)) {
    const Constant &b = constant(input_name(2), "bias");
    if (!b.is_float || b.floats.size() != static_cast<size_t>(out_c))
      fail("bias must be FLOAT with one value per output channel");
    op.bias = b.floats;
  }
  std::vector<int32_t> out_spatial;
  read_window(&op, s, kh, kw, &out_spatial);
  std::vector<int32_t> out = {s[0], out_c};
  out.insert(out.end(), out_spatial.begin(), out_spatial.end());
  emit(std::move(op), out);
}

void GraphBuilder::gemm(bool matmul) {
  const Value &a = value(input_name(0));
  if (a.source_shape.size() != 2)
    fail("input must be [N, features], got " + fp::dims_text(a.source_shape));
  if (!matmul && attr_int("transA", 0) != 0) fail("transA 1; supported: 0");
  const Constant &b = constant(input_name(1), "second input");
  if (!b.is_float || b.dims.size() != 2) fail("second input must be a FLOAT matrix");
  const bool transposed = !matmul && attr_int("transB", 0) != 0;
  const auto k = static_cast<int32_t>(transposed ? b.dims[1] : b.dims[0]);
  const auto m = static_cast<int32_t>(transposed ? b.dims[0] : b.dims[1]);
  if (k != a.source_shape[1]) {
    fail("weights take " + std::to_string(k) + " features, the input has " +
         std::to_string(a.source_shape[1]));
  }
  const float alpha = matmul ? 1.0f : attr_float("alpha", 1.0f);
  fp::Op op;
  op.kind = fp::OpKind::kFullyConnected;
  op.inputs = {a.tensor};
  op.weight_shape = {m, k};
  op.weights.resize(static_cast<size_t>(m) * k);
  // Column j of a flattened channels-first input sits at NHWC position (h, w, c).
  const std::vector<int32_t> &chw = a.flattened_chw;
  const size_t plane = chw.empty() ? 0 : static_cast<size_t>(chw[1]) * chw[2];
  for (size_t o = 0; o < static_cast<size_t>(m); ++o) {
    for (size_t j = 0; j < static_cast<size_t>(k); ++j) {
      const size_t src = chw.empty() ? j : (j % chw[0]) * plane + j / chw[0];
      const float v = transposed ? b.floats[o * k + src] : b.floats[src * m + o];
      op.weights[o * k + j] = alpha * v;
    }
  }
  if (!matmul && has_input(2)) {
    const Constant &c = constant(input_name(2), "bias");
    if (!c.is_float || (c.floats.size() != 1 && c.floats.size() != static_cast<size_t>(m)))
      fail("bias must be FLOAT with 1 or " + std::to_string(m) + " values");
    const float beta = attr_float("beta", 1.0f);
    op.bias.resize(static_cast<size_t>(m));
    for (size_t o = 0; o < op.bias.size(); ++o)
      op.bias[o] = beta * c.floats[c.floats.size() == 1 ? 0 : o];
  }
  emit(std::move(op), {a.source_shape[0], m});
}

void GraphBuilder::relu_or_clip(bool clip) {
  const std::string &input = input_name(0);
  fp::Op *producer = fusable_producer(
      input, clip ? "Clip fuses into the op before it" : "Relu fuses into the op before it");
  switch (producer->kind) {
    case fp::OpKind::kConv2d:
    case fp::OpKind::kDepthwiseConv2d:
    case fp::OpKind::kFullyConnected:
    case fp::OpKind::kAdd:
    case fp::OpKind::kMul:
    case fp::OpKind::kAveragePool2d:
    case fp::OpKind::kMaxPool2d:
      break;
    default:
      fail(std::string("cannot fuse into the ") + fp::op_kind_name(producer->kind) +
           " before it; supported: after Conv, Gemm, MatMul, Add, Mul or a pool");
  }
  float lo = 0.0f, hi = std::numeric_limits<float>::infinity();
  if (clip) {
    lo = -std::numeric_limits<float>::infinity();
    if (opset_ >= 11) {
      if (has_input(1)) lo = constant(input_name(1), "min").floats.at(0);
      if (has_input(2)) hi = constant(input_name(2), "max").floats.at(0);
    } else {
      lo = attr_float("min", lo);
      hi = attr_float("max", hi);
    }
    if (lo > 0.0f || hi < 0.0f) {
      fail("range [" + std::to_string(lo) + ", " + std::to_string(hi) +
           "] excludes 0; supported: ranges containing 0");
    }
  }
  producer->act_min = std::max(producer->act_min, lo);
  producer->act_max = std::min(producer->act_max, hi);
  alias_output(input);
}

void GraphBuilder::batch_norm() {
  const std::string &input = input_name(0);
  fp::Op *conv = fusable_producer(input, "BatchNormalization folds into the Conv before it");
  if ((conv->kind != fp::OpKind::kConv2d && conv->kind != fp::OpKind::kDepthwiseConv2d) ||
      has_clamp(*conv)) {
    fail(std::string("BatchNormalization folds only into a Conv before it without an "
                     "activation between; found ") +
         fp::op_kind_name(conv->kind));
  }
  const size_t channels = channel_count(*conv);
  const Constant *p[4];
  const char *roles[4] = {"scale", "bias", "mean", "var"};
  for (size_t i = 0; i < 4; ++i) {
    p[i] = &constant(input_name(i + 1), roles[i]);
    if (!p[i]->is_float || p[i]->floats.size() != channels)
      fail(std::string(roles[i]) + " must be FLOAT with one value per channel");
  }
  const float epsilon = attr_float("epsilon", 1e-5f);
  std::vector<float> factor(channels);
  if (conv->bias.empty()) conv->bias.assign(channels, 0.0f);
  for (size_t o = 0; o < channels; ++o) {
    factor[o] = p[0]->floats[o] / std::sqrt(p[3]->floats[o] + epsilon);
    conv->bias[o] = (conv->bias[o] - p[2]->floats[o]) * factor[o] + p[1]->floats[o];
  }
  scale_channels(conv, factor);
  alias_output(input);
}

void GraphBuilder::add_or_mul(bool add) {
  const std::string &a_name = input_name(0), &b_name = input_name(1);
  if (is_constant(a_name) || is_constant(b_name)) {
    const bool a_const = is_constant(a_name);
    const std::string &other = a_const ? b_name : a_name;
    const Constant &c = constant(a_const ? a_name : b_name, "constant operand");
    fp::Op *op =
        fusable_producer(other, add ? "Add of a constant folds into the bias before it"
                                    : "Mul by a constant folds into the weights before it");
    if ((op->kind != fp::OpKind::kConv2d && op->kind != fp::OpKind::kDepthwiseConv2d &&
         op->kind != fp::OpKind::kFullyConnected) ||
        has_clamp(*op)) {
      fail(std::string("a constant operand folds only into a Conv, Gemm or MatMul right before "
                       "it; found ") +
           fp::op_kind_name(op->kind));
    }
    const size_t channels = channel_count(*op);
    const std::vector<int32_t> &s = value(other).source_shape;
    // The constant may vary along the channel axis (1) only, right-aligned against the input.
    const size_t skip = s.size() >= c.dims.size() ? s.size() - c.dims.size() : 0;
    for (size_t d = 0; d < c.dims.size(); ++d) {
      if (c.dims[d] != 1 && (skip + d != 1 || static_cast<size_t>(c.dims[d]) != channels)) {
        fail(
            "constant operand is not per channel; supported: a scalar or one value per "
            "channel");
      }
    }
    if (!c.is_float || (c.floats.size() != 1 && c.floats.size() != channels)) {
      fail("constant operand must be FLOAT with 1 or " + std::to_string(channels) + " values");
    }
    const auto at = [&](size_t o) { return c.floats[c.floats.size() == 1 ? 0 : o]; };
    if (op->bias.empty()) op->bias.assign(channels, 0.0f);
    if (add) {
      for (size_t o = 0; o < channels; ++o) op->bias[o] += at(o);
    } else {
      std::vector<float> factor(channels);
      for (size_t o = 0; o < channels; ++o) {
        factor[o] = at(o);
        op->bias[o] *= factor[o];
      }
      scale_channels(op, factor);
    }
    alias_output(other);
    return;
  }
  const Value &a = value(a_name), &b = value(b_name);
  const Value &big = a.source_shape.size() >= b.source_shape.size() ? a : b;
  const Value &small = &big == &a ? b : a;
  const std::vector<int32_t> out =
      fp::Tensor{"", big.source_shape}.elements() >= fp::Tensor{"", small.source_shape}.elements()
          ? big.source_shape
          : small.source_shape;
  if (a.flattened_chw != b.flattened_chw) {
    fail("operands in different element orders (one a flattened channels-first tensor)");
  }
  for (const Value *v : {&a, &b}) {
    const std::vector<int32_t> d = device_shape(v->source_shape), o = device_shape(out);
    const size_t n = fp::Tensor{"", d}.elements();
    const bool last_only = n == static_cast<size_t>(d.back()) && d.back() == o.back();
    if (d != o && n != 1 && !last_only) {
      fail("broadcast of " + fp::dims_text(v->source_shape) + " to " + fp::dims_text(out) +
           "; supported: equal shapes, a single element, or one value per channel");
    }
  }
  fp::Op op;
  op.kind = add ? fp::OpKind::kAdd : fp::OpKind::kMul;
  op.inputs = {a.tensor, b.tensor};
  emit(std::move(op), out, a.flattened_chw);
}

void GraphBuilder::pool(bool average, bool global) {
  const Value &in = value(input_name(0));
  const std::vector<int32_t> &s = in.source_shape;
  if (s.size() != 3 && s.size() != 4) fail("input must be [N, C, L] or [N, C, H, W]");
  fp::Op op;
  op.inputs = {in.tensor};
  if (global) {
    op.kind = fp::OpKind::kMean;
    std::vector<int32_t> out(s.size(), 1);
    out[0] = s[0];
    out[1] = s[1];
    emit(std::move(op), out);
    return;
  }
  op.kind = average ? fp::OpKind::kAveragePool2d : fp::OpKind::kMaxPool2d;
  const std::vector<int64_t> kernel = attr_ints("kernel_shape");
  if (kernel.size() != s.size() - 2) fail("kernel_shape must give every spatial dim");
  if (attr_int("ceil_mode", 0) != 0) fail("ceil_mode 1; supported: 0");
  for (int64_t d : attr_ints("dilations")) {
    if (d != 1) fail("dilations; supported: 1");
  }
  if (attr_int("storage_order", 0) != 0) fail("storage_order 1; supported: 0");
  std::vector<int32_t> out_spatial;
  read_window(&op, s, kernel.size() == 2 ? kernel[0] : 1, kernel.back(), &out_spatial);
  const bool padded = op.pad_top || op.pad_left || op.pad_bottom || op.pad_right;
  if (average && padded && attr_int("count_include_pad", 0) != 0) {
    // Padding counted in the average is an explicit zero PAD before an unpadded pool.
    fp::Op pad;
    pad.kind = fp::OpKind::kPad;
    pad.source = "node '" + node_->name() + "' (AveragePool padding)";
    pad.inputs = {in.tensor};
    pad.pad_before = {0, op.pad_top, op.pad_left, 0};
    pad.pad_after = {0, op.pad_bottom, op.pad_right, 0};
    std::vector<int32_t> padded_shape = graph_.tensors[static_cast<size_t>(in.tensor)].shape;
    padded_shape[1] += op.pad_top + op.pad_bottom;
    padded_shape[2] += op.pad_left + op.pad_right;
    pad.output = graph_.add_tensor(node_->output(0) + "/padded", padded_shape);
    op.inputs = {pad.output};
    graph_.ops.push_back(pad);
    op.pad_top = op.pad_left = op.pad_bottom = op.pad_right = 0;
  } else if (padded) {
    // The engine pads a pool as TFLite's SAME does: before = total / 2, the rest after.
    const auto before = [](int32_t in_size, int32_t out_size, int32_t stride, int32_t k) {
      return std::max(0, ((out_size - 1) * stride + k - in_size) / 2);
    };
    const int32_t in_h = s.size() == 4 ? s[2] : 1, out_h = s.size() == 4 ? out_spatial[0] : 1;
    if (op.pad_top != before(in_h, out_h, op.stride_h, op.kernel_h) ||
        op.pad_left != before(s.back(), out_spatial.back(), op.stride_w, op.kernel_w)) {
      fail(
          "pads put more padding before than after; supported: pads as SAME padding places "
          "them (the extra one after)");
    }
  }
  std::vector<int32_t> out = {s[0], s[1]};
  out.insert(out.end(), out_spatial.begin(), out_spatial.end());
  emit(std::move(op), out);
}

void GraphBuilder::flatten_or_reshape(bool flatten) {
  const Value &in = value(input_name(0));
  const std::vector<int32_t> &s = in.source_shape;
  const size_t total = fp::Tensor{"", s}.elements();
  std::vector<int32_t> out;
  if (flatten) {
    int64_t axis = attr_int("axis", 1);
    if (axis < 0) axis += static_cast<int64_t>(s.size());
    if (axis != 1) fail("axis " + std::to_string(axis) + "; supported: 1");
    out = {s[0], static_cast<int32_t>(total / static_cast<size_t>(s[0]))};
  } else {
    const Constant &shape = constant(input_name(1), "shape");
    int64_t known = 1;
    int inferred = -1;
    for (size_t d = 0; d < shape.ints.size(); ++d) {
      int64_t v = shape.ints[d];
      if (v == 0 && d < s.size()) v = s[d];
      if (v == -1 && inferred < 0) {
        inferred = static_cast<int>(d);
        out.push_back(1);
        continue;
      }
      if (v < 1) fail("shape entry " + std::to_string(shape.ints[d]) + " at " + std::to_string(d));
      out.push_back(static_cast<int32_t>(v));
      known *= v;
    }
    if (inferred >= 0)
      out[static_cast<size_t>(inferred)] =
          static_cast<int32_t>(static_cast<int64_t>(total) / known);
    if (fp::Tensor{"", out}.elements() != total)
      fail("shape " + fp::dims_text(out) + " does not hold the input's " + std::to_string(total) +
           " elements");
    if (out.size() < 2 || out.size() > 4 || out[0] != s[0]) {
      fail("shape " + fp::dims_text(out) + "; supported: [N, features], [N, C, L] or [N, C, H, W]");
    }
  }
  // Device order equals source order only when channels or spatial positions are trivial.
  const auto trivial = [](const std::vector<int32_t> &shape) {
    if (shape.size() <= 2) return true;
    const size_t spatial =
        fp::Tensor{"", shape}.elements() / static_cast<size_t>(shape[0] * shape[1]);
    return shape[1] == 1 || spatial == 1;
  };
  std::vector<int32_t> chw = in.flattened_chw;
  if (out.size() == 2 && !trivial(s)) {
    chw = {s[1], s.size() == 4 ? s[2] : 1, s.back()};
  } else if (out.size() > 2 && (!trivial(out) || !in.flattened_chw.empty())) {
    fail("reshape of " + fp::dims_text(s) + " to channels-first " + fp::dims_text(out) +
         " would reorder elements on the device; supported: flattening to [N, features]");
  } else if (out.size() == 2 && s.size() == 2 && !chw.empty() && out != s) {
    fail("reshape of a flattened channels-first tensor; supported: Gemm/MatMul right after it");
  }
  fp::Op op;
  op.kind = fp::OpKind::kReshape;
  op.inputs = {in.tensor};
  emit(std::move(op), out, chw);
}

void GraphBuilder::softmax() {
  const Value &in = value(input_name(0));
  const auto rank = static_cast<int64_t>(in.source_shape.size());
  int64_t axis = attr_int("axis", opset_ >= 13 ? -1 : 1);
  if (axis < 0) axis += rank;
  if (axis != 1) {
    fail("axis " + std::to_string(axis) + "; supported: the feature/channel axis (1)");
  }
  if (!in.flattened_chw.empty()) fail("softmax over a flattened channels-first tensor");
  fp::Op op;
  op.kind = fp::OpKind::kSoftmax;
  op.inputs = {in.tensor};
  emit(std::move(op), in.source_shape);
}

void GraphBuilder::sigmoid() {
  const Value &in = value(input_name(0));
  fp::Op op;
  op.kind = fp::OpKind::kLogistic;
  op.inputs = {in.tensor};
  emit(std::move(op), in.source_shape, in.flattened_chw);
}

void GraphBuilder::concat() {
  if (node_->input_size() < 1) fail("expects inputs");
  const Value &first = value(input_name(0));
  const size_t rank = first.source_shape.size();
  int64_t axis = attr_int("axis", INT64_MIN);
  if (axis == INT64_MIN) fail("missing axis");
  if (axis < 0) axis += static_cast<int64_t>(rank);
  if (axis < 1 || axis >= static_cast<int64_t>(rank))
    fail("axis " + std::to_string(axis) + "; supported: 1 to rank - 1");
  fp::Op op;
  op.kind = fp::OpKind::kConcatenation;
  op.axis = device_axis(rank, axis);
  std::vector<int32_t> out = first.source_shape;
  out[static_cast<size_t>(axis)] = 0;
  for (int i = 0; i < node_->input_size(); ++i) {
    const Value &v = value(input_name(static_cast<size_t>(i)));
    if (!v.flattened_chw.empty()) fail("concatenation of a flattened channels-first tensor");
    if (v.source_shape.size() != rank) fail("inputs of different ranks");
    for (size_t d = 0; d < rank; ++d) {
      if (d != static_cast<size_t>(axis) && v.source_shape[d] != first.source_shape[d])
        fail("inputs differ outside the axis");
    }
    out[static_cast<size_t>(axis)] += v.source_shape[static_cast<size_t>(axis)];
    op.inputs.push_back(v.tensor);
  }
  emit(std::move(op), out);
}

void GraphBuilder::pad() {
  const Value &in = value(input_name(0));
  const std::vector<int32_t> &s = in.source_shape;
  if (attr_string("mode", "constant") != "constant") fail("mode; supported: constant");
  std::vector<int64_t> pads;
  float fill = 0.0f;
  if (opset_ >= 11) {
    pads = constant(input_name(1), "pads").ints;
    if (has_input(2)) fill = constant(input_name(2), "constant_value").floats.at(0);
  } else {
    pads = attr_ints("pads");
    fill = attr_float("value", 0.0f);
  }
  if (fill != 0.0f) fail("constant_value " + std::to_string(fill) + "; supported: 0");
  if (pads.size() != 2 * s.size()) fail("pads must hold 2 values per dim");
  if (!in.flattened_chw.empty()) fail("padding a flattened channels-first tensor");
  std::vector<int32_t> out = s;
  std::vector<int32_t> before(s.size()), after(s.size());
  for (size_t d = 0; d < s.size(); ++d) {
    if (pads[d] < 0 || pads[d + s.size()] < 0) fail("negative pads; supported: padding only");
    if (d == 0 && (pads[0] || pads[s.size()])) fail("padding the batch dim");
    out[d] += static_cast<int32_t>(pads[d] + pads[d + s.size()]);
    before[d] = static_cast<int32_t>(pads[d]);
    after[d] = static_cast<int32_t>(pads[d + s.size()]);
  }
  fp::Op op;
  op.kind = fp::OpKind::kPad;
  op.inputs = {in.tensor};
  op.pad_before = device_shape(before);
  op.pad_after = device_shape(after);
  if (s.size() == 3) op.pad_before[1] = op.pad_after[1] = 0;
  emit(std::move(op), out);
}

}  // namespace sotto::gw::model::onnx_import
