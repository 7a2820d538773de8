// Internal to the ONNX reader: the state of one conversion (initializers, the ONNX name ->
// graph tensor map, consumer counts) and one method per supported ONNX operator, so
// onnx_reader.cpp walks nodes and onnx_ops.cpp converts them.
#pragma once

#include <onnx.pb.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "float_graph.h"

namespace sotto::gw::model::onnx_import {

// A constant (initializer or Constant node) as float or integer values.
struct Constant {
  std::vector<int64_t> dims;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  bool is_float = false;
};

// An ONNX activation as the graph holds it.
struct Value {
  int32_t tensor = -1;                // graph tensor
  std::vector<int32_t> source_shape;  // ONNX shape (channels first)
  // Set when this flat [N, C*H*W] tensor came from a channels-first tensor: its elements are in
  // NHWC order, so the Gemm reading it permutes its weight columns.
  std::vector<int32_t> flattened_chw;
};

class GraphBuilder {
 public:
  explicit GraphBuilder(const onnx::ModelProto &model);
  fp::Graph build();

 private:
  [[noreturn]] void fail(const std::string &what) const;
  void convert(const onnx::NodeProto &node);

  // Helpers shared by the op conversions.
  const Value &value(const std::string &name) const;
  bool is_constant(const std::string &name) const { return constants_.count(name) > 0; }
  const Constant &constant(const std::string &name, const char *role) const;
  const std::string &input_name(size_t slot) const;
  bool has_input(size_t slot) const;
  int64_t attr_int(const char *name, int64_t fallback) const;
  float attr_float(const char *name, float fallback) const;
  std::vector<int64_t> attr_ints(const char *name) const;
  std::string attr_string(const char *name, const std::string &fallback) const;
  // Device (NHWC) shape of a source (channels-first) shape.
  static std::vector<int32_t> device_shape(const std::vector<int32_t> &source);
  // Adds the op writing the node's output 0, with that output's shapes.
  void emit(fp::Op op, const std::vector<int32_t> &source_shape,
            const std::vector<int32_t> &flattened_chw = {});
  // The op writing `name` when only the current node reads it and it may take more fusing.
  fp::Op *fusable_producer(const std::string &name, const char *what);
  void alias_output(const std::string &input);  // node output 0 = its input (a fused op)
  // Spatial attributes (kernel, strides, pads, dilations) for 1-D or 2-D windows.
  void read_window(fp::Op *op, const std::vector<int32_t> &in_source, int64_t kernel_h,
                   int64_t kernel_w, std::vector<int32_t> *out_source);

  void conv();
  void gemm(bool matmul);
  void pool(bool average, bool global);
  void relu_or_clip(bool clip);
  void batch_norm();
  void add_or_mul(bool add);
  void flatten_or_reshape(bool flatten);
  void softmax();
  void sigmoid();
  void concat();
  void pad();

  const onnx::ModelProto &model_;
  fp::Graph graph_;
  std::map<std::string, Constant> constants_;
  std::map<std::string, Value> values_;
  std::map<std::string, int> consumers_;
  std::vector<std::string> outputs_;
  int64_t opset_ = 13;
  const onnx::NodeProto *node_ = nullptr;
  size_t node_index_ = 0;
};

// "Conv, Gemm, ..." for messages.
extern const char *const kSupportedOnnxOps;

}  // namespace sotto::gw::model::onnx_import
