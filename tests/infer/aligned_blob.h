// A .smdl in 4-byte aligned storage, as it sits in flash: for every infer test, including the
// linking tests whose restricted engines cannot link the importer that model_fixture.h brings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "smdl_format.h"

namespace sotto_test {

// A blob in 4-byte aligned storage, as it would sit in flash.
struct AlignedBlob {
  std::vector<uint32_t> words;
  size_t bytes = 0;
  explicit AlignedBlob(const std::vector<uint8_t> &b)
      : words((b.size() + 3) / 4 + 1), bytes(b.size()) {
    std::memcpy(words.data(), b.data(), b.size());
  }
  uint8_t *data() { return reinterpret_cast<uint8_t *>(words.data()); }
  sotto_smdl_header_t *header() { return reinterpret_cast<sotto_smdl_header_t *>(data()); }
  sotto_smdl_tensor_t *tensors() {
    return reinterpret_cast<sotto_smdl_tensor_t *>(data() + header()->tensor_table_offset);
  }
  sotto_smdl_op_t *ops() {
    return reinterpret_cast<sotto_smdl_op_t *>(data() + header()->op_table_offset);
  }
  // Recomputes the digest so a test reaches the structural checks behind it (hostile blobs).
  void reseal() { header()->digest = sotto_smdl_digest(data(), header()->total_bytes); }
};

}  // namespace sotto_test
