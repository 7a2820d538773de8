// Every rejection reason with a tampered or unsuitable bundle: the named error, the status the
// device reports, and the old model still active and intact.
#include <gtest/gtest.h>
#include <pb_decode.h>
#include <pb_encode.h>

#include <cstring>

#include "ota_fixture.h"
#include "sotto/v1/ota.pb.h"

namespace sotto::test {
namespace {

class OtaRejection : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(device_.boot(), SOTTO_OK);
    ASSERT_EQ(device_.update(gw::make_bundle(fleet_key(), fields_for(v1_, 5), v1_)), SOTTO_OK);
  }

  // Runs the update and checks that nothing but the reported reason changed.
  void expect_rejected(const gw::Bundle &bundle, sotto_err_t reason) {
    EXPECT_EQ(device_.update(bundle, 77), reason) << sotto_err_name(reason);
    sotto_ota_status_t status{};
    ASSERT_EQ(sotto_ota_get_status(&device_.ota(), &status), SOTTO_OK);
    EXPECT_EQ(status.state, SOTTO_OTA_FAILED);
    EXPECT_EQ(status.failure, reason) << sotto_err_name(status.failure);
    EXPECT_EQ(status.rollout_id, 77u);
    EXPECT_EQ(device_.active_version(), 5u);
    EXPECT_EQ(device_.active_slot_bytes(), v1_);
    ASSERT_EQ(device_.boot(), SOTTO_OK);  // and after a reboot
    EXPECT_EQ(device_.active_version(), 5u);
    EXPECT_EQ(device_.active_slot_bytes(), v1_);
  }

  // The envelope with one bit flipped inside field number `field` (at byte `at` of its value).
  static std::vector<uint8_t> flip_in_envelope(const std::vector<uint8_t> &envelope, int field,
                                               size_t at) {
    sotto_v1_SignedManifest decoded = sotto_v1_SignedManifest_init_zero;
    pb_istream_t in = pb_istream_from_buffer(envelope.data(), envelope.size());
    EXPECT_TRUE(pb_decode(&in, sotto_v1_SignedManifest_fields, &decoded));
    if (field == 1) {
      decoded.manifest.bytes[at] ^= 0x01;
    }
    if (field == 2) {
      decoded.key_id ^= 0x01;
    }
    if (field == 3) {
      decoded.signature[at] ^= 0x01;
    }
    std::vector<uint8_t> out(sotto_v1_SignedManifest_size);
    pb_ostream_t stream = pb_ostream_from_buffer(out.data(), out.size());
    EXPECT_TRUE(pb_encode(&stream, sotto_v1_SignedManifest_fields, &decoded));
    out.resize(stream.bytes_written);
    return out;
  }

  OtaDevice device_;
  std::vector<uint8_t> v1_ = make_model(3000, 1);
  std::vector<uint8_t> v2_ = make_model(3100, 2);
};

TEST_F(OtaRejection, FlippedBitInModelIsDigestMismatch) {
  auto bundle = gw::make_bundle(fleet_key(), fields_for(v2_, 6), v2_);
  bundle.model[1234] ^= 0x10;
  expect_rejected(bundle, SOTTO_ERR_OTA_DIGEST_MISMATCH);
  EXPECT_EQ(device_.chunk_bytes_sent(), v1_.size() + v2_.size());
}

TEST_F(OtaRejection, FlippedBitInManifestIsBadSignature) {
  auto bundle = gw::make_bundle(fleet_key(), fields_for(v2_, 6), v2_);
  bundle.envelope = flip_in_envelope(bundle.envelope, 1, 3);
  expect_rejected(bundle, SOTTO_ERR_OTA_BAD_SIGNATURE);
  EXPECT_EQ(device_.chunk_bytes_sent(), v1_.size());  // rejected before any chunk was sent
}

TEST_F(OtaRejection, FlippedBitInSignatureIsBadSignature) {
  auto bundle = gw::make_bundle(fleet_key(), fields_for(v2_, 6), v2_);
  bundle.envelope = flip_in_envelope(bundle.envelope, 3, 40);
  expect_rejected(bundle, SOTTO_ERR_OTA_BAD_SIGNATURE);
}

TEST_F(OtaRejection, AnotherKeyIsWrongKey) {
  auto other = gw::SigningKey::generate();
  expect_rejected(gw::make_bundle(other, fields_for(v2_, 6), v2_), SOTTO_ERR_OTA_WRONG_KEY);
}

TEST_F(OtaRejection, FlippedBitInKeyIdIsWrongKey) {
  auto bundle = gw::make_bundle(fleet_key(), fields_for(v2_, 6), v2_);
  bundle.envelope = flip_in_envelope(bundle.envelope, 2, 0);
  expect_rejected(bundle, SOTTO_ERR_OTA_WRONG_KEY);
}

TEST_F(OtaRejection, OlderVersionIsNotNewer) {
  expect_rejected(gw::make_bundle(fleet_key(), fields_for(v2_, 4), v2_),
                  SOTTO_ERR_OTA_VERSION_NOT_NEWER);
}

TEST_F(OtaRejection, SameVersionIsNotNewer) {
  expect_rejected(gw::make_bundle(fleet_key(), fields_for(v1_, 5), v1_),
                  SOTTO_ERR_OTA_VERSION_NOT_NEWER);
}

TEST_F(OtaRejection, OtherDeviceClassIsWrongClass) {
  expect_rejected(gw::make_bundle(fleet_key(), fields_for(v2_, 6, kDeviceClass + 1), v2_),
                  SOTTO_ERR_OTA_WRONG_DEVICE_CLASS);
}

TEST_F(OtaRejection, ModelLargerThanASlotIsTooLarge) {
  auto big = make_model(kSlotBytes + 1, 3);
  expect_rejected(gw::make_bundle(fleet_key(), fields_for(big, 6), big), SOTTO_ERR_OTA_TOO_LARGE);
}

TEST_F(OtaRejection, WrongExpectedOutputIsSelfTestFailed) {
  auto fields = fields_for(v2_, 6);
  fields.self_test_output_sha256[0] ^= 0x80;
  expect_rejected(gw::make_bundle(fleet_key(), fields, v2_), SOTTO_ERR_OTA_SELF_TEST_FAILED);
}

TEST_F(OtaRejection, ModelTheEngineCannotOpenIsSelfTestFailed) {
  // The good model's promised digest: the signer itself refuses to run the broken blob.
  auto fields = fields_for(v2_, 6);
  auto model = v2_;
  model[0] = kNotAModelByte;
  expect_rejected(gw::make_bundle(fleet_key(), fields, model), SOTTO_ERR_OTA_SELF_TEST_FAILED);
  EXPECT_EQ(engine_self_test_context().last_error, SOTTO_ERR_MODEL_BAD_MAGIC);
}

TEST_F(OtaRejection, NewerSdkRequirementIsSdkTooOld) {
  auto fields = fields_for(v2_, 6);
  fields.min_sdk_version = SOTTO_SDK_VERSION + 1;
  expect_rejected(gw::make_bundle(fleet_key(), fields, v2_), SOTTO_ERR_OTA_SDK_TOO_OLD);
}

TEST_F(OtaRejection, UndecodableEnvelopeIsBadManifest) {
  auto bundle = gw::make_bundle(fleet_key(), fields_for(v2_, 6), v2_);
  bundle.envelope.resize(bundle.envelope.size() / 2);
  expect_rejected(bundle, SOTTO_ERR_OTA_BAD_MANIFEST);
}

TEST_F(OtaRejection, StorageFailureIsStorageError) {
  auto bundle = gw::make_bundle(fleet_key(), fields_for(v2_, 6), v2_);
  sotto_host_storage_cut_power_after(device_.storage(), 3);
  EXPECT_EQ(device_.update(bundle, 77), SOTTO_ERR_OTA_STORAGE);
  sotto_ota_status_t status{};
  ASSERT_EQ(sotto_ota_get_status(&device_.ota(), &status), SOTTO_OK);
  EXPECT_EQ(status.state, SOTTO_OTA_FAILED);
  EXPECT_EQ(status.failure, SOTTO_ERR_OTA_STORAGE);
  EXPECT_EQ(device_.active_version(), 5u);
}

TEST_F(OtaRejection, RejectedUpdateDoesNotBlockTheNextGoodOne) {
  auto bad = gw::make_bundle(fleet_key(), fields_for(v2_, 6), v2_);
  bad.model[10] ^= 1;
  ASSERT_EQ(device_.update(bad), SOTTO_ERR_OTA_DIGEST_MISMATCH);
  ASSERT_EQ(device_.update(gw::make_bundle(fleet_key(), fields_for(v2_, 6), v2_)), SOTTO_OK);
  EXPECT_EQ(device_.active_version(), 6u);
  EXPECT_EQ(device_.active_slot_bytes(), v2_);
}

}  // namespace
}  // namespace sotto::test
