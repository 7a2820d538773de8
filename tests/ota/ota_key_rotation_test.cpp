// Trusted signing keys on the device: rotations signed by the gateway's signer
// (gateway/rollout/key_rotation.h) add and retire keys; bundles follow the list; every refusal
// has its named reason and stores nothing.
#include <gtest/gtest.h>
#include <pb_decode.h>
#include <pb_encode.h>

#include <cstring>
#include <deque>
#include <functional>
#include <optional>
#include <stdexcept>
#include <vector>

#include "key_rotation.h"
#include "ota_fixture.h"
#include "sotto/v1/key_rotation.pb.h"
#include "sotto/v1/ota.pb.h"

namespace sotto::test {
namespace {

constexpr size_t kModelBytes = 3000;

// Fleet keys beyond the provisioned one (fleet_key()), generated once per process.
const gw::SigningKey &key(size_t index) {
  static std::deque<gw::SigningKey> keys;  // references stay valid as it grows
  while (keys.size() <= index) {
    keys.push_back(gw::SigningKey::generate());
  }
  return keys[index];
}

std::vector<uint8_t> rotation(const gw::SigningKey &signer, const gw::SigningKey &added,
                              uint32_t version, std::optional<uint32_t> retire = std::nullopt) {
  return gw::sign_key_rotation(signer, added, {version, retire});
}

sotto_err_t rotate(OtaDevice &device, const std::vector<uint8_t> &envelope,
                   uint32_t rollout_id = 30) {
  return sotto_ota_rotate_keys(&device.ota(), rollout_id, envelope.data(), envelope.size());
}

sotto_ota_key_list_t keys_of(OtaDevice &device) {
  sotto_ota_key_list_t keys{};
  EXPECT_EQ(sotto_ota_get_keys(&device.ota(), &keys), SOTTO_OK);
  return keys;
}

std::vector<uint32_t> trusted_ids(OtaDevice &device) {
  const sotto_ota_key_list_t keys = keys_of(device);
  return {keys.key_ids, keys.key_ids + keys.key_count};
}

std::vector<uint32_t> retired_ids(OtaDevice &device) {
  const sotto_ota_key_list_t keys = keys_of(device);
  return {keys.retired_key_ids, keys.retired_key_ids + keys.retired_count};
}

sotto_v1_OtaStatus status_message(OtaDevice &device) {
  uint8_t bytes[SOTTO_OTA_STATUS_MAX_BYTES];
  size_t len = 0;
  EXPECT_EQ(sotto_ota_encode_status(&device.ota(), bytes, sizeof bytes, &len), SOTTO_OK);
  sotto_v1_OtaStatus status = sotto_v1_OtaStatus_init_zero;
  pb_istream_t in = pb_istream_from_buffer(bytes, len);
  EXPECT_TRUE(pb_decode(&in, sotto_v1_OtaStatus_fields, &status));
  return status;
}

class KeyRotation : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(device_.boot(), SOTTO_OK);
    ASSERT_EQ(device_.update(bundle(fleet_key(), 1)), SOTTO_OK);
  }

  gw::Bundle bundle(const gw::SigningKey &signer, uint32_t version) {
    const auto &model = version % 2 ? v_odd_ : v_even_;
    return gw::make_bundle(signer, fields_for(model, version), model);
  }

  // A refused rotation: its reason in the result and the status, no storage operation, and the
  // key list as before (also after a reboot).
  void expect_refused(const std::vector<uint8_t> &envelope, sotto_err_t reason) {
    const auto trusted = trusted_ids(device_);
    const auto retired = retired_ids(device_);
    const uint32_t version = keys_of(device_).version;
    const uint64_t ops = sotto_host_storage_op_count(device_.storage());
    EXPECT_EQ(rotate(device_, envelope, 31), reason) << sotto_err_name(reason);
    EXPECT_EQ(sotto_host_storage_op_count(device_.storage()), ops);
    sotto_ota_status_t status{};
    ASSERT_EQ(sotto_ota_get_status(&device_.ota(), &status), SOTTO_OK);
    EXPECT_EQ(status.state, SOTTO_OTA_FAILED);
    EXPECT_EQ(status.failure, reason) << sotto_err_name(status.failure);
    EXPECT_EQ(status.rollout_id, 31u);
    ASSERT_EQ(device_.boot(), SOTTO_OK);
    EXPECT_EQ(trusted_ids(device_), trusted);
    EXPECT_EQ(retired_ids(device_), retired);
    EXPECT_EQ(keys_of(device_).version, version);
  }

  OtaDevice device_;
  std::vector<uint8_t> v_odd_ = make_model(kModelBytes, 21);
  std::vector<uint8_t> v_even_ = make_model(kModelBytes, 22);
};

TEST_F(KeyRotation, FreshDeviceTrustsOnlyItsProvisionedKey) {
  const sotto_ota_key_list_t keys = keys_of(device_);
  EXPECT_EQ(keys.version, 0u);
  EXPECT_EQ(trusted_ids(device_), std::vector<uint32_t>{fleet_key().key_id()});
  EXPECT_EQ(0, memcmp(keys.public_keys[0], fleet_key().public_key().data(), 65));
  EXPECT_TRUE(retired_ids(device_).empty());
  EXPECT_EQ(status_message(device_).key_list_version, 0u);
}

TEST_F(KeyRotation, RotationSwitchesTheFleetToTheNewKeyAndRefusesTheRetiredOne) {
  const uint64_t ops = sotto_host_storage_op_count(device_.storage());
  ASSERT_EQ(rotate(device_, rotation(fleet_key(), key(0), 1, fleet_key().key_id())), SOTTO_OK);
  EXPECT_EQ(sotto_host_storage_op_count(device_.storage()) - ops, 2u);  // erase + write
  EXPECT_EQ(trusted_ids(device_), std::vector<uint32_t>{key(0).key_id()});
  EXPECT_EQ(retired_ids(device_), std::vector<uint32_t>{fleet_key().key_id()});
  const sotto_v1_OtaStatus status = status_message(device_);
  EXPECT_EQ(status.rollout_id, 30u);
  EXPECT_EQ(status.state, sotto_v1_OtaState_OTA_STATE_ACTIVATED);
  EXPECT_EQ(status.failure, sotto_v1_OtaFailure_OTA_FAILURE_NONE);
  EXPECT_EQ(status.offered_version, 1u);
  EXPECT_EQ(status.key_list_version, 1u);
  EXPECT_EQ(status.model_version, 1u);  // the running model keeps running

  EXPECT_EQ(device_.update(bundle(fleet_key(), 2), 40), SOTTO_ERR_OTA_KEY_REVOKED);
  const sotto_v1_OtaStatus refused = status_message(device_);
  EXPECT_EQ(refused.rollout_id, 40u);
  EXPECT_EQ(refused.state, sotto_v1_OtaState_OTA_STATE_FAILED);
  EXPECT_EQ(refused.failure, sotto_v1_OtaFailure_OTA_FAILURE_KEY_REVOKED);
  EXPECT_EQ(device_.active_version(), 1u);

  ASSERT_EQ(device_.update(bundle(key(0), 2)), SOTTO_OK);
  EXPECT_EQ(device_.active_version(), 2u);
  ASSERT_EQ(device_.boot(), SOTTO_OK);  // the list is on flash
  EXPECT_EQ(trusted_ids(device_), std::vector<uint32_t>{key(0).key_id()});
  EXPECT_EQ(keys_of(device_).version, 1u);
  EXPECT_EQ(device_.update(bundle(fleet_key(), 3)), SOTTO_ERR_OTA_KEY_REVOKED);
}

TEST_F(KeyRotation, AddingWithoutRetiringTrustsBothKeys) {
  ASSERT_EQ(rotate(device_, rotation(fleet_key(), key(0), 1)), SOTTO_OK);
  EXPECT_EQ(trusted_ids(device_), (std::vector<uint32_t>{fleet_key().key_id(), key(0).key_id()}));
  ASSERT_EQ(device_.update(bundle(key(0), 2)), SOTTO_OK);
  ASSERT_EQ(device_.update(bundle(fleet_key(), 3)), SOTTO_OK);
  EXPECT_EQ(device_.active_version(), 3u);
}

TEST_F(KeyRotation, ReplayedOldRotationIsRefused) {
  // v1 adds key 0; v2 retires it again. Replaying v1 (signed by the still trusted fleet key)
  // must not bring key 0 back.
  const auto v1 = rotation(fleet_key(), key(0), 1);
  ASSERT_EQ(rotate(device_, v1), SOTTO_OK);
  ASSERT_EQ(rotate(device_, rotation(fleet_key(), key(1), 2, key(0).key_id())), SOTTO_OK);
  expect_refused(v1, SOTTO_ERR_OTA_VERSION_NOT_NEWER);
  EXPECT_EQ(device_.update(bundle(key(0), 2)), SOTTO_ERR_OTA_KEY_REVOKED);
}

TEST_F(KeyRotation, RedeliveredRotationAnswersActivatedWithoutAWrite) {
  const auto v1 = rotation(fleet_key(), key(0), 1, fleet_key().key_id());
  ASSERT_EQ(rotate(device_, v1), SOTTO_OK);
  ASSERT_EQ(device_.boot(), SOTTO_OK);
  const uint64_t ops = sotto_host_storage_op_count(device_.storage());
  // Even one that retired its own signer: what is in force is answered, nothing is checked.
  ASSERT_EQ(rotate(device_, v1, 32), SOTTO_OK);
  EXPECT_EQ(sotto_host_storage_op_count(device_.storage()), ops);
  const auto v2 = rotation(key(0), key(1), 2);
  ASSERT_EQ(rotate(device_, v2, 33), SOTTO_OK);
  const uint64_t after_v2 = sotto_host_storage_op_count(device_.storage());
  EXPECT_EQ(after_v2 - ops, 2u);
  ASSERT_EQ(rotate(device_, v2, 33), SOTTO_OK);  // QoS 1 redelivery
  EXPECT_EQ(sotto_host_storage_op_count(device_.storage()), after_v2);
  EXPECT_EQ(status_message(device_).state, sotto_v1_OtaState_OTA_STATE_ACTIVATED);
}

TEST_F(KeyRotation, RefusesRotationsFromKeysItDoesNotTrust) {
  expect_refused(rotation(key(0), key(1), 1), SOTTO_ERR_OTA_WRONG_KEY);
  ASSERT_EQ(rotate(device_, rotation(fleet_key(), key(0), 1, fleet_key().key_id())), SOTTO_OK);
  expect_refused(rotation(fleet_key(), key(1), 2), SOTTO_ERR_OTA_KEY_REVOKED);
}

// The envelope decoded, changed by edit, and encoded again.
std::vector<uint8_t> edited(const std::vector<uint8_t> &envelope,
                            const std::function<void(sotto_v1_SignedKeyRotation &)> &edit) {
  sotto_v1_SignedKeyRotation decoded = sotto_v1_SignedKeyRotation_init_zero;
  pb_istream_t in = pb_istream_from_buffer(envelope.data(), envelope.size());
  EXPECT_TRUE(pb_decode(&in, sotto_v1_SignedKeyRotation_fields, &decoded));
  edit(decoded);
  std::vector<uint8_t> out(sotto_v1_SignedKeyRotation_size);
  pb_ostream_t stream = pb_ostream_from_buffer(out.data(), out.size());
  EXPECT_TRUE(pb_encode(&stream, sotto_v1_SignedKeyRotation_fields, &decoded));
  out.resize(stream.bytes_written);
  return out;
}

// A rotation whose content the test writes, signed by signer (the new-key proof by prover).
std::vector<uint8_t> signed_rotation(const sotto_v1_KeyRotation &content,
                                     const gw::SigningKey &signer, const gw::SigningKey &prover) {
  sotto_v1_SignedKeyRotation envelope = sotto_v1_SignedKeyRotation_init_zero;
  pb_ostream_t stream =
      pb_ostream_from_buffer(envelope.rotation.bytes, sizeof envelope.rotation.bytes);
  EXPECT_TRUE(pb_encode(&stream, sotto_v1_KeyRotation_fields, &content));
  envelope.rotation.size = static_cast<pb_size_t>(stream.bytes_written);
  const auto digest =
      gw::sha256_of({envelope.rotation.bytes, envelope.rotation.bytes + envelope.rotation.size});
  envelope.key_id = signer.key_id();
  const auto signature = signer.sign_digest(digest);
  std::memcpy(envelope.signature, signature.data(), signature.size());
  const auto proof = prover.sign_digest(digest);
  std::memcpy(envelope.new_key_signature, proof.data(), proof.size());
  std::vector<uint8_t> out(sotto_v1_SignedKeyRotation_size);
  stream = pb_ostream_from_buffer(out.data(), out.size());
  EXPECT_TRUE(pb_encode(&stream, sotto_v1_SignedKeyRotation_fields, &envelope));
  out.resize(stream.bytes_written);
  return out;
}

sotto_v1_KeyRotation content_adding(const gw::SigningKey &added, uint32_t version) {
  sotto_v1_KeyRotation content = sotto_v1_KeyRotation_init_zero;
  content.key_list_version = version;
  const auto public_key = added.public_key();
  std::memcpy(content.add_public_key, public_key.data(), public_key.size());
  return content;
}

TEST_F(KeyRotation, RefusesTamperedOrMalformedRotations) {
  const auto good = rotation(fleet_key(), key(0), 1, fleet_key().key_id());
  expect_refused(edited(good, [](auto &e) { e.signature[63] ^= 0x01; }),
                 SOTTO_ERR_OTA_BAD_SIGNATURE);
  expect_refused(edited(good, [](auto &e) { e.new_key_signature[0] ^= 0x01; }),
                 SOTTO_ERR_OTA_BAD_SIGNATURE);
  // The version raised under the same signatures.
  expect_refused(edited(good, [](auto &e) { e.rotation.bytes[1] = 0x02; }),
                 SOTTO_ERR_OTA_BAD_SIGNATURE);
  expect_refused(edited(good, [](auto &e) { e.key_id ^= 0x01; }), SOTTO_ERR_OTA_WRONG_KEY);
  expect_refused(edited(good, [](auto &e) { e.rotation.size = 0; }), SOTTO_ERR_OTA_BAD_MANIFEST);
  expect_refused({good.begin(), good.begin() + 40}, SOTTO_ERR_OTA_BAD_MANIFEST);  // truncated
  expect_refused({}, SOTTO_ERR_OTA_BAD_MANIFEST);

  // Validly signed, but content the device must not accept.
  sotto_v1_KeyRotation not_a_point = content_adding(key(0), 1);
  not_a_point.add_public_key[64] ^= 0x01;  // off the curve
  expect_refused(signed_rotation(not_a_point, fleet_key(), key(0)), SOTTO_ERR_OTA_BAD_MANIFEST);
  // The added key's holder did not sign (another key's signature stands in for its proof).
  expect_refused(signed_rotation(content_adding(key(0), 1), fleet_key(), key(1)),
                 SOTTO_ERR_OTA_BAD_SIGNATURE);
  expect_refused(signed_rotation(content_adding(key(0), 0), fleet_key(), key(0)),
                 SOTTO_ERR_OTA_VERSION_NOT_NEWER);
  expect_refused(rotation(fleet_key(), key(0), 1, key(1).key_id()), SOTTO_ERR_OTA_BAD_MANIFEST);
  ASSERT_EQ(rotate(device_, rotation(fleet_key(), key(0), 1)), SOTTO_OK);
  expect_refused(rotation(fleet_key(), key(0), 2), SOTTO_ERR_OTA_BAD_MANIFEST);  // trusted already
}

TEST_F(KeyRotation, FullListNeedsARetirementAndRetiredKeysNeverComeBack) {
  ASSERT_EQ(rotate(device_, rotation(fleet_key(), key(0), 1)), SOTTO_OK);
  ASSERT_EQ(rotate(device_, rotation(fleet_key(), key(1), 2)), SOTTO_OK);
  EXPECT_EQ(trusted_ids(device_).size(), size_t{SOTTO_OTA_MAX_TRUSTED_KEYS});
  expect_refused(rotation(fleet_key(), key(2), 3), SOTTO_ERR_OTA_KEY_LIST_FULL);
  ASSERT_EQ(rotate(device_, rotation(key(1), key(2), 3, key(0).key_id())), SOTTO_OK);
  EXPECT_EQ(trusted_ids(device_),
            (std::vector<uint32_t>{fleet_key().key_id(), key(1).key_id(), key(2).key_id()}));
  expect_refused(rotation(key(2), key(0), 4, key(1).key_id()), SOTTO_ERR_OTA_KEY_REVOKED);
}

TEST_F(KeyRotation, DeviceRemembersTheLastRetiredKeysAndForgetsTheOldest) {
  // key(i) replaces key(i-1) (the provisioned key first) five times: the fifth retirement
  // pushes the provisioned key out of the retired list.
  const gw::SigningKey *previous = &fleet_key();
  for (uint32_t i = 0; i <= SOTTO_OTA_MAX_RETIRED_KEYS; ++i) {
    ASSERT_EQ(rotate(device_, rotation(*previous, key(i), i + 1, previous->key_id())), SOTTO_OK);
    previous = &key(i);
  }
  EXPECT_EQ(retired_ids(device_), (std::vector<uint32_t>{key(0).key_id(), key(1).key_id(),
                                                         key(2).key_id(), key(3).key_id()}));
  EXPECT_EQ(device_.update(bundle(key(0), 2)), SOTTO_ERR_OTA_KEY_REVOKED);
  EXPECT_EQ(device_.update(bundle(fleet_key(), 2)), SOTTO_ERR_OTA_WRONG_KEY);  // forgotten
  ASSERT_EQ(device_.update(bundle(key(4), 2)), SOTTO_OK);
}

TEST_F(KeyRotation, UpdateInProgressIsRefusedAtTheSwitchWhenItsSignerWasRetired) {
  const gw::Bundle by_fleet = bundle(fleet_key(), 2);
  ASSERT_EQ(sotto_ota_offer(&device_.ota(), 50, by_fleet.envelope.data(), by_fleet.envelope.size(),
                            kChunkBytes),
            SOTTO_OK);
  ASSERT_EQ(sotto_ota_write_chunk(&device_.ota(), 0, by_fleet.model.data(), kChunkBytes), SOTTO_OK);
  ASSERT_EQ(rotate(device_, rotation(fleet_key(), key(0), 1, fleet_key().key_id())), SOTTO_OK);
  ASSERT_EQ(device_.boot(), SOTTO_OK);  // and the device rebooted meanwhile
  EXPECT_EQ(device_.update(by_fleet, 50), SOTTO_ERR_OTA_KEY_REVOKED);
  EXPECT_EQ(device_.active_version(), 1u);
  const sotto_v1_OtaStatus status = status_message(device_);
  EXPECT_EQ(status.rollout_id, 50u);
  EXPECT_EQ(status.failure, sotto_v1_OtaFailure_OTA_FAILURE_KEY_REVOKED);
  // The same model signed again by the new key starts over and activates.
  const uint64_t sent = device_.chunk_bytes_sent();
  ASSERT_EQ(device_.update(bundle(key(0), 2), 51), SOTTO_OK);
  EXPECT_EQ(device_.chunk_bytes_sent() - sent, kModelBytes);
  EXPECT_EQ(device_.active_version(), 2u);
}

TEST_F(KeyRotation, MessageLevelRotationOnTheKeysTopic) {
  const auto offer = gw::key_rotation_offer(61, rotation(fleet_key(), key(0), 7));
  ASSERT_EQ(sotto_ota_handle_message(&device_.ota(), "ota/keys", offer.data(), offer.size()),
            SOTTO_OK);
  const sotto_v1_OtaStatus status = status_message(device_);
  EXPECT_EQ(status.rollout_id, 61u);
  EXPECT_EQ(status.state, sotto_v1_OtaState_OTA_STATE_ACTIVATED);
  EXPECT_EQ(status.offered_version, 7u);
  EXPECT_EQ(status.key_list_version, 7u);
  EXPECT_EQ(sotto_ota_handle_key_rotation(&device_.ota(), offer.data(), 5), SOTTO_ERR_DECODE);
  const uint8_t no_envelope[] = {0x08, 0x01};  // rollout_id only
  EXPECT_EQ(sotto_ota_handle_key_rotation(&device_.ota(), no_envelope, sizeof no_envelope),
            SOTTO_ERR_DECODE);
  EXPECT_EQ(sotto_ota_handle_message(&device_.ota(), "ota/keysx", offer.data(), offer.size()),
            SOTTO_ERR_UNHANDLED_TOPIC);
}

TEST(KeyRotationSigner, RefusesRotationsThatCannotWork) {
  EXPECT_THROW(rotation(fleet_key(), key(0), 0), std::runtime_error);
  EXPECT_THROW(rotation(fleet_key(), fleet_key(), 1), std::runtime_error);
  EXPECT_THROW(rotation(fleet_key(), key(0), 1, key(0).key_id()), std::runtime_error);
  EXPECT_THROW(gw::key_rotation_offer(1, {0xff, 0xff}), std::runtime_error);
}

TEST(KeyRotationSigner, SignsWhatTheDeviceDecodes) {
  const auto envelope = rotation(fleet_key(), key(0), UINT32_MAX, 0x01020304u);
  sotto_v1_SignedKeyRotation decoded = sotto_v1_SignedKeyRotation_init_zero;
  pb_istream_t in = pb_istream_from_buffer(envelope.data(), envelope.size());
  ASSERT_TRUE(pb_decode(&in, sotto_v1_SignedKeyRotation_fields, &decoded));
  EXPECT_EQ(decoded.key_id, fleet_key().key_id());
  sotto_v1_KeyRotation content = sotto_v1_KeyRotation_init_zero;
  in = pb_istream_from_buffer(decoded.rotation.bytes, decoded.rotation.size);
  ASSERT_TRUE(pb_decode(&in, sotto_v1_KeyRotation_fields, &content));
  EXPECT_EQ(content.key_list_version, UINT32_MAX);
  EXPECT_EQ(0, memcmp(content.add_public_key, key(0).public_key().data(), 65));
  EXPECT_TRUE(content.has_retire_key_id);
  EXPECT_EQ(content.retire_key_id, 0x01020304u);
  EXPECT_EQ(decoded.rotation.size, size_t{sotto_v1_KeyRotation_size});  // the worst case
}

}  // namespace
}  // namespace sotto::test
