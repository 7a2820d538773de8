// Conformance: models imported by our compiler and run by our runtime must match TensorFlow Lite
// Micro's golden data byte for byte - every listed case's outputs and every operator's output in
// the layer cases. The MLPerf Tiny models (../shared/conformance/tflm-golden) and TFLM's own
// example models (../shared/conformance/tflm-examples); missing data fails the test.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "conformance_models.h"
#include "importer.h"
#include "model_fixture.h"
#include "sotto/model.h"

namespace sotto_test {
// Test names and failure messages show the model's name, not its bytes.
void PrintTo(const ConformanceModel &m, std::ostream *os) {
  *os << m.name;
}
}  // namespace sotto_test

namespace fs = std::filesystem;
using namespace sotto::gw::model;
using sotto_test::AlignedBlob;
using sotto_test::ConformanceModel;
using sotto_test::read_file;

namespace {

const fs::path kShared = SOTTO_SHARED_DIR;

struct LayerCheck {
  fs::path layers;
  int case_index = 0;
  uint32_t checked = 0;  // operators whose whole output was compared
  uint32_t mismatched = 0;
  uint32_t row_reports = 0;  // reports of one row of a streamed op's output
  std::string first_error;
  std::map<uint32_t, std::vector<uint8_t>> golden;  // per op, read at its first report
  std::map<uint32_t, size_t> seen;                  // bytes of each op's output reported so far
};

// Compares one case's output of operator `op` with layers/caseN_opKK.bin. A streamed op
// (smdl_format.h) reports its output row by row, in order: each report is compared at the bytes
// reported before it, and the op counts as checked once its last byte came.
void on_op(void *ctx, uint32_t op, const sotto_tensor_t *out) {
  LayerCheck *c = static_cast<LayerCheck *>(ctx);
  char name[64];
  snprintf(name, sizeof name, "case%d_op%02u.bin", c->case_index, op);
  if (c->golden.count(op) == 0) c->golden[op] = read_file(c->layers / name);
  const std::vector<uint8_t> &whole = c->golden[op];
  size_t &at = c->seen[op];
  if (out->bytes < whole.size()) ++c->row_reports;
  const std::vector<uint8_t> got(static_cast<const uint8_t *>(out->data),
                                 static_cast<const uint8_t *>(out->data) + out->bytes);
  const std::vector<uint8_t> golden(
      whole.begin() + std::ptrdiff_t(std::min(at, whole.size())),
      whole.begin() + std::ptrdiff_t(std::min(at + got.size(), whole.size())));
  at += got.size();
  if (at == whole.size()) ++c->checked;
  if (got != golden) {
    size_t diffs = 0, first = 0;
    for (size_t i = 0; i < std::min(got.size(), golden.size()); ++i) {
      if (got[i] != golden[i] && diffs++ == 0) first = i;
    }
    if (c->mismatched++ == 0) {
      c->first_error = std::string(name) + ": " + std::to_string(diffs) + " of " +
                       std::to_string(golden.size()) + " bytes differ (sizes " +
                       std::to_string(got.size()) + "/" + std::to_string(golden.size()) +
                       ") at byte " + std::to_string(at - got.size()) + ", first at " +
                       std::to_string(first);
    }
  }
}

std::vector<uint8_t> bytes_of(const sotto_tensor_t &t) {
  return std::vector<uint8_t>(static_cast<const uint8_t *>(t.data),
                              static_cast<const uint8_t *>(t.data) + t.bytes);
}

struct ModelName {
  std::string operator()(const ::testing::TestParamInfo<ConformanceModel> &p) const {
    return std::string(p.param.name) + (p.param.cortex_m4_blob ? "_cortex_m4" : "");
  }
};

class Conformance : public ::testing::TestWithParam<ConformanceModel> {};

TEST_P(Conformance, EveryCaseEveryLayerBitExact) {
  const ConformanceModel &mc = GetParam();
  const fs::path golden = kShared / "conformance" / mc.golden_dir;
  const fs::path model_file = kShared / "models" / mc.model_file;
  ASSERT_TRUE(fs::exists(golden)) << golden << " is missing (-DSOTTO_SHARED_DIR=...)";
  ASSERT_TRUE(fs::exists(model_file)) << model_file << " is missing";
  ImportSummary summary;
  // A Cortex-M4 blob (its own weight layouts) runs here through the reference kernels too.
  AlignedBlob blob(import_tflite(read_file(model_file.string()),
                                 mc.cortex_m4_blob ? Target::kCortexM4 : Target::kGeneric,
                                 &summary));
  sotto_model_t model;
  ASSERT_EQ(SOTTO_OK, sotto_model_open(&model, blob.data(), blob.bytes));
  ASSERT_EQ(mc.op_count, sotto_model_op_count(&model));
  std::vector<uint32_t> arena((sotto_model_arena_bytes(&model) + 3) / 4);
  ASSERT_EQ(SOTTO_OK, sotto_model_attach_arena(&model, arena.data(), arena.size() * 4));
  const uint32_t inputs = sotto_model_input_count(&model);
  ASSERT_EQ(1u, sotto_model_output_count(&model));
  for (int n : mc.cases) {
    const bool layers = mc.has_layers(n);
    SCOPED_TRACE(std::string(mc.name) + " case " + std::to_string(n));
    // TFLM made every case from a fresh interpreter: a stateful model (SVDF) starts each case
    // from its initial state.
    ASSERT_EQ(SOTTO_OK, sotto_model_reset_state(&model));
    for (uint32_t k = 0; k < inputs; ++k) {
      const std::string file =
          inputs == 1 ? "input_" + std::to_string(n) + ".bin"
                      : "input_" + std::to_string(n) + "_" + std::to_string(k) + ".bin";
      const std::vector<uint8_t> input = read_file(golden / file);
      sotto_tensor_t in;
      ASSERT_EQ(SOTTO_OK, sotto_model_input(&model, k, &in));
      ASSERT_EQ(input.size(), in.bytes) << file;
      memcpy(in.data, input.data(), input.size());
    }
    LayerCheck check;
    check.layers = golden / "layers";
    check.case_index = n;
    ASSERT_EQ(SOTTO_OK, sotto_invoke_observed(&model, layers ? on_op : nullptr, &check));
    EXPECT_EQ(layers ? mc.op_count : 0u, check.checked);
    EXPECT_EQ(0u, check.mismatched) << check.first_error;
    sotto_tensor_t out;
    ASSERT_EQ(SOTTO_OK, sotto_model_output(&model, 0, &out));
    // The final output: output_N.bin, or (where the data has no such file) the last operator's
    // layer file, which holds the graph output.
    const fs::path output_file = golden / ("output_" + std::to_string(n) + ".bin");
    char last_layer[64];
    snprintf(last_layer, sizeof last_layer, "case%d_op%02u.bin", n, mc.op_count - 1);
    ASSERT_TRUE(fs::exists(output_file) || layers)
        << output_file << " is missing and case " << n << " has no layer files";
    const std::vector<uint8_t> expected =
        read_file(fs::exists(output_file) ? output_file : golden / "layers" / last_layer);
    EXPECT_EQ(expected, bytes_of(out)) << "final output";
  }
  std::printf("%s: %u ops, arena %u bytes (%u row streams), weights %u bytes, blob %u bytes\n",
              mc.name, summary.op_count, summary.arena_bytes, summary.streams, summary.weight_bytes,
              summary.blob_bytes);
}

// The models of conformance_models.cmake whose golden data lies under `folder`.
std::vector<ConformanceModel> models_in(const std::string &folder) {
  std::vector<ConformanceModel> models;
  for (const ConformanceModel &m : sotto_test::kConformanceModels) {
    if (std::string(m.golden_dir).rfind(folder + "/", 0) == 0) models.push_back(m);
  }
  return models;
}

// The TFLM example models the engine does not run yet, each refused at import naming its first
// unsupported operator. With the conformance table this accounts for every golden folder: a model
// that starts to import must move into conformance_models.cmake, and a new folder must be listed.
struct Refused {
  const char *name;        // its folder under conformance/tflm-examples
  const char *model_file;  // under ../shared/models
  const char *op;
};
// Empty since UNIDIRECTIONAL_SEQUENCE_LSTM: every TFLM example runs.
const std::vector<Refused> kRefused = {};

TEST(TflmExamplesCoverage, EveryGoldenModelConformsOrIsRefusedNamingItsOperator) {
  const fs::path folder = kShared / "conformance" / "tflm-examples";
  ASSERT_TRUE(fs::exists(folder)) << folder << " is missing (-DSOTTO_SHARED_DIR=...)";
  std::vector<std::string> listed;
  for (const ConformanceModel &m : models_in("tflm-examples")) {
    listed.push_back(fs::path(m.golden_dir).filename().string());
  }
  size_t golden_folders = 0;
  for (const fs::directory_entry &e : fs::directory_iterator(folder)) {
    if (!e.is_directory()) continue;
    ++golden_folders;
    const std::string name = e.path().filename().string();
    const bool conforms = std::find(listed.begin(), listed.end(), name) != listed.end();
    const bool refused = std::any_of(kRefused.begin(), kRefused.end(),
                                     [&](const Refused &r) { return name == r.name; });
    EXPECT_TRUE(conforms != refused)
        << name << ": expected in exactly one of conformance_models.cmake and kRefused";
  }
  EXPECT_EQ(27u, golden_folders);
  for (const Refused &r : kRefused) {
    const std::string error =
        sotto_test::import_error(read_file(kShared / "models" / r.model_file));
    EXPECT_EQ(0u, error.rfind(std::string("unsupported operator ") + r.op + " ", 0))
        << r.name << ": " << error;
  }
}

INSTANTIATE_TEST_SUITE_P(MlperfTiny, Conformance, ::testing::ValuesIn(models_in("tflm-golden")),
                         ModelName());
INSTANTIATE_TEST_SUITE_P(TflmExamples, Conformance, ::testing::ValuesIn(models_in("tflm-examples")),
                         ModelName());

}  // namespace
