// Shared helpers for infer tests: read files, import a shared MLPerf model, re-seal a blob.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "file_bytes.h"
#include "importer.h"
#include "smdl_format.h"

namespace sotto_test {

// Every byte of the file; throws naming the path when it cannot be read.
inline std::vector<uint8_t> read_file(const std::string &path) {
  return sotto::gw::read_file_bytes(path);
}

// Skips the calling test (with the path it looked at) when the shared data is absent.
#define SOTTO_REQUIRE_SHARED_DATA()                                               \
  do {                                                                            \
    if (!std::ifstream(sotto_test::shared_model("kws_ref_model.tflite"))) {       \
      GTEST_SKIP() << "shared conformance data not found under " SOTTO_SHARED_DIR \
                      " (configure with -DSOTTO_SHARED_DIR=...)";                 \
    }                                                                             \
  } while (0)

// What importing a .tflite for the generic target says, or "no error".
inline std::string import_error(const std::vector<uint8_t> &tflite) {
  try {
    sotto::gw::model::import_tflite(tflite, sotto::gw::model::Target::kGeneric);
  } catch (const sotto::gw::model::ImportError &e) {
    return e.what();
  }
  return "no error";
}

inline std::string shared_model(const char *file) {
  return std::string(SOTTO_SHARED_DIR) + "/models/mlperf-tiny/" + file;
}

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
