// A minimal, bounds-checked reader for FlatBuffers tables (our own; no generated schema code).
// Every access checks offsets against the buffer and throws std::runtime_error when they lie.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace sotto::gw::model {

class FlatTable {
 public:
  FlatTable() = default;
  FlatTable(const std::vector<uint8_t> *buf, size_t pos);

  bool valid() const { return buf_ != nullptr; }
  // Offset of field `index`'s bytes inside the buffer, or 0 when absent.
  size_t field_pos(int index) const;

  template <typename T>
  T scalar(int index, T fallback) const {
    const size_t p = field_pos(index);
    if (p == 0) return fallback;
    check(p, sizeof(T));
    T v;
    std::memcpy(&v, buf_->data() + p, sizeof(T));
    return v;
  }
  FlatTable table(int index) const;
  // A vector field: element count and position of the first element (0, 0 when absent).
  size_t vector(int index, size_t elem_bytes, size_t *count) const;
  std::string string(int index) const;
  template <typename T>
  std::vector<T> scalar_vector(int index) const {
    size_t n = 0;
    const size_t p = vector(index, sizeof(T), &n);
    std::vector<T> out(n);
    if (n) std::memcpy(out.data(), buf_->data() + p, n * sizeof(T));
    return out;
  }
  std::vector<FlatTable> table_vector(int index) const;

 private:
  void check(size_t pos, size_t bytes) const;
  uint32_t u32(size_t pos) const;
  const std::vector<uint8_t> *buf_ = nullptr;
  size_t pos_ = 0;
  size_t vtable_ = 0;
  uint16_t vtable_bytes_ = 0;
};

FlatTable flat_root(const std::vector<uint8_t> &buf);

}  // namespace sotto::gw::model
