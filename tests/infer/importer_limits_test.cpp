// The engine's limits have one definition (smdl_format.h): the importer refuses a model beyond
// them with the reason, the loader refuses a blob beyond them, and every model the importer
// accepts opens. Accumulation depth is lifted as far as int32 arithmetic allows.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "importer.h"
#include "model_fixture.h"
#include "sotto/model.h"
#include "tflite_builder.h"

using namespace sotto_test;
using sotto::gw::model::import_tflite;
using sotto::gw::model::ImportError;
using sotto::gw::model::Target;
using sotto::gw::tools::TfliteBuilder;
namespace fs = std::filesystem;

namespace {

const int8_t kInt8 = 9, kInt32 = 2;

// input 1 x rows x depth / rows (scale 1, zero point input_zp; dims stay within the engine's
// 65,535) -> FULLY_CONNECTED with every weight `weight` (one set to `odd_weight`), scale 1, zero
// bias -> 1 output of scale out_scale.
std::vector<uint8_t> deep_fully_connected(int32_t depth, int32_t rows, int8_t weight,
                                          int64_t input_zp, float out_scale, int8_t odd_weight) {
  TfliteBuilder b;
  const int32_t in = b.tensor({1, rows, depth / rows}, kInt8, 1.0f, input_zp);
  std::vector<uint8_t> w(static_cast<size_t>(depth), static_cast<uint8_t>(weight));
  w[w.size() / 2] = static_cast<uint8_t>(odd_weight);
  const int32_t weights = b.tensor({1, depth}, kInt8, 1.0f, 0, w);
  const int32_t bias =
      b.tensor({1}, kInt32, 1.0f, 0, TfliteBuilder::bytes_of(std::vector<int32_t>{0}));
  const int32_t out = b.tensor({1, 1}, kInt8, out_scale, 0);
  b.op(9, {in, weights, bias}, out);
  return b.finish(in, out);
}

// Runs a one-input, one-output int8 blob on `x` (every input element) and returns output[0].
int8_t run_first(const std::vector<uint8_t> &blob_bytes, int8_t x) {
  AlignedBlob blob(blob_bytes);
  sotto_model_t model;
  EXPECT_EQ(SOTTO_OK, sotto_model_open(&model, blob.data(), blob.bytes));
  std::vector<uint32_t> arena(sotto_model_arena_bytes(&model) / 4 + 1);
  EXPECT_EQ(SOTTO_OK, sotto_model_attach_arena(&model, arena.data(), arena.size() * 4));
  sotto_tensor_t in, out;
  EXPECT_EQ(SOTTO_OK, sotto_model_input(&model, 0, &in));
  memset(in.data, static_cast<uint8_t>(x), in.bytes);
  EXPECT_EQ(SOTTO_OK, sotto_invoke(&model));
  EXPECT_EQ(SOTTO_OK, sotto_model_output(&model, 0, &out));
  return static_cast<const int8_t *>(out.data)[0];
}

// A Flatten of a 26 x 26 x 64 map into a Dense layer: 43,264 inputs, beyond the old 32,768.
TEST(ImporterLimits, FullyConnectedWith43264InputsImportsOpensAndRuns) {
  for (Target target : {Target::kGeneric, Target::kCortexM4}) {
    const std::vector<uint8_t> blob =
        import_tflite(deep_fully_connected(43264, 676, 1, 0, 512.0f, 1), target);
    // 43,264 ones: 43264 / 512 = 84.5, rounded half away from zero.
    EXPECT_EQ(85, run_first(blob, 1));
  }
}

// At the limit the largest products (255 x 127, input -128 with zero point 127, weights 127) sum
// to -2,147,481,735 and still fit; a wrapped sum would come out positive and saturate at 127.
TEST(ImporterLimits, DeepestAccumulationHoldsTheLargestProducts) {
  for (Target target : {Target::kGeneric, Target::kCortexM4}) {
    const std::vector<uint8_t> blob = import_tflite(
        deep_fully_connected(SOTTO_SMDL_MAX_ACCUMULATION_DEPTH, 7, 127, 127, 16777216.0f, 127),
        target);
    EXPECT_EQ(-128, run_first(blob, -128));
  }
}

TEST(ImporterLimits, DeeperLayersAreRefusedWithTheReason) {
  EXPECT_EQ(
      "operator 0 (FULLY_CONNECTED): 66312 products per output would overflow the int32 "
      "accumulator (products reach 255 x 127 and an int32 holds 66311 of them)",
      import_error(deep_fully_connected(66312, 8, 1, 0, 1.0f, 1)));
  EXPECT_EQ(
      "operator 0 (FULLY_CONNECTED): 65794 products per output would overflow the int32 "
      "accumulator (a weight of -128 makes products of up to 255 x 128 and an int32 holds 65793 "
      "of them)",
      import_error(deep_fully_connected(65794, 2, 1, 0, 1.0f, -128)));
  EXPECT_EQ("no error", import_error(deep_fully_connected(65793, 3, 1, 0, 1.0f, -128)));
  // A 3 x 3 window over 7,368 channels is 66,312 products too.
  TfliteBuilder b;
  const int32_t in = b.tensor({1, 3, 3, 7368}, kInt8, 1.0f, 0);
  const int32_t filter =
      b.tensor({1, 3, 3, 7368}, kInt8, 1.0f, 0, std::vector<uint8_t>(3 * 3 * 7368, 1));
  const int32_t out = b.tensor({1, 1, 1, 1}, kInt8, 1.0f, 0);
  b.op(3, {in, filter}, out, nullptr);
  EXPECT_EQ(
      "operator 0 (CONV_2D): 66312 products per output would overflow the int32 accumulator "
      "(products reach 255 x 127 and an int32 holds 66311 of them)",
      import_error(b.finish(in, out)));
}

// The loader applies the same rule to a blob: a -128 weight planted in a layer that was
// compiled at 65,794 products is refused, for plain and Cortex-M4 interleaved weights.
TEST(ImporterLimits, LoaderRefusesAMinus128WeightInADeepLayer) {
  for (Target target : {Target::kGeneric, Target::kCortexM4}) {
    AlignedBlob blob(import_tflite(deep_fully_connected(65794, 2, 1, 0, 1.0f, 1), target));
    sotto_model_t model;
    ASSERT_EQ(SOTTO_OK, sotto_model_open(&model, blob.data(), blob.bytes));
    const sotto_smdl_op_t &op = blob.ops()[0];
    int8_t *weights =
        reinterpret_cast<int8_t *>(blob.data() + blob.header()->data_offset + op.weights_offset);
    // Row 0's weight 100 in either layout: plain, or the last plain tail row of an interleaved
    // block of fewer than four rows (one output row is stored plainly).
    weights[100] = -128;
    blob.reseal();
    EXPECT_EQ(SOTTO_ERR_MODEL_BAD_OP, sotto_model_open(&model, blob.data(), blob.bytes));
    EXPECT_STREQ("input row: expected its products to fit an int32 (sotto_smdl_depth_fits_int32)",
                 sotto_model_open_fault(&model)->check);
  }
}

// Every .tflite under ../shared/models, for every target: what the importer accepts opens with
// this build's engine (import_tflite also opens what it writes, so this guards that check), and
// what it refuses is refused with a message naming an operator or the model.
TEST(ImporterLimits, EveryModelTheImporterAcceptsOpens) {
  const fs::path models = fs::path(SOTTO_SHARED_DIR) / "models";
  ASSERT_TRUE(fs::is_directory(models)) << models << " is missing";
  uint32_t accepted = 0, refused = 0;
  for (const auto &entry : fs::recursive_directory_iterator(models)) {
    if (entry.path().extension() != ".tflite") continue;
    const std::vector<uint8_t> tflite = read_file(entry.path().string());
    for (Target target : {Target::kGeneric, Target::kCortexM4, Target::kCortexM0, Target::kRv32}) {
      std::vector<uint8_t> blob;
      try {
        blob = import_tflite(tflite, target);
      } catch (const ImportError &e) {
        ++refused;
        const std::string why = e.what();
        std::printf("refused %s: %s\n", entry.path().filename().c_str(), why.c_str());
        EXPECT_TRUE(why.rfind("operator ", 0) == 0 || why.rfind("unsupported operator ", 0) == 0 ||
                    why.rfind("model ", 0) == 0)
            << entry.path() << ": " << why;
        continue;
      }
      ++accepted;
      AlignedBlob aligned(blob);
      sotto_model_t model;
      EXPECT_EQ(SOTTO_OK, sotto_model_open(&model, aligned.data(), aligned.bytes))
          << entry.path() << ": " << sotto::gw::model::fault_text(*sotto_model_open_fault(&model));
    }
  }
  // 4 MLPerf Tiny models and the 27 TFLM example models (with their derived and single-op
  // variants), each for 4 targets.
  EXPECT_EQ((4u + 27u) * 4u, accepted + refused);
  std::printf("importer: %u (model, target) pairs accepted and opened, %u refused\n", accepted,
              refused);
}

}  // namespace
