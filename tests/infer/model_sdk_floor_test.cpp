// The oldest SDK that reads a blob (gateway/rollout/model_sdk_floor.h), for real models imported
// each way, and `sottoctl model sign` refusing a --min-sdk below it.
#include "model_sdk_floor.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "bundle.h"
#include "importer.h"
#include "model_fixture.h"
#include "model_self_test.h"
#include "process.h"
#include "sign_commands.h"
#include "sotto/device.h"

namespace {

using namespace sotto::gw::model;
using sotto::gw::model_sdk_floor;
using sotto_test::read_file;
using sotto_test::shared_model;

std::string op_model(const char *file) {
  return std::string(SOTTO_SHARED_DIR) + "/models/tflm-examples/ops/" + file;
}

std::vector<uint8_t> import(const std::string &path, Target target, const BlobOptions &blob = {},
                            const PruneOptions &prune = {}) {
  return import_tflite(read_file(path), target, nullptr, prune, blob);
}

// "SDK N: needs" of a blob.
std::string floor_of(const std::vector<uint8_t> &blob) {
  const sotto::gw::ModelSdkFloor f = model_sdk_floor(blob);
  return "SDK " + std::to_string(f.sdk_version) + (f.needs.empty() ? "" : ": " + f.needs);
}

BlobOptions older_firmware() {
  BlobOptions b;
  b.row_streams = false;
  b.interleaved_filters = false;
  return b;
}

TEST(ModelSdkFloor, EachAdditionSinceTheFirstReleaseNamesItself) {
  SOTTO_REQUIRE_SHARED_DATA();
  const std::string kws = shared_model("kws_ref_model.tflite");
  const std::string ic = shared_model("pretrainedResnet_quant.tflite");
  EXPECT_EQ("SDK 200: op 0 (CONV_2D): an interleaved filter (import with --plain-filters)",
            floor_of(import(kws, Target::kCortexM4)));
  EXPECT_EQ("SDK 100", floor_of(import(kws, Target::kCortexM4, older_firmware())));
  EXPECT_EQ("SDK 100", floor_of(import(kws, Target::kGeneric)));
  EXPECT_EQ("SDK 200: row streams, format version 3 (import with --whole-tensors)",
            floor_of(import(ic, Target::kCortexM4)));
  EXPECT_EQ("SDK 100", floor_of(import(ic, Target::kCortexM4, older_firmware())));
  PruneOptions half;
  half.sparsity = 0.5;
  EXPECT_EQ("SDK 200: op 2 (CONV_2D): block-sparse weights (import without --prune)",
            floor_of(import(kws, Target::kCortexM4, older_firmware(), half)));
  EXPECT_EQ("SDK 200: op 0 (ADD): int16 activations",
            floor_of(import(op_model("seanet_add_0.tflite"), Target::kGeneric)));
  EXPECT_EQ("SDK 200: op 0 (LEAKY_RELU): an op added after 0.1.0",
            floor_of(import(op_model("seanet_leaky_relu_11.tflite"), Target::kGeneric)));
  EXPECT_THROW(
      {
        try {
          model_sdk_floor(std::vector<uint8_t>(64, 0x5a));
        } catch (const std::runtime_error &e) {
          EXPECT_STREQ(
              "not a loadable .smdl model (SOTTO_ERR_MODEL_BAD_MAGIC); compile it with "
              "`sottoctl model import`",
              e.what());
          throw;
        }
      },
      std::runtime_error);
}

class SignFloor : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = sotto::test::make_temp_dir("floor-test");
    std::ostringstream out, err;
    ASSERT_EQ(sotto::gw::keygen_command({"--out", dir_ + "/keys"}, out, err), 0) << err.str();
  }
  void TearDown() override { EXPECT_EQ(std::system(("rm -rf " + dir_).c_str()), 0); }

  // sottoctl model sign BLOB with the engine's self-test; the exit status, err_ its message.
  int sign(const std::vector<uint8_t> &blob, const std::string &bundle,
           std::vector<std::string> extra) {
    std::ofstream(dir_ + "/m.smdl", std::ios::binary)
        .write(reinterpret_cast<const char *>(blob.data()),
               static_cast<std::streamsize>(blob.size()));
    std::vector<std::string> args = {dir_ + "/m.smdl",
                                     "--key",
                                     dir_ + "/keys/signing_key.pem",
                                     "--version",
                                     "3",
                                     "--target-class",
                                     "2",
                                     "-o",
                                     bundle};
    args.insert(args.end(), extra.begin(), extra.end());
    std::ostringstream out;
    err_.str("");
    return sotto::gw::model_sign_command(args, out, err_, sotto::gw::model_self_test);
  }
  uint32_t min_sdk_of(const std::string &bundle) {
    std::ifstream in(bundle, std::ios::binary);
    return sotto::gw::parse_bundle(std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {}))
        .min_sdk_version;
  }

  std::string dir_;
  std::ostringstream err_;
};

TEST_F(SignFloor, RefusesAMinSdkOlderThanTheBlobAndSignsAtOrAboveIt) {
  SOTTO_REQUIRE_SHARED_DATA();
  const std::string kws = shared_model("kws_ref_model.tflite");
  const std::vector<uint8_t> current = import(kws, Target::kCortexM4);
  EXPECT_EQ(2, sign(current, dir_ + "/a.bundle", {"--min-sdk", "100"}));
  EXPECT_EQ("error: " + dir_ +
                "/m.smdl needs SDK 0.2.0 or later (op 0 (CONV_2D): an interleaved filter (import "
                "with --plain-filters)): --min-sdk 100 would offer it to firmware that cannot run "
                "it\nusage: sottoctl model sign MODEL.smdl --key KEY --version N --target-class "
                "CLASS -o BUNDLE [--model-id N] [--min-sdk N] [--self-test-seed N] "
                "[--expected-output-sha256 HEX]\n",
            err_.str());
  EXPECT_FALSE(std::ifstream(dir_ + "/a.bundle").good());
  ASSERT_EQ(0, sign(current, dir_ + "/b.bundle", {"--min-sdk", "200"})) << err_.str();
  EXPECT_EQ(200u, min_sdk_of(dir_ + "/b.bundle"));
  ASSERT_EQ(0, sign(current, dir_ + "/c.bundle", {})) << err_.str();
  EXPECT_EQ(static_cast<uint32_t>(SOTTO_SDK_VERSION), min_sdk_of(dir_ + "/c.bundle"));
  // Imported for the first release's firmware, it may be offered to it.
  ASSERT_EQ(0, sign(import(kws, Target::kCortexM4, older_firmware()), dir_ + "/d.bundle",
                    {"--min-sdk", "100"}))
      << err_.str();
  EXPECT_EQ(100u, min_sdk_of(dir_ + "/d.bundle"));
}

}  // namespace
