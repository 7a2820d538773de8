// Shared helpers for infer tests: read files, import a shared MLPerf model, re-seal a blob.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "aligned_blob.h"
#include "file_bytes.h"
#include "importer.h"
#include "smdl_format.h"
#include "sotto/error.h"
#include "sotto/model.h"

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

// A model of two int8 inputs and two int8 outputs (the stateful ops' tests), opened with an arena
// that starts at 0xA5 bytes: only the attach's reset can give a state its initial value.
struct TwoValueModel {
  AlignedBlob blob;
  sotto_model_t model{};
  std::vector<uint32_t> arena;
  explicit TwoValueModel(const std::vector<uint8_t> &smdl) : blob(smdl) {
    EXPECT_EQ(SOTTO_OK, sotto_model_open(&model, blob.data(), blob.bytes));
    arena.assign(sotto_model_arena_bytes(&model) / 4 + 1, 0xA5A5A5A5u);
    EXPECT_EQ(SOTTO_OK, sotto_model_attach_arena(&model, arena.data(), arena.size() * 4));
  }
  std::vector<int8_t> run(int8_t x0, int8_t x1) {
    sotto_tensor_t in, out;
    EXPECT_EQ(SOTTO_OK, sotto_model_input(&model, 0, &in));
    static_cast<int8_t *>(in.data)[0] = x0;
    static_cast<int8_t *>(in.data)[1] = x1;
    EXPECT_EQ(SOTTO_OK, sotto_invoke(&model));
    EXPECT_EQ(SOTTO_OK, sotto_model_output(&model, 0, &out));
    const int8_t *o = static_cast<const int8_t *>(out.data);
    return {o[0], o[1]};
  }
};

// "ERROR: check" the loader names when it refuses `blob` (sealed again first) at operator 0,
// which must be `op_name`; "opened" when it opens.
inline std::string open_refusal(AlignedBlob &blob, const char *op_name) {
  blob.reseal();
  sotto_model_t model;
  if (sotto_model_open(&model, blob.data(), blob.bytes) == SOTTO_OK) return "opened";
  const sotto_model_fault_t &f = *sotto_model_open_fault(&model);
  EXPECT_EQ(0, f.op_index);
  EXPECT_STREQ(op_name, f.op_name);
  return std::string(sotto_err_name(f.error)) + ": " + f.check;
}

}  // namespace sotto_test
