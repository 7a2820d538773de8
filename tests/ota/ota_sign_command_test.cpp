// sottoctl keygen and model sign (the command functions h2's dispatcher calls): files, exit
// codes, messages, and bundles a device accepts.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include "model_self_test.h"
#include "ota_fixture.h"
#include "sign_commands.h"

namespace sotto::test {
namespace {

class SignCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/sotto-sign-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    model_ = make_model(1500, 21);
    std::ofstream(dir_ + "/m.smdl", std::ios::binary)
        .write(reinterpret_cast<const char *>(model_.data()),
               static_cast<std::streamsize>(model_.size()));
  }
  void TearDown() override { EXPECT_EQ(std::system(("rm -rf " + dir_).c_str()), 0); }

  int run_keygen(const std::vector<std::string> &args) {
    out_.str("");
    err_.str("");
    return gw::keygen_command(args, out_, err_);
  }
  int run_sign(const std::vector<std::string> &args, const gw::SelfTestRunner &runner = nullptr) {
    out_.str("");
    err_.str("");
    return gw::model_sign_command(args, out_, err_, runner);
  }
  std::string hex_expected_output(uint32_t version) {
    auto digest = fields_for(model_, version).self_test_output_sha256;
    std::ostringstream text;
    for (uint8_t b : digest) {
      text << "0123456789abcdef"[b >> 4] << "0123456789abcdef"[b & 15];
    }
    return text.str();
  }
  std::vector<uint8_t> read(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
  }

  std::string dir_;
  std::vector<uint8_t> model_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(SignCommand, KeygenWritesAPrivateKeyOnlyTheOwnerCanRead) {
  ASSERT_EQ(run_keygen({"--out", dir_ + "/keys"}), 0) << err_.str();
  struct stat info {};
  ASSERT_EQ(::stat((dir_ + "/keys/signing_key.pem").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir_ + "/keys/signing_key.pub.pem").c_str(), &info), 0);
  EXPECT_NE(out_.str().find("key id "), std::string::npos);
  EXPECT_EQ(run_keygen({"--out", dir_ + "/keys"}), 1);
  EXPECT_NE(err_.str().find("signing_key.pem: File exists"), std::string::npos) << err_.str();
  EXPECT_EQ(run_keygen({}), 2);
  EXPECT_NE(err_.str().find("error: missing --out"), std::string::npos) << err_.str();
}

TEST_F(SignCommand, SignedBundleIsAcceptedByADeviceTrustingTheKey) {
  ASSERT_EQ(run_keygen({"--out", dir_ + "/keys"}), 0);
  ASSERT_EQ(run_sign({dir_ + "/m.smdl", "--key", dir_ + "/keys/signing_key.pem", "--version", "4",
                      "--target-class", std::to_string(kDeviceClass), "-o", dir_ + "/m.bundle",
                      "--model-id", "7", "--self-test-seed", std::to_string(0x5eed0000u + 4),
                      "--expected-output-sha256", hex_expected_output(4)}),
            0)
      << err_.str();
  EXPECT_NE(out_.str().find("model 7 version 4 class 3, 1500 bytes"), std::string::npos)
      << out_.str();
  auto bundle = gw::parse_bundle(read(dir_ + "/m.bundle"));
  EXPECT_EQ(bundle.model, model_);
  auto key = gw::SigningKey::load_private_pem_file(dir_ + "/keys/signing_key.pem");
  // A device provisioned with this key installs it (self-test included).
  OtaDevice device;
  ASSERT_EQ(device.boot(), SOTTO_OK);
  sotto_ota_manifest_t manifest{};
  EXPECT_EQ(sotto_ota_verify_envelope(&device.ota(), bundle.envelope.data(), bundle.envelope.size(),
                                      &manifest),
            SOTTO_ERR_OTA_WRONG_KEY);  // the test fleet's key is another one
  auto public_key = key.public_key();
  sotto_ota_config_t config = device.ota().config;
  config.public_key = public_key.data();
  ASSERT_EQ(sotto_ota_init(&device.ota(), &config), SOTTO_OK);
  ASSERT_EQ(device.update(bundle), SOTTO_OK);
  EXPECT_EQ(device.active_version(), 4u);
}

TEST_F(SignCommand, RunnerComputesTheSelfTestOutput) {
  ASSERT_EQ(run_keygen({"--out", dir_ + "/keys"}), 0);
  uint64_t seen_seed = 0;
  gw::SelfTestRunner runner = [&](const std::vector<uint8_t> &model, uint64_t seed) {
    seen_seed = seed;
    return engine_output_sha256(model, seed);
  };
  ASSERT_EQ(run_sign({dir_ + "/m.smdl", "--key", dir_ + "/keys/signing_key.pem", "--version", "2",
                      "--target-class", "3", "-o", dir_ + "/m.bundle", "--self-test-seed", "99"},
                     runner),
            0)
      << err_.str();
  EXPECT_EQ(seen_seed, 99u);
}

TEST_F(SignCommand, EngineRunnerSignsOnlyLoadableModels) {
  ASSERT_EQ(run_keygen({"--out", dir_ + "/keys"}), 0);
  const std::vector<std::string> common = {"--key",
                                           dir_ + "/keys/signing_key.pem",
                                           "--version",
                                           "2",
                                           "--target-class",
                                           "3",
                                           "--self-test-seed",
                                           "7"};
  auto sign = [&](const std::string &model, const std::string &bundle,
                  std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {model, "-o", bundle};
    args.insert(args.end(), common.begin(), common.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return run_sign(args, gw::model_self_test);
  };
  ASSERT_EQ(sign(dir_ + "/m.smdl", dir_ + "/m.bundle"), 0) << err_.str();
  // A device trusting the key runs the same engine on the same input and activates it.
  auto bundle = gw::parse_bundle(read(dir_ + "/m.bundle"));
  auto public_key =
      gw::SigningKey::load_private_pem_file(dir_ + "/keys/signing_key.pem").public_key();
  OtaDevice device;
  ASSERT_EQ(device.boot(), SOTTO_OK);
  sotto_ota_config_t config = device.ota().config;
  config.public_key = public_key.data();
  ASSERT_EQ(sotto_ota_init(&device.ota(), &config), SOTTO_OK);
  ASSERT_EQ(device.update(bundle), SOTTO_OK);
  EXPECT_EQ(device.active_version(), 2u);

  std::vector<uint8_t> blob(model_.size(), 0x5a);
  std::ofstream(dir_ + "/blob.smdl", std::ios::binary)
      .write(reinterpret_cast<const char *>(blob.data()),
             static_cast<std::streamsize>(blob.size()));
  EXPECT_EQ(sign(dir_ + "/blob.smdl", dir_ + "/blob.bundle"), 1);
  EXPECT_EQ(err_.str(), "error: " + dir_ +
                            "/blob.smdl: not a loadable .smdl model (SOTTO_ERR_MODEL_BAD_MAGIC); "
                            "compile it with `sottoctl model import`\n");
  EXPECT_FALSE(std::ifstream(dir_ + "/blob.bundle").good());

  EXPECT_EQ(sign(dir_ + "/m.smdl", dir_ + "/x.bundle",
                 {"--expected-output-sha256", std::string(64, '0')}),
            1);
  EXPECT_NE(err_.str().find("self-test output sha256 is "), std::string::npos) << err_.str();
  EXPECT_FALSE(std::ifstream(dir_ + "/x.bundle").good());
}

TEST_F(SignCommand, UsageErrorsNameTheProblem) {
  const std::string key = dir_ + "/keys/signing_key.pem";
  ASSERT_EQ(run_keygen({"--out", dir_ + "/keys"}), 0);
  EXPECT_EQ(run_sign({dir_ + "/m.smdl", "--key", key, "--version", "2", "--target-class", "3", "-o",
                      "x"}),
            2);
  EXPECT_NE(err_.str().find("error: no inference engine linked"), std::string::npos) << err_.str();
  EXPECT_EQ(run_sign({dir_ + "/m.smdl", "--key", key, "--version", "two", "--target-class", "3",
                      "-o", "x"}),
            2);
  EXPECT_NE(err_.str().find("--version two: expected a number 0..4294967295"), std::string::npos)
      << err_.str();
  EXPECT_EQ(run_sign({dir_ + "/m.smdl", "--key", key, "--version", "2", "--target-class", "256",
                      "-o", "x", "--expected-output-sha256", hex_expected_output(2)}),
            2);
  EXPECT_NE(err_.str().find("--target-class 256: expected a number 0..255"), std::string::npos);
  EXPECT_EQ(run_sign({dir_ + "/m.smdl", "--version", "2", "--target-class", "3", "-o", "x",
                      "--expected-output-sha256", hex_expected_output(2)}),
            2);
  EXPECT_NE(err_.str().find("error: missing --key"), std::string::npos) << err_.str();
  EXPECT_EQ(run_sign({dir_ + "/missing.smdl", "--key", key, "--version", "2", "--target-class", "3",
                      "-o", "x", "--expected-output-sha256", hex_expected_output(2)}),
            1);
  EXPECT_NE(err_.str().find("cannot read " + dir_ + "/missing.smdl"), std::string::npos);
  EXPECT_EQ(run_sign({dir_ + "/m.smdl", "--bogus", "1"}), 2);
  EXPECT_NE(err_.str().find("unknown option --bogus"), std::string::npos);
}

}  // namespace
}  // namespace sotto::test
