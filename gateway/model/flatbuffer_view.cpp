// Bounds-checked FlatBuffers table access (see flatbuffer_view.h).
#include "flatbuffer_view.h"

namespace sotto::gw::model {

void FlatTable::check(size_t pos, size_t bytes) const {
  if (pos > buf_->size() || bytes > buf_->size() - pos) {
    throw std::runtime_error("flatbuffer: offset " + std::to_string(pos) + " + " +
                             std::to_string(bytes) + " outside the " +
                             std::to_string(buf_->size()) + "-byte file");
  }
}

uint32_t FlatTable::u32(size_t pos) const {
  check(pos, 4);
  uint32_t v;
  std::memcpy(&v, buf_->data() + pos, 4);
  return v;
}

FlatTable::FlatTable(const std::vector<uint8_t> *buf, size_t pos) : buf_(buf), pos_(pos) {
  const int32_t soffset = static_cast<int32_t>(u32(pos));
  const int64_t vt = static_cast<int64_t>(pos) - soffset;
  if (vt < 0) throw std::runtime_error("flatbuffer: vtable before the file start");
  vtable_ = static_cast<size_t>(vt);
  check(vtable_, 4);
  std::memcpy(&vtable_bytes_, buf_->data() + vtable_, 2);
  check(vtable_, vtable_bytes_);
}

size_t FlatTable::field_pos(int index) const {
  const size_t entry = 4 + 2 * static_cast<size_t>(index);
  if (entry + 2 > vtable_bytes_) return 0;
  uint16_t off;
  std::memcpy(&off, buf_->data() + vtable_ + entry, 2);
  return off == 0 ? 0 : pos_ + off;
}

FlatTable FlatTable::table(int index) const {
  const size_t p = field_pos(index);
  if (p == 0) return FlatTable();
  return FlatTable(buf_, p + u32(p));
}

size_t FlatTable::vector(int index, size_t elem_bytes, size_t *count) const {
  *count = 0;
  const size_t p = field_pos(index);
  if (p == 0) return 0;
  const size_t vec = p + u32(p);
  const size_t n = u32(vec);
  check(vec + 4, n * elem_bytes);
  *count = n;
  return vec + 4;
}

std::string FlatTable::string(int index) const {
  size_t n = 0;
  const size_t p = vector(index, 1, &n);
  return n ? std::string(reinterpret_cast<const char *>(buf_->data() + p), n) : std::string();
}

std::vector<FlatTable> FlatTable::table_vector(int index) const {
  size_t n = 0;
  const size_t p = vector(index, 4, &n);
  std::vector<FlatTable> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t elem = p + 4 * i;
    out.emplace_back(buf_, elem + u32(elem));
  }
  return out;
}

FlatTable flat_root(const std::vector<uint8_t> &buf) {
  if (buf.size() < 8) throw std::runtime_error("flatbuffer: file too short");
  uint32_t root;
  std::memcpy(&root, buf.data(), 4);
  return FlatTable(&buf, root);
}

}  // namespace sotto::gw::model
