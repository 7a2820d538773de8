// The importer's side of the ops TFLM's example models added (SUB, int16 ADD, LEAKY_RELU,
// STRIDED_SLICE, TRANSPOSE, QUANTIZE between integer types): the variants it does not lower are
// refused naming the operator and what is unsupported, and what it lowers opens in the loader.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "importer.h"
#include "model_fixture.h"
#include "sotto/model.h"
#include "tflite_builder.h"

using namespace sotto_test;
using sotto::gw::model::import_tflite;
using sotto::gw::model::Target;
using sotto::gw::tools::FbNode;
using sotto::gw::tools::TfliteBuilder;

namespace {

const int8_t kInt32 = 2, kInt16 = 7, kInt8 = 9;

// Whether the blob the importer wrote opens in the loader.
bool opens(const std::vector<uint8_t> &tflite) {
  AlignedBlob blob(import_tflite(tflite, Target::kGeneric));
  sotto_model_t model;
  return sotto_model_open(&model, blob.data(), blob.bytes) == SOTTO_OK;
}

// ADD (0) or SUB (41) of two int16 tensors with pot_scale_int16 as given (absent: the schema's
// default, true).
std::vector<uint8_t> int16_add_or_sub(int32_t builtin, int pot_scale) {
  TfliteBuilder b;
  const int32_t x = b.tensor({1, 4}, kInt16, 0.001f, 0);
  const int32_t y = b.tensor({1, 4}, kInt16, 0.002f, 0);
  const int32_t out = b.tensor({1, 4}, kInt16, 0.003f, 0);
  auto options = FbNode::table();
  if (pot_scale >= 0) options->set(1, static_cast<uint8_t>(pot_scale));
  b.op(builtin, {x, y}, out, options);
  return b.finish({x, y}, {out});
}

TEST(ImporterTflmOps, Int16AddAndSubNeedTheGeneralPath) {
  EXPECT_TRUE(opens(int16_add_or_sub(41, 0)));
  EXPECT_TRUE(opens(int16_add_or_sub(0, 0)));
  EXPECT_EQ(
      "operator 0 (SUB): pot_scale_int16 is true (power-of-two int16 scaling); supported: "
      "false",
      import_error(int16_add_or_sub(41, -1)));
  EXPECT_EQ(
      "operator 0 (ADD): pot_scale_int16 is true (power-of-two int16 scaling); supported: "
      "false",
      import_error(int16_add_or_sub(0, 1)));
}

TEST(ImporterTflmOps, SubOfMixedTypesNamesTheTensor) {
  TfliteBuilder b;
  const int32_t x = b.tensor({1, 4}, kInt16, 0.001f, 0);
  const int32_t y = b.tensor({1, 4}, kInt8, 0.002f, 0);
  const int32_t out = b.tensor({1, 4}, kInt16, 0.003f, 0);
  b.op(41, {x, y}, out, FbNode::table());
  EXPECT_EQ("operator 0 (SUB): input tensor 't1' has type INT8; supported: INT16",
            import_error(b.finish({x, y}, {out})));
}

TEST(ImporterTflmOps, LeakyReluWithANegativeAlphaIsRefused) {
  for (const float alpha : {0.2f, -0.5f}) {
    TfliteBuilder b;
    const int32_t x = b.tensor({1, 4}, kInt8, 0.5f, 1);
    const int32_t out = b.tensor({1, 4}, kInt8, 0.25f, -2);
    auto options = FbNode::table();
    options->set(0, alpha);
    b.op(98, {x}, out, options);
    if (alpha > 0) {
      EXPECT_TRUE(opens(b.finish(x, out)));
    } else {
      EXPECT_EQ("operator 0 (LEAKY_RELU): alpha -0.500000; supported: alpha >= 0",
                import_error(b.finish(x, out)));
    }
  }
}

}  // namespace
