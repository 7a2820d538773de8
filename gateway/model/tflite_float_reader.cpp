// Float TFLite -> float graph (options field numbers from TFLite's public schema, as the int8
// compiler reads them).
#include "tflite_float_reader.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>

#include "importer.h"

namespace sotto::gw::model {
namespace {

constexpr int8_t kFloat32 = 0;
constexpr int8_t kInt32 = 2;
constexpr int8_t kInt8 = 9;

class FloatTfliteReader {
 public:
  explicit FloatTfliteReader(const TfModel &m) : m_(m) {}

  fp::Graph read() {
    if (m_.inputs.size() != 1 || m_.outputs.size() != 1) {
      throw ImportError("model must have exactly one input and one output");
    }
    g_.layout = fp::Layout::kNhwc;
    g_.input = tensor(m_.inputs[0]);
    g_.source_input_shape = g_.tensors[static_cast<size_t>(g_.input)].shape;
    for (size_t i = 0; i < m_.operators.size(); ++i) {
      index_ = i;
      convert(m_.operators[i]);
    }
    const auto out = map_.find(m_.outputs[0]);
    if (out == map_.end()) throw ImportError("model output is not produced by any operator");
    g_.output = out->second;
    g_.source_output_shape = g_.tensors[static_cast<size_t>(g_.output)].shape;
    if (g_.ops.empty()) throw ImportError("model has no operators");
    return g_;
  }

 private:
  [[noreturn]] void fail(const std::string &what) const {
    throw ImportError("operator " + std::to_string(index_) + " (" +
                      builtin_op_name(m_.operators[index_].builtin) + "): " + what);
  }

  // The graph tensor of activation `t` (created when first met).
  int32_t tensor(int32_t t) {
    const auto found = map_.find(t);
    if (found != map_.end()) return found->second;
    const TfTensor &tf = m_.tensors[static_cast<size_t>(t)];
    if (tf.type != kFloat32 || !tf.data.empty()) {
      throw ImportError("tensor '" + tf.name + "' must be a FLOAT32 activation");
    }
    if (tf.shape.empty() || tf.shape.size() > 4) throw ImportError("tensor '" + tf.name + "' rank");
    for (int32_t d : tf.shape) {
      if (d < 1) throw ImportError("tensor '" + tf.name + "' has a dynamic or empty dimension");
    }
    const int32_t index = g_.add_tensor(tf.name, tf.shape);
    map_[t] = index;
    return index;
  }

  int32_t input(size_t slot) {
    const TfOperator &op = m_.operators[index_];
    if (slot >= op.inputs.size() || op.inputs[slot] < 0)
      fail("missing input " + std::to_string(slot));
    if (map_.count(op.inputs[slot]) == 0)
      fail("input " + std::to_string(slot) + " is not computed before");
    return map_[op.inputs[slot]];
  }

  const TfTensor *constant(size_t slot, int8_t type, bool optional = false) {
    const TfOperator &op = m_.operators[index_];
    if (slot >= op.inputs.size() || op.inputs[slot] < 0) {
      if (optional) return nullptr;
      fail("missing input " + std::to_string(slot));
    }
    const TfTensor &t = m_.tensors[static_cast<size_t>(op.inputs[slot])];
    if (t.type != type || t.data.empty()) {
      fail("input '" + t.name + "' must be a constant of type " +
           (type == kInt32 ? "INT32" : "FLOAT32"));
    }
    return &t;
  }

  template <typename T>
  static std::vector<T> values(const TfTensor &t) {
    std::vector<T> v(t.data.size() / sizeof(T));
    if (!v.empty()) std::memcpy(v.data(), t.data.data(), v.size() * sizeof(T));
    return v;
  }

  void set_activation(fp::Op *op, int8_t code) {
    switch (code) {
      case 0:
        return;
      case 1:
        op->act_min = 0.0f;
        return;
      case 2:
        op->act_min = -1.0f;
        op->act_max = 1.0f;
        return;
      case 3:
        op->act_min = 0.0f;
        op->act_max = 6.0f;
        return;
      default:
        fail("fused activation " + std::to_string(code) +
             "; supported: NONE, RELU, RELU_N1_TO_1, RELU6");
    }
  }

  void emit(fp::Op op) {
    const TfOperator &tf = m_.operators[index_];
    if (tf.outputs.size() != 1) fail("expects exactly one output");
    op.source = "operator " + std::to_string(index_) + " (" + builtin_op_name(tf.builtin) + ")";
    op.output = tensor(tf.outputs[0]);
    g_.ops.push_back(std::move(op));
  }

  // SAME padding as TFLite places it: the extra pixel after.
  static void same_padding(int32_t in, int32_t out, int32_t stride, int32_t dilation, int32_t k,
                           int32_t *before, int32_t *after) {
    const int32_t total = std::max(0, (out - 1) * stride + (k - 1) * dilation + 1 - in);
    *before = total / 2;
    *after = total - *before;
  }

  void window(fp::Op *op, const FlatTable &o, bool pool) {
    const std::vector<int32_t> &in = g_.tensors[static_cast<size_t>(op->inputs[0])].shape;
    const std::vector<int32_t> &out =
        m_.tensors[static_cast<size_t>(m_.operators[index_].outputs.at(0))].shape;
    if (in.size() != 4 || out.size() != 4) fail("input and output must be 4-D");
    op->stride_w = o.scalar<int32_t>(1, 1);
    op->stride_h = o.scalar<int32_t>(2, 1);
    if (o.scalar<int8_t>(0, 0) == 0) {  // SAME
      same_padding(in[1], out[1], op->stride_h, pool ? 1 : op->dilation_h, op->kernel_h,
                   &op->pad_top, &op->pad_bottom);
      same_padding(in[2], out[2], op->stride_w, pool ? 1 : op->dilation_w, op->kernel_w,
                   &op->pad_left, &op->pad_right);
    }
  }

  void weights(fp::Op *op, size_t slot) {
    const TfTensor &w = *constant(slot, kFloat32);
    op->weights = values<float>(w);
    op->weight_shape = w.shape;
    const size_t channels = static_cast<size_t>(
        op->kind == fp::OpKind::kDepthwiseConv2d ? w.shape.back() : w.shape.front());
    if (const TfTensor *b = constant(slot + 1, kFloat32, true)) {
      op->bias = values<float>(*b);
      if (op->bias.size() != channels) fail("bias needs one value per output channel");
    }
  }

  void convert(const TfOperator &tf) {
    fp::Op op;
    const FlatTable &o = tf.options;
    switch (tf.builtin) {
      case 3:
      case 4: {
        const bool dw = tf.builtin == 4;
        op.kind = dw ? fp::OpKind::kDepthwiseConv2d : fp::OpKind::kConv2d;
        op.inputs = {input(0)};
        weights(&op, 1);
        if (op.weight_shape.size() != 4) fail("filter must be 4-D");
        op.kernel_h = op.weight_shape[1];
        op.kernel_w = op.weight_shape[2];
        op.dilation_w = o.scalar<int32_t>(dw ? 5 : 4, 1);
        op.dilation_h = o.scalar<int32_t>(dw ? 6 : 5, 1);
        if (dw) {
          const int32_t in_c = g_.tensors[static_cast<size_t>(op.inputs[0])].shape.back();
          op.depth_multiplier = op.weight_shape[3] / in_c;
        }
        window(&op, o, false);
        set_activation(&op, o.scalar<int8_t>(dw ? 4 : 3, 0));
        return emit(std::move(op));
      }
      case 9:
        op.kind = fp::OpKind::kFullyConnected;
        op.inputs = {input(0)};
        weights(&op, 1);
        if (op.weight_shape.size() != 2) fail("weights must be 2-D");
        set_activation(&op, o.scalar<int8_t>(0, 0));
        return emit(std::move(op));
      case 1:
      case 17:
        op.kind = tf.builtin == 1 ? fp::OpKind::kAveragePool2d : fp::OpKind::kMaxPool2d;
        op.inputs = {input(0)};
        op.kernel_w = o.scalar<int32_t>(3, 1);
        op.kernel_h = o.scalar<int32_t>(4, 1);
        window(&op, o, true);
        set_activation(&op, o.scalar<int8_t>(5, 0));
        return emit(std::move(op));
      case 40: {
        op.kind = fp::OpKind::kMean;
        op.inputs = {input(0)};
        std::vector<int32_t> axes = values<int32_t>(*constant(1, kInt32));
        for (int32_t &a : axes) a = a < 0 ? a + 4 : a;
        std::sort(axes.begin(), axes.end());
        if (g_.tensors[static_cast<size_t>(op.inputs[0])].shape.size() != 4 ||
            axes != std::vector<int32_t>{1, 2}) {
          fail("axes; supported: mean over H and W (axes 1, 2) of a 4-D tensor");
        }
        return emit(std::move(op));
      }
      case 0:
      case 18:
        op.kind = tf.builtin == 0 ? fp::OpKind::kAdd : fp::OpKind::kMul;
        op.inputs = {input(0), input(1)};
        set_activation(&op, o.scalar<int8_t>(0, 0));
        return emit(std::move(op));
      case 25:
        if (o.scalar<float>(0, 1.0f) != 1.0f) fail("beta; supported: 1");
        op.kind = fp::OpKind::kSoftmax;
        op.inputs = {input(0)};
        return emit(std::move(op));
      case 14:
        op.kind = fp::OpKind::kLogistic;
        op.inputs = {input(0)};
        return emit(std::move(op));
      case 2: {
        op.kind = fp::OpKind::kConcatenation;
        for (size_t slot = 0; slot < tf.inputs.size(); ++slot) op.inputs.push_back(input(slot));
        const auto rank =
            static_cast<int32_t>(m_.tensors[static_cast<size_t>(tf.outputs.at(0))].shape.size());
        op.axis = o.scalar<int32_t>(0, 0);
        if (op.axis < 0) op.axis += rank;
        if (op.axis < 0 || op.axis >= rank) fail("axis out of range");
        if (o.scalar<int8_t>(1, 0) != 0) fail("fused activation; supported: none");
        return emit(std::move(op));
      }
      case 34: {
        op.kind = fp::OpKind::kPad;
        op.inputs = {input(0)};
        const std::vector<int32_t> p = values<int32_t>(*constant(1, kInt32));
        const size_t rank = g_.tensors[static_cast<size_t>(op.inputs[0])].shape.size();
        if (p.size() != 2 * rank) fail("paddings must be [rank, 2] int32");
        for (size_t d = 0; d < rank; ++d) {
          op.pad_before.push_back(p[2 * d]);
          op.pad_after.push_back(p[2 * d + 1]);
        }
        return emit(std::move(op));
      }
      case 22:
        op.kind = fp::OpKind::kReshape;
        op.inputs = {input(0)};
        return emit(std::move(op));
      case 19:
      case 21:
        return fuse_relu(tf.builtin == 21);
      default:
        throw ImportError("unsupported operator " + std::string(builtin_op_name(tf.builtin)) +
                          " (builtin code " + std::to_string(tf.builtin) + ") at index " +
                          std::to_string(index_) +
                          "; supported in float models: CONV_2D, DEPTHWISE_CONV_2D, "
                          "FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D, ADD, MUL, RESHAPE, "
                          "SOFTMAX, LOGISTIC, CONCATENATION, PAD, MEAN, RELU, RELU6");
    }
  }

  // A standalone RELU/RELU6 becomes the fused clamp of the op that wrote its input.
  void fuse_relu(bool six) {
    const TfOperator &tf = m_.operators[index_];
    const int32_t in = input(0);
    for (const TfOperator &other : m_.operators) {
      if (&other == &tf) continue;
      for (int32_t t : other.inputs) {
        if (t == tf.inputs[0]) fail("its input is also read by another operator");
      }
    }
    const int32_t producer = g_.producer(in);
    if (producer < 0) fail("its input is the model input");
    fp::Op &op = g_.ops[static_cast<size_t>(producer)];
    if (op.kind == fp::OpKind::kSoftmax || op.kind == fp::OpKind::kLogistic ||
        op.kind == fp::OpKind::kConcatenation || op.kind == fp::OpKind::kPad ||
        op.kind == fp::OpKind::kReshape || op.kind == fp::OpKind::kMean) {
      fail(std::string("cannot fuse into the ") + fp::op_kind_name(op.kind) + " before it");
    }
    op.act_min = std::max(op.act_min, 0.0f);
    if (six) op.act_max = std::min(op.act_max, 6.0f);
    map_[tf.outputs.at(0)] = in;
  }

  const TfModel &m_;
  fp::Graph g_;
  std::map<int32_t, int32_t> map_;
  size_t index_ = 0;
};

}  // namespace

bool is_float_tflite(const TfModel &model) {
  for (const TfTensor &t : model.tensors) {
    if (t.type == kInt8) return false;
  }
  return model.inputs.size() == 1 &&
         model.tensors[static_cast<size_t>(model.inputs[0])].type == kFloat32;
}

fp::Graph read_float_tflite(const TfModel &model) {
  return FloatTfliteReader(model).read();
}

}  // namespace sotto::gw::model
