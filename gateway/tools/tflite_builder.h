// Writes small TFLite flatbuffers (our own writer, field numbers from the public schema): a node
// tree serialised parents-first so every offset points forward. Used by the importer tests and
// by sotto-model-synth, which makes real models for rollout tests, the benchmark and the demo.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace sotto::gw::tools {

class FbNode {
 public:
  enum class Kind { kTable, kScalarVector, kNodeVector, kString };
  struct Field {
    bool present = false;
    std::vector<uint8_t> scalar;  // inline bytes, or empty when `child` is set
    std::shared_ptr<FbNode> child;
  };

  static std::shared_ptr<FbNode> table() { return std::make_shared<FbNode>(Kind::kTable); }
  template <typename T>
  static std::shared_ptr<FbNode> vector(const std::vector<T> &values) {
    auto n = std::make_shared<FbNode>(Kind::kScalarVector);
    n->count_ = values.size();
    n->bytes_.resize(values.size() * sizeof(T));
    if (!values.empty()) std::memcpy(n->bytes_.data(), values.data(), n->bytes_.size());
    return n;
  }
  static std::shared_ptr<FbNode> nodes(const std::vector<std::shared_ptr<FbNode>> &items) {
    auto n = std::make_shared<FbNode>(Kind::kNodeVector);
    n->items_ = items;
    return n;
  }
  static std::shared_ptr<FbNode> string(const std::string &s) {
    auto n = std::make_shared<FbNode>(Kind::kString);
    n->bytes_.assign(s.begin(), s.end());
    return n;
  }

  explicit FbNode(Kind kind) : kind_(kind) {}
  template <typename T>
  FbNode &set(size_t index, T value) {
    Field &f = field(index);
    f.scalar.resize(sizeof(T));
    std::memcpy(f.scalar.data(), &value, sizeof(T));
    return *this;
  }
  FbNode &set(size_t index, std::shared_ptr<FbNode> child) {
    field(index).child = std::move(child);
    return *this;
  }

  // The whole file: root offset, "TFL3", then this table and everything below it.
  std::vector<uint8_t> finish() {
    std::vector<uint8_t> out(8, 0);
    std::memcpy(out.data() + 4, "TFL3", 4);
    const size_t root = write(&out);
    put_u32(&out, 0, static_cast<uint32_t>(root));
    return out;
  }

 private:
  Field &field(size_t index) {
    if (fields_.size() <= index) fields_.resize(index + 1);
    fields_[index].present = true;
    return fields_[index];
  }
  static void put_u32(std::vector<uint8_t> *b, size_t at, uint32_t v) {
    std::memcpy(b->data() + at, &v, 4);
  }
  static void align4(std::vector<uint8_t> *b) {
    while (b->size() % 4) b->push_back(0);
  }
  // Writes this node, then its children; returns where this node starts.
  size_t write(std::vector<uint8_t> *b) {
    align4(b);
    std::vector<std::pair<size_t, FbNode *>> links;  // offset slot -> child
    size_t start = 0;
    if (kind_ == Kind::kTable) {
      const size_t vtable = b->size();
      const size_t vbytes = 4 + 2 * fields_.size();
      b->resize(b->size() + ((vbytes + 3) & ~size_t{3}), 0);
      start = b->size();
      b->resize(b->size() + 4, 0);
      const int32_t soffset = static_cast<int32_t>(start - vtable);
      std::memcpy(b->data() + start, &soffset, 4);
      for (size_t i = 0; i < fields_.size(); ++i) {
        if (!fields_[i].present) continue;
        const uint16_t at = static_cast<uint16_t>(b->size() - start);
        std::memcpy(b->data() + vtable + 4 + 2 * i, &at, 2);
        if (fields_[i].child) {
          links.emplace_back(b->size(), fields_[i].child.get());
          b->resize(b->size() + 4, 0);
        } else {
          b->insert(b->end(), fields_[i].scalar.begin(), fields_[i].scalar.end());
          align4(b);
        }
      }
      const uint16_t sizes[2] = {static_cast<uint16_t>(vbytes),
                                 static_cast<uint16_t>(b->size() - start)};
      std::memcpy(b->data() + vtable, sizes, 4);
    } else {
      start = b->size();
      const size_t count = kind_ == Kind::kNodeVector ? items_.size()
                           : kind_ == Kind::kString   ? bytes_.size()
                                                      : count_;
      b->resize(b->size() + 4, 0);
      put_u32(b, start, static_cast<uint32_t>(count));
      if (kind_ == Kind::kNodeVector) {
        for (auto &item : items_) {
          links.emplace_back(b->size(), item.get());
          b->resize(b->size() + 4, 0);
        }
      } else {
        b->insert(b->end(), bytes_.begin(), bytes_.end());
        if (kind_ == Kind::kString) b->push_back(0);
      }
    }
    for (auto &[slot, child] : links) {
      const size_t at = child->write(b);
      put_u32(b, slot, static_cast<uint32_t>(at - slot));
    }
    return start;
  }

  Kind kind_;
  std::vector<Field> fields_;
  std::vector<uint8_t> bytes_;
  size_t count_ = 0;
  std::vector<std::shared_ptr<FbNode>> items_;
};

// A single-subgraph TFLite model assembled tensor by tensor and op by op.
class TfliteBuilder {
 public:
  TfliteBuilder() { buffers_.push_back(FbNode::table()); }  // buffer 0: empty
  // Tensors made while false have no name (converters leave some unnamed).
  bool name_tensors = true;
  // type: 0 FLOAT32, 2 INT32, 9 INT8. Quantized when scale > 0. Constant when data is given.
  int32_t tensor(const std::vector<int32_t> &shape, int8_t type, float scale = 0,
                 int64_t zero_point = 0, const std::vector<uint8_t> &data = {}) {
    return named_tensor(name_tensors ? "t" + std::to_string(tensors_.size()) : "", shape, type,
                        scale > 0 ? std::vector<float>{scale} : std::vector<float>{}, {zero_point},
                        0, data);
  }
  // A tensor with a name (none when empty); quantized when `scales` is not empty, per channel along
  // `quantized_dimension` when it holds more than one scale.
  int32_t named_tensor(const std::string &name, const std::vector<int32_t> &shape, int8_t type,
                       const std::vector<float> &scales, const std::vector<int64_t> &zero_points,
                       int32_t quantized_dimension, const std::vector<uint8_t> &data = {}) {
    auto t = FbNode::table();
    t->set(0, FbNode::vector(shape));
    t->set(1, type);
    uint32_t buffer = 0;
    if (!data.empty()) {
      auto b = FbNode::table();
      b->set(0, FbNode::vector(data));
      buffer = static_cast<uint32_t>(buffers_.size());
      buffers_.push_back(b);
    }
    t->set(2, buffer);
    if (!name.empty()) t->set(3, FbNode::string(name));
    if (!scales.empty()) {
      auto q = FbNode::table();
      q->set(2, FbNode::vector(scales));
      q->set(3, FbNode::vector(zero_points));
      if (quantized_dimension != 0) q->set(6, quantized_dimension);
      t->set(4, q);
    }
    tensors_.push_back(t);
    return static_cast<int32_t>(tensors_.size() - 1);
  }
  // Marks tensor `index` as a variable (the state a stateful op keeps, e.g. SVDF's).
  void mark_variable(int32_t index) {
    tensors_[static_cast<size_t>(index)]->set(5, static_cast<uint8_t>(1));
  }
  template <typename T>
  static std::vector<uint8_t> bytes_of(const std::vector<T> &v) {
    std::vector<uint8_t> b(v.size() * sizeof(T));
    std::memcpy(b.data(), v.data(), b.size());
    return b;
  }
  // custom_code: the operator code's custom code (for builtin 32, CUSTOM).
  void op(int32_t builtin, const std::vector<int32_t> &inputs, int32_t output,
          const std::shared_ptr<FbNode> &options = nullptr, const std::string &custom_code = "") {
    uint32_t index = 0;
    while (index < codes_.size() &&
           (codes_[index] != builtin || custom_codes_[index] != custom_code)) {
      ++index;
    }
    if (index == codes_.size()) {
      codes_.push_back(builtin);
      custom_codes_.push_back(custom_code);
    }
    auto o = FbNode::table();
    o->set(0, index);
    o->set(1, FbNode::vector(inputs));
    o->set(2, FbNode::vector(std::vector<int32_t>{output}));
    if (options) o->set(4, options);
    ops_.push_back(o);
  }
  std::vector<uint8_t> finish(int32_t input, int32_t output) {
    return finish(std::vector<int32_t>{input}, std::vector<int32_t>{output});
  }
  std::vector<uint8_t> finish(const std::vector<int32_t> &inputs,
                              const std::vector<int32_t> &outputs) {
    std::vector<std::shared_ptr<FbNode>> codes;
    for (size_t i = 0; i < codes_.size(); ++i) {
      auto oc = FbNode::table();
      oc->set(0, static_cast<int8_t>(codes_[i] < 127 ? codes_[i] : 127));
      if (!custom_codes_[i].empty()) oc->set(1, FbNode::string(custom_codes_[i]));
      oc->set(3, codes_[i]);
      codes.push_back(oc);
    }
    auto sg = FbNode::table();
    sg->set(0, FbNode::nodes(tensors_));
    sg->set(1, FbNode::vector(inputs));
    sg->set(2, FbNode::vector(outputs));
    sg->set(3, FbNode::nodes(ops_));
    auto model = FbNode::table();
    model->set(0, uint32_t{3});
    model->set(1, FbNode::nodes(codes));
    model->set(2, FbNode::nodes({sg}));
    model->set(4, FbNode::nodes(buffers_));
    return model->finish();
  }

 private:
  std::vector<std::shared_ptr<FbNode>> tensors_, ops_, buffers_;
  std::vector<int32_t> codes_;
  std::vector<std::string> custom_codes_;
};

}  // namespace sotto::gw::tools
