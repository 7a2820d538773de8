// Builds small ONNX models in tests with onnx.proto's C++ classes (Debian's libonnx-dev).
#pragma once

#include <onnx.pb.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace sotto_test {

class OnnxBuilder {
 public:
  explicit OnnxBuilder(int64_t opset = 13) {
    model_.set_ir_version(7);
    model_.add_opset_import()->set_version(opset);
  }
  void input(const std::string &name, const std::vector<int64_t> &dims) {
    auto *in = model_.mutable_graph()->add_input();
    in->set_name(name);
    auto *t = in->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->mutable_shape()->add_dim()->set_dim_value(d);
  }
  void output(const std::string &name) { model_.mutable_graph()->add_output()->set_name(name); }
  void floats(const std::string &name, const std::vector<int64_t> &dims,
              const std::vector<float> &v) {
    auto *t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    for (float f : v) t->add_float_data(f);
  }
  // Seeded uniform values in [-scale, scale].
  void random(const std::string &name, const std::vector<int64_t> &dims, float scale,
              uint32_t seed) {
    std::mt19937 gen(seed);
    std::uniform_real_distribution<float> u(-scale, scale);
    size_t n = 1;
    for (int64_t d : dims) n *= static_cast<size_t>(d);
    std::vector<float> v(n);
    for (float &f : v) f = u(gen);
    floats(name, dims, v);
  }
  void ints(const std::string &name, const std::vector<int64_t> &v) {
    auto *t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(v.size()));
    for (int64_t i : v) t->add_int64_data(i);
  }
  onnx::NodeProto &node(const std::string &op, const std::vector<std::string> &inputs,
                        const std::string &output, const std::string &name = "") {
    auto *n = model_.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(name.empty() ? output : name);
    for (const auto &i : inputs) n->add_input(i);
    n->add_output(output);
    return *n;
  }
  static void attr(onnx::NodeProto &n, const std::string &name, int64_t v) {
    auto *a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void attr(onnx::NodeProto &n, const std::string &name, const std::vector<int64_t> &v) {
    auto *a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t i : v) a->add_ints(i);
  }
  std::vector<uint8_t> bytes() const {
    std::string s;
    model_.SerializeToString(&s);
    return {s.begin(), s.end()};
  }

 private:
  onnx::ModelProto model_;
};

// n seeded samples of `elements` values each, uniform in [-1, 1].
inline std::vector<std::vector<float>> random_samples(size_t n, size_t elements, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<std::vector<float>> out(n, std::vector<float>(elements));
  for (auto &s : out) {
    for (float &v : s) v = u(gen);
  }
  return out;
}

}  // namespace sotto_test
