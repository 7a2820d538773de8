// The SDK's engine self-test (sotto_ota_model_self_test) inside the real updater: a model
// passes only when its output on the seeded input hashes to what the signer computed, and every
// way it cannot run is a failed self-test with the cause kept in the context.
#include <gtest/gtest.h>

#include <cstring>

#include "ota_fixture.h"
#include "sotto/model.h"

namespace sotto::test {
namespace {

class ModelSelfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(device_.boot(), SOTTO_OK);
    context_.last_error = SOTTO_ERR_LAST_;  // proves each test's run sets it
  }
  void TearDown() override { context_ = saved_; }

  // Expects the update to fail its self-test, with no model activated.
  void expect_self_test_failed(const gw::Bundle &bundle) {
    EXPECT_EQ(device_.update(bundle), SOTTO_ERR_OTA_SELF_TEST_FAILED);
    sotto_ota_status_t status{};
    ASSERT_EQ(sotto_ota_get_status(&device_.ota(), &status), SOTTO_OK);
    EXPECT_EQ(status.state, SOTTO_OTA_FAILED);
    EXPECT_EQ(status.failure, SOTTO_ERR_OTA_SELF_TEST_FAILED) << sotto_err_name(status.failure);
    EXPECT_EQ(device_.active_version(), 0u);
  }

  OtaDevice device_;
  sotto_ota_model_self_test_ctx_t &context_ = engine_self_test_context();
  const sotto_ota_model_self_test_ctx_t saved_ = engine_self_test_context();
  std::vector<uint8_t> model_ = make_model(3000, 1);
};

TEST_F(ModelSelfTest, ModelComputingTheSignedDigestActivates) {
  ASSERT_EQ(device_.update(gw::make_bundle(fleet_key(), fields_for(model_, 2), model_)), SOTTO_OK);
  EXPECT_EQ(device_.active_version(), 2u);
  EXPECT_EQ(context_.last_error, SOTTO_OK);
}

TEST_F(ModelSelfTest, ModelWithAnotherOutputDigestFails) {
  auto fields = fields_for(model_, 2);
  fields.self_test_output_sha256 = fields_for(make_model(3000, 2), 2).self_test_output_sha256;
  expect_self_test_failed(gw::make_bundle(fleet_key(), fields, model_));
  EXPECT_EQ(context_.last_error, SOTTO_OK);  // it ran; its output is not the promised one
}

TEST_F(ModelSelfTest, BlobThatIsNotAModelFails) {
  std::vector<uint8_t> blob(2000);
  uint32_t x = 99;
  for (auto &b : blob) {
    x = x * 1103515245u + 12345u;
    b = static_cast<uint8_t>(x >> 16);
  }
  auto fields = fields_for(model_, 2);  // the signer refuses the blob: any promised digest
  expect_self_test_failed(gw::make_bundle(fleet_key(), fields, blob));
  EXPECT_EQ(context_.last_error, SOTTO_ERR_MODEL_BAD_MAGIC);
}

TEST_F(ModelSelfTest, ArenaSmallerThanTheModelNeedsFails) {
  std::vector<uint32_t> aligned(model_.size() / 4 + 1);
  std::memcpy(aligned.data(), model_.data(), model_.size());
  sotto_model_t opened;
  ASSERT_EQ(sotto_model_open(&opened, aligned.data(), model_.size()), SOTTO_OK);
  const size_t needed = sotto_model_arena_bytes(&opened);
  ASSERT_GT(needed, 4u);
  context_.arena_bytes = needed - 4;
  expect_self_test_failed(gw::make_bundle(fleet_key(), fields_for(model_, 2), model_));
  EXPECT_EQ(context_.last_error, SOTTO_ERR_MODEL_ARENA_TOO_SMALL);
  context_.arena_bytes = needed;  // exactly enough is enough
  ASSERT_EQ(device_.update(gw::make_bundle(fleet_key(), fields_for(model_, 3), model_)), SOTTO_OK);
  EXPECT_EQ(device_.active_version(), 3u);
}

TEST_F(ModelSelfTest, SlotTheStorageDoesNotMapFailsWithItsOwnName) {
  sotto_ota_config_t config = device_.ota().config;
  config.storage.map = nullptr;
  ASSERT_EQ(sotto_ota_init(&device_.ota(), &config), SOTTO_OK);
  expect_self_test_failed(gw::make_bundle(fleet_key(), fields_for(model_, 2), model_));
  EXPECT_EQ(context_.last_error, SOTTO_ERR_OTA_SLOT_NOT_MAPPED);
}

TEST(ModelSelfTestArguments, MissingContextCandidateOrArenaIsInvalid) {
  uint8_t digest[SOTTO_OTA_SHA256_BYTES];
  sotto_ota_model_self_test_ctx_t context{};
  EXPECT_EQ(sotto_ota_model_self_test(nullptr, nullptr, digest), SOTTO_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sotto_ota_model_self_test(&context, nullptr, digest), SOTTO_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(context.last_error, SOTTO_ERR_INVALID_ARGUMENT);
  sotto_storage_port_t storage{};
  sotto_ota_manifest_t manifest{};
  const uint8_t model[4] = {};
  sotto_ota_candidate_t candidate{&storage, SOTTO_REGION_SLOT_A, model, &manifest};
  EXPECT_EQ(sotto_ota_model_self_test(&context, &candidate, digest), SOTTO_ERR_INVALID_ARGUMENT);
}

}  // namespace
}  // namespace sotto::test
