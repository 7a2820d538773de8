// Conformance: the four MLPerf Tiny models, imported by our compiler and run by our runtime,
// must match TFLM's golden data byte for byte - every case, every operator's output.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "importer.h"
#include "model_fixture.h"
#include "sotto/model.h"

namespace fs = std::filesystem;
using namespace sotto::gw::model;
using sotto_test::AlignedBlob;
using sotto_test::read_file;

namespace {

const fs::path kShared = SOTTO_SHARED_DIR;

struct LayerCheck {
  fs::path layers;
  int case_index = 0;
  uint32_t checked = 0;
  uint32_t mismatched = 0;
  std::string first_error;
};

void on_op(void *ctx, uint32_t op, const sotto_tensor_t *out) {
  LayerCheck *c = static_cast<LayerCheck *>(ctx);
  char name[64];
  snprintf(name, sizeof name, "case%d_op%02u.bin", c->case_index, op);
  const std::vector<uint8_t> golden = read_file(c->layers / name);
  ++c->checked;
  const std::vector<uint8_t> got(reinterpret_cast<const uint8_t *>(out->data),
                                 reinterpret_cast<const uint8_t *>(out->data) + out->bytes);
  if (got != golden) {
    size_t diffs = 0, first = 0;
    for (size_t i = 0; i < std::min(got.size(), golden.size()); ++i) {
      if (got[i] != golden[i] && diffs++ == 0) first = i;
    }
    if (c->mismatched++ == 0) {
      c->first_error = std::string(name) + ": " + std::to_string(diffs) + " of " +
                       std::to_string(golden.size()) + " bytes differ (sizes " +
                       std::to_string(got.size()) + "/" + std::to_string(golden.size()) +
                       "), first at " + std::to_string(first);
    }
  }
}

struct ModelCase {
  const char *name;
  const char *file;
  uint32_t op_count;
  uint32_t case_count;
  // A Cortex-M4 blob (its own weight layouts) runs here through the reference kernels too.
  Target target = Target::kGeneric;
};

struct ModelName {
  std::string operator()(const ::testing::TestParamInfo<ModelCase> &p) const {
    return std::string(p.param.name) + (p.param.target == Target::kCortexM4 ? "_cortex_m4" : "");
  }
};

class Conformance : public ::testing::TestWithParam<ModelCase> {};

TEST_P(Conformance, EveryCaseEveryLayerBitExact) {
  const ModelCase &mc = GetParam();
  const fs::path golden = kShared / "conformance/tflm-golden" / mc.name;
  if (!fs::exists(golden / "manifest.json") ||
      !fs::exists(kShared / "models/mlperf-tiny" / mc.file)) {
    GTEST_SKIP() << "shared conformance data not found under " << kShared
                 << " (configure with -DSOTTO_SHARED_DIR=...)";
  }
  const std::vector<uint8_t> tflite = read_file(kShared / "models/mlperf-tiny" / mc.file);
  ImportSummary summary;
  AlignedBlob blob(import_tflite(tflite, mc.target, &summary));
  sotto_model_t model;
  ASSERT_EQ(SOTTO_OK, sotto_model_open(&model, blob.data(), blob.bytes));
  ASSERT_EQ(mc.op_count, sotto_model_op_count(&model));
  std::vector<uint32_t> arena((sotto_model_arena_bytes(&model) + 3) / 4);
  ASSERT_EQ(SOTTO_OK, sotto_model_attach_arena(&model, arena.data(), arena.size() * 4));
  uint32_t cases = 0;
  for (int n = 0; n <= 10; ++n) {
    const fs::path in_path = golden / ("input_" + std::to_string(n) + ".bin");
    if (!fs::exists(in_path)) continue;
    ++cases;
    const std::vector<uint8_t> input = read_file(in_path);
    sotto_tensor_t in;
    ASSERT_EQ(SOTTO_OK, sotto_model_input(&model, 0, &in));
    ASSERT_EQ(input.size(), in.bytes);
    memcpy(in.data, input.data(), input.size());
    LayerCheck check;
    check.layers = golden / "layers";
    check.case_index = n;
    ASSERT_EQ(SOTTO_OK, sotto_invoke_observed(&model, on_op, &check));
    EXPECT_EQ(mc.op_count, check.checked);
    EXPECT_EQ(0u, check.mismatched) << mc.name << " case " << n << ": " << check.first_error;
    sotto_tensor_t out;
    ASSERT_EQ(SOTTO_OK, sotto_model_output(&model, 0, &out));
    const std::vector<uint8_t> expected =
        read_file(golden / ("output_" + std::to_string(n) + ".bin"));
    EXPECT_EQ(expected, std::vector<uint8_t>(reinterpret_cast<uint8_t *>(out.data),
                                             reinterpret_cast<uint8_t *>(out.data) + out.bytes))
        << mc.name << " case " << n << " final output";
  }
  EXPECT_EQ(mc.case_count, cases);
  std::printf("%s: %u ops, arena %u bytes, weights %u bytes, blob %u bytes\n", mc.name,
              summary.op_count, summary.arena_bytes, summary.weight_bytes, summary.blob_bytes);
}

INSTANTIATE_TEST_SUITE_P(MlperfTiny, Conformance,
                         ::testing::Values(ModelCase{"kws", "kws_ref_model.tflite", 13, 7},
                                           ModelCase{"vww", "vww_96_int8.tflite", 31, 6},
                                           ModelCase{"ic", "pretrainedResnet_quant.tflite", 16, 6},
                                           ModelCase{"ad", "ad01_int8.tflite", 10, 6},
                                           ModelCase{"ad", "ad01_int8.tflite", 10, 6,
                                                     Target::kCortexM4}),
                         ModelName());

}  // namespace
