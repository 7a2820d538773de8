// Walks an ONNX graph node by node: constants and the input first, then each node converted by
// its GraphBuilder method (onnx_ops.cpp). Shapes are tracked from the input forwards, so the
// model needs no value_info.
#include "onnx_reader.h"

#include <cstring>

#include "importer.h"
#include "onnx_graph_builder.h"

namespace sotto::gw::model {
namespace onnx_import {

const char *const kSupportedOnnxOps =
    "supported: Conv (incl. depthwise via group), Gemm, MatMul, Relu, Clip, Add, Mul, "
    "AveragePool, MaxPool, GlobalAveragePool, Flatten, Reshape, Softmax, Sigmoid, Concat, Pad, "
    "BatchNormalization (after a Conv)";

namespace {

const char *element_type_name(int32_t t) {
  switch (t) {
    case onnx::TensorProto::FLOAT:
      return "FLOAT";
    case onnx::TensorProto::DOUBLE:
      return "DOUBLE";
    case onnx::TensorProto::FLOAT16:
      return "FLOAT16";
    case onnx::TensorProto::INT8:
      return "INT8";
    case onnx::TensorProto::UINT8:
      return "UINT8";
    case onnx::TensorProto::INT32:
      return "INT32";
    case onnx::TensorProto::INT64:
      return "INT64";
    default:
      return "OTHER";
  }
}

template <typename T>
std::vector<T> raw_values(const onnx::TensorProto &t, size_t count) {
  const std::string &raw = t.raw_data();
  if (raw.size() != count * sizeof(T)) {
    throw ImportError("constant '" + t.name() + "' holds " + std::to_string(raw.size()) +
                      " raw bytes; its shape needs " + std::to_string(count * sizeof(T)));
  }
  std::vector<T> v(count);
  if (count) std::memcpy(v.data(), raw.data(), raw.size());
  return v;
}

Constant read_constant(const onnx::TensorProto &t) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    throw ImportError("constant '" + t.name() +
                      "' keeps its data in an external file; supported: data inside the model");
  }
  Constant c;
  size_t count = 1;
  for (int64_t d : t.dims()) {
    if (d < 0) throw ImportError("constant '" + t.name() + "' has a negative dimension");
    c.dims.push_back(d);
    count *= static_cast<size_t>(d);
  }
  const bool raw = t.has_raw_data();
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      c.is_float = true;
      c.floats = raw ? raw_values<float>(t, count)
                     : std::vector<float>(t.float_data().begin(), t.float_data().end());
      if (c.floats.size() != count) break;
      return c;
    case onnx::TensorProto::INT64:
      c.ints = raw ? raw_values<int64_t>(t, count)
                   : std::vector<int64_t>(t.int64_data().begin(), t.int64_data().end());
      if (c.ints.size() != count) break;
      return c;
    case onnx::TensorProto::INT32: {
      const std::vector<int32_t> v =
          raw ? raw_values<int32_t>(t, count)
              : std::vector<int32_t>(t.int32_data().begin(), t.int32_data().end());
      c.ints.assign(v.begin(), v.end());
      if (c.ints.size() != count) break;
      return c;
    }
    default:
      throw ImportError("constant '" + t.name() + "' has element type " +
                        element_type_name(t.data_type()) + "; supported: FLOAT, INT64, INT32");
  }
  throw ImportError("constant '" + t.name() +
                    "' holds a different number of values than its "
                    "shape needs");
}

}  // namespace

GraphBuilder::GraphBuilder(const onnx::ModelProto &model) : model_(model) {
  for (const auto &o : model.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx") opset_ = o.version();
  }
  const onnx::GraphProto &g = model.graph();
  for (const auto &init : g.initializer()) constants_[init.name()] = read_constant(init);
  for (const auto &node : g.node()) {
    if (node.op_type() == "Constant" && node.output_size() == 1) {
      for (const auto &a : node.attribute()) {
        if (a.name() == "value" && a.has_t()) constants_[node.output(0)] = read_constant(a.t());
      }
    }
    for (const auto &in : node.input()) ++consumers_[in];
  }
  for (const auto &o : g.output()) {
    outputs_.push_back(o.name());
    ++consumers_[o.name()];
  }
}

fp::Graph GraphBuilder::build() {
  const onnx::GraphProto &g = model_.graph();
  const onnx::ValueInfoProto *input = nullptr;
  for (const auto &in : g.input()) {
    if (is_constant(in.name())) continue;
    if (input) throw ImportError("model has more than one input; supported: exactly one");
    input = &in;
  }
  if (!input) throw ImportError("model has no input");
  if (outputs_.size() != 1) throw ImportError("model must have exactly one output");
  const auto &type = input->type().tensor_type();
  if (type.elem_type() != onnx::TensorProto::FLOAT) {
    throw ImportError("input '" + input->name() + "' has element type " +
                      element_type_name(type.elem_type()) + "; supported: FLOAT");
  }
  std::vector<int32_t> shape;
  for (int d = 0; d < type.shape().dim_size(); ++d) {
    const auto &dim = type.shape().dim(d);
    if (dim.has_dim_value() && dim.dim_value() > 0) {
      shape.push_back(static_cast<int32_t>(dim.dim_value()));
    } else if (d == 0) {
      shape.push_back(1);  // a symbolic batch: the device runs one sample at a time
    } else {
      throw ImportError("input '" + input->name() + "' dimension " + std::to_string(d) +
                        " is not a fixed size; supported: fixed sizes (the batch may be symbolic)");
    }
  }
  if (shape.size() < 2 || shape.size() > 4 || shape[0] != 1) {
    throw ImportError("input '" + input->name() +
                      "' must be [1, features], [1, C, L] or [1, C, H, W]");
  }
  graph_.layout = fp::Layout::kNchw;
  graph_.source_input_shape = shape;
  Value in;
  in.tensor = graph_.add_tensor(input->name(), device_shape(shape));
  in.source_shape = shape;
  values_[input->name()] = in;
  graph_.input = in.tensor;
  for (int i = 0; i < g.node_size(); ++i) {
    node_ = &g.node(i);
    node_index_ = static_cast<size_t>(i);
    if (node_->op_type() == "Constant") continue;
    convert(*node_);
  }
  const auto out = values_.find(outputs_[0]);
  if (out == values_.end()) throw ImportError("model output '" + outputs_[0] + "' is not computed");
  if (!out->second.flattened_chw.empty()) {
    throw ImportError("model output '" + outputs_[0] +
                      "' is a flattened channels-first tensor, in another element order on the "
                      "device; supported: a Gemm/MatMul after the Flatten");
  }
  graph_.output = out->second.tensor;
  graph_.source_output_shape = out->second.source_shape;
  if (graph_.ops.empty()) throw ImportError("model has no operators");
  return graph_;
}

void GraphBuilder::fail(const std::string &what) const {
  const std::string name = node_->name().empty() ? "<unnamed>" : node_->name();
  throw ImportError("node '" + name + "' (" + node_->op_type() + ", index " +
                    std::to_string(node_index_) + "): " + what);
}

void GraphBuilder::convert(const onnx::NodeProto &node) {
  if (!node.domain().empty() && node.domain() != "ai.onnx") {
    fail("operator domain '" + node.domain() + "'; supported: the default ONNX domain");
  }
  if (node.output_size() != 1) fail("expects exactly one output");
  const std::string &op = node.op_type();
  if (op == "Conv") return conv();
  if (op == "Gemm") return gemm(false);
  if (op == "MatMul") return gemm(true);
  if (op == "Relu") return relu_or_clip(false);
  if (op == "Clip") return relu_or_clip(true);
  if (op == "BatchNormalization") return batch_norm();
  if (op == "Add") return add_or_mul(true);
  if (op == "Mul") return add_or_mul(false);
  if (op == "AveragePool") return pool(true, false);
  if (op == "MaxPool") return pool(false, false);
  if (op == "GlobalAveragePool") return pool(true, true);
  if (op == "Flatten") return flatten_or_reshape(true);
  if (op == "Reshape") return flatten_or_reshape(false);
  if (op == "Softmax") return softmax();
  if (op == "Sigmoid") return sigmoid();
  if (op == "Concat") return concat();
  if (op == "Pad") return pad();
  const std::string name = node.name().empty() ? "<unnamed>" : node.name();
  throw ImportError("unsupported ONNX operator " + op + " (node '" + name + "', index " +
                    std::to_string(node_index_) + "); " + kSupportedOnnxOps);
}

const Value &GraphBuilder::value(const std::string &name) const {
  const auto found = values_.find(name);
  if (found == values_.end()) {
    if (is_constant(name)) {
      fail("input '" + name + "' is a constant; supported: a computed tensor here");
    }
    fail("input '" + name + "' is not computed before this node");
  }
  return found->second;
}

const Constant &GraphBuilder::constant(const std::string &name, const char *role) const {
  const auto found = constants_.find(name);
  if (found == constants_.end()) {
    fail(std::string(role) + " '" + name + "' must be a constant (an initializer)");
  }
  return found->second;
}

bool GraphBuilder::has_input(size_t slot) const {
  return static_cast<int>(slot) < node_->input_size() &&
         !node_->input(static_cast<int>(slot)).empty();
}

const std::string &GraphBuilder::input_name(size_t slot) const {
  if (!has_input(slot)) fail("missing input " + std::to_string(slot));
  return node_->input(static_cast<int>(slot));
}

int64_t GraphBuilder::attr_int(const char *name, int64_t fallback) const {
  for (const auto &a : node_->attribute()) {
    if (a.name() == name) return a.i();
  }
  return fallback;
}

float GraphBuilder::attr_float(const char *name, float fallback) const {
  for (const auto &a : node_->attribute()) {
    if (a.name() == name) return a.f();
  }
  return fallback;
}

std::vector<int64_t> GraphBuilder::attr_ints(const char *name) const {
  for (const auto &a : node_->attribute()) {
    if (a.name() == name) return {a.ints().begin(), a.ints().end()};
  }
  return {};
}

std::string GraphBuilder::attr_string(const char *name, const std::string &fallback) const {
  for (const auto &a : node_->attribute()) {
    if (a.name() == name) return a.s();
  }
  return fallback;
}

std::vector<int32_t> GraphBuilder::device_shape(const std::vector<int32_t> &s) {
  if (s.size() == 3) return {s[0], 1, s[2], s[1]};
  if (s.size() == 4) return {s[0], s[2], s[3], s[1]};
  return s;
}

void GraphBuilder::emit(fp::Op op, const std::vector<int32_t> &source_shape,
                        const std::vector<int32_t> &flattened_chw) {
  const std::string &name = node_->output(0);
  for (int32_t d : source_shape) {
    if (d < 1) fail("output '" + name + "' would have an empty dimension");
  }
  const std::string node_name = node_->name().empty() ? "<unnamed>" : node_->name();
  op.source = "node '" + node_name + "' (" + node_->op_type() + ", index " +
              std::to_string(node_index_) + ")";
  Value v;
  v.tensor = graph_.add_tensor(name, device_shape(source_shape));
  v.source_shape = source_shape;
  v.flattened_chw = flattened_chw;
  op.output = v.tensor;
  graph_.ops.push_back(std::move(op));
  values_[name] = v;
}

fp::Op *GraphBuilder::fusable_producer(const std::string &name, const char *what) {
  const Value &v = value(name);
  for (auto &op : graph_.ops) {
    if (op.output != v.tensor) continue;
    if (consumers_[name] != 1) {
      fail(std::string(what) + ": its input '" + name +
           "' is also read elsewhere; supported: an input only this node reads");
    }
    return &op;
  }
  fail(std::string(what) + ": its input '" + name + "' is the model input");
}

void GraphBuilder::alias_output(const std::string &input) {
  values_[node_->output(0)] = values_[input];
}

}  // namespace onnx_import

bool is_onnx_model(const std::vector<uint8_t> &bytes) {
  onnx::ModelProto m;
  return m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) && m.has_graph();
}

fp::Graph read_onnx(const std::vector<uint8_t> &bytes) {
  onnx::ModelProto m;
  if (bytes.size() > INT32_MAX || !m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) ||
      !m.has_graph()) {
    throw ImportError("not an ONNX model (protobuf ModelProto with a graph did not parse)");
  }
  return onnx_import::GraphBuilder(m).build();
}

}  // namespace sotto::gw::model
