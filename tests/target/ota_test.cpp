// On-target: a whole signed model update (device-sdk/src/ota) with the device mbedTLS build, the
// RAM NOR storage port and the real engine self-test (sotto_ota_model_self_test runs the model
// in the slot): install, reboot, rejections, a corrupt chunk, a self-test failure, a power cut
// at every storage operation, and a key rotation cut at each of its writes. The model (a real
// .smdl), keys and signed envelopes come from ota_target_data.h, which the host build writes
// with the gateway's own signer and importer (make_ota_target_data.cpp).
#include "sotto/ota.h"
#include "ota_target_data.h"
#include "sotto/ota_model_self_test.h"
#include "sotto/port_ram_storage.h"
#include "sotto_test.h"

namespace {

constexpr uint32_t kModelBytes = sizeof kOtaModel;
constexpr uint32_t kChunkBytes = 256;
constexpr uint32_t kSectorBytes = 256;
constexpr uint32_t kStateBytes =
    (SOTTO_DEVICE_STATE_RESERVED_SECTORS + SOTTO_OTA_STATE_SECTORS) * kSectorBytes;
constexpr uint32_t kSlotBytes = 8 * kSectorBytes;
static_assert(kModelBytes <= kSlotBytes, "the model fits a slot");
constexpr uint32_t kChunks = (kModelBytes + kChunkBytes - 1) / kChunkBytes;
constexpr uint32_t kSlotSectors = (kModelBytes + kSectorBytes - 1) / kSectorBytes;
// progress erase, slot sector erases, record erase + write; data + progress mark per chunk;
// the activating record erase + write.
constexpr uint64_t kUpdateOps = 1 + kSlotSectors + 2 + 2 * kChunks + 2;
constexpr uint64_t kRotationOps = 2;  // key-list record erase + write

alignas(4) uint8_t flash_memory[kStateBytes + 2 * kSlotBytes];
alignas(4) uint8_t arena[4096];
sotto_ram_storage_t storage;
sotto_ota_model_self_test_ctx_t engine = {arena, sizeof arena, SOTTO_OK};
sotto_ota_t ota;

void erase_flash() {
  sotto_ram_storage_config_t config;
  memset(&config, 0, sizeof config);
  config.sector_bytes = kSectorBytes;
  config.state_bytes = kStateBytes;
  config.slot_bytes = kSlotBytes;
  config.memory = flash_memory;
  config.memory_bytes = sizeof flash_memory;
  config.tear_interrupted_write = 1;  // a cut write or erase does half its work
  CHECK_EQ(sotto_ram_storage_init(&storage, &config), SOTTO_OK);
}

sotto_err_t boot(const uint8_t *public_key = kOtaProvisionedKey,
                 uint8_t device_class = OTA_TARGET_DEVICE_CLASS) {
  sotto_ota_config_t config;
  memset(&config, 0, sizeof config);
  config.storage = sotto_ram_storage_port(&storage);
  config.public_key = public_key;
  config.device_class = device_class;
  config.self_test = sotto_ota_model_self_test;
  config.self_test_ctx = &engine;
  return sotto_ota_init(&ota, &config);
}

sotto_err_t offer(const uint8_t *envelope, size_t len, uint32_t rollout_id = 9) {
  return sotto_ota_offer(&ota, rollout_id, envelope, len, kChunkBytes);
}

// Sends the chunks from `from` on; returns the last result. corrupt_at flips one model byte.
sotto_err_t send_chunks(uint32_t from, uint32_t corrupt_at = UINT32_MAX) {
  sotto_err_t err = SOTTO_OK;
  for (uint32_t offset = from; offset < kModelBytes && err == SOTTO_OK; offset += kChunkBytes) {
    uint8_t chunk[kChunkBytes];
    uint32_t len = kModelBytes - offset < kChunkBytes ? kModelBytes - offset : kChunkBytes;
    memcpy(chunk, kOtaModel + offset, len);
    if (corrupt_at >= offset && corrupt_at < offset + len) {
      chunk[corrupt_at - offset] ^= 0x40;
    }
    err = sotto_ota_write_chunk(&ota, offset, chunk, len);
  }
  return err;
}

uint32_t active_version() {
  sotto_ota_slot_t slot = SOTTO_OTA_SLOT_NONE;
  sotto_ota_manifest_t manifest;
  if (sotto_ota_get_active(&ota, &slot, &manifest) != SOTTO_OK) {
    return 0;
  }
  CHECK(slot == SOTTO_OTA_SLOT_A || slot == SOTTO_OTA_SLOT_B);
  CHECK_EQ(manifest.model_id, 5);
  return manifest.version;
}

sotto_ota_status_t status() {
  sotto_ota_status_t out;
  CHECK_EQ(sotto_ota_get_status(&ota, &out), SOTTO_OK);
  return out;
}

void installs_signed_update_in_exact_storage_operations() {
  erase_flash();
  CHECK_EQ(boot(), SOTTO_OK);
  CHECK_EQ(active_version(), 0);
  CHECK_EQ(offer(kOtaEnvelope, sizeof kOtaEnvelope), SOTTO_OK);
  CHECK_EQ(status().state, SOTTO_OTA_RECEIVING);
  CHECK_EQ(status().offered_version, 2);
  CHECK_EQ(send_chunks(0), SOTTO_OK);
  CHECK_EQ(engine.last_error, SOTTO_OK);  // the engine ran the model and matched its digest
  CHECK_EQ(active_version(), 2);
  CHECK_EQ(sotto_ram_storage_op_count(&storage), kUpdateOps);
  // OtaStatus{rollout 9, ACTIVATED, next_offset = model bytes, model 5 v2, offered v2}
  const uint8_t expected[] = {0x08,
                              0x09,
                              0x10,
                              0x02,
                              0x18,
                              static_cast<uint8_t>(0x80 | (kModelBytes & 0x7f)),
                              static_cast<uint8_t>(kModelBytes >> 7),
                              0x28,
                              0x05,
                              0x30,
                              0x02,
                              0x38,
                              0x02};
  static_assert(kModelBytes >= 128 && kModelBytes < 16384, "two-byte varint above");
  uint8_t encoded[SOTTO_OTA_STATUS_MAX_BYTES];
  size_t len = 0;
  CHECK_EQ(sotto_ota_encode_status(&ota, encoded, sizeof encoded, &len), SOTTO_OK);
  CHECK_EQ(len, sizeof expected);
  CHECK_BYTES(encoded, expected, sizeof expected);
}

void reboot_keeps_the_model_and_refuses_a_replay() {
  erase_flash();
  CHECK_EQ(boot(), SOTTO_OK);
  CHECK_EQ(offer(kOtaEnvelope, sizeof kOtaEnvelope), SOTTO_OK);
  CHECK_EQ(send_chunks(0), SOTTO_OK);
  CHECK_EQ(boot(), SOTTO_OK);
  CHECK_EQ(active_version(), 2);
  CHECK_EQ(offer(kOtaEnvelope, sizeof kOtaEnvelope, 10), SOTTO_ERR_OTA_VERSION_NOT_NEWER);
  CHECK_EQ(active_version(), 2);
}

void rejects_tampering_wrong_key_and_wrong_class() {
  erase_flash();
  CHECK_EQ(boot(), SOTTO_OK);
  uint8_t envelope[sizeof kOtaEnvelope];
  memcpy(envelope, kOtaEnvelope, sizeof envelope);
  envelope[sizeof envelope - 1] ^= 0x01;  // last byte of s
  CHECK_EQ(offer(envelope, sizeof envelope), SOTTO_ERR_OTA_BAD_SIGNATURE);
  memcpy(envelope, kOtaEnvelope, sizeof envelope);
  CHECK_EQ(envelope[4], 0x10);  // Manifest.version's tag (after the manifest's length and id)
  envelope[5] = 0x03;           // version 2 -> 3 under the same signature
  CHECK_EQ(offer(envelope, sizeof envelope), SOTTO_ERR_OTA_BAD_SIGNATURE);
  CHECK_EQ(offer(kOtaEnvelope, 40), SOTTO_ERR_OTA_BAD_MANIFEST);
  uint8_t other_key[SOTTO_OTA_PUBLIC_KEY_BYTES];
  memcpy(other_key, kOtaProvisionedKey, sizeof other_key);
  other_key[64] ^= 0x01;
  CHECK_EQ(boot(other_key), SOTTO_OK);
  CHECK_EQ(offer(kOtaEnvelope, sizeof kOtaEnvelope), SOTTO_ERR_OTA_WRONG_KEY);
  CHECK_EQ(boot(kOtaProvisionedKey, OTA_TARGET_DEVICE_CLASS + 1), SOTTO_OK);
  CHECK_EQ(offer(kOtaEnvelope, sizeof kOtaEnvelope), SOTTO_ERR_OTA_WRONG_DEVICE_CLASS);
  CHECK_EQ(sotto_ram_storage_op_count(&storage), 0);  // nothing stored for any of them
}

void corrupt_chunk_fails_the_digest_and_activates_nothing() {
  erase_flash();
  CHECK_EQ(boot(), SOTTO_OK);
  CHECK_EQ(offer(kOtaEnvelope, sizeof kOtaEnvelope), SOTTO_OK);
  CHECK_EQ(send_chunks(0, kModelBytes / 2), SOTTO_ERR_OTA_DIGEST_MISMATCH);
  CHECK_EQ(active_version(), 0);
  CHECK_EQ(status().state, SOTTO_OTA_FAILED);
  CHECK_EQ(status().failure, SOTTO_ERR_OTA_DIGEST_MISMATCH);
}

// The model runs (the engine reports no error), but its output is not what the manifest signed.
void wrong_self_test_output_is_refused_after_running_the_model() {
  erase_flash();
  CHECK_EQ(boot(), SOTTO_OK);
  CHECK_EQ(offer(kOtaEnvelope, sizeof kOtaEnvelope), SOTTO_OK);
  CHECK_EQ(send_chunks(0), SOTTO_OK);
  engine.last_error = SOTTO_ERR_LAST_;
  CHECK_EQ(offer(kOtaEnvelopeWrongOutput, sizeof kOtaEnvelopeWrongOutput), SOTTO_OK);
  CHECK_EQ(send_chunks(0), SOTTO_ERR_OTA_SELF_TEST_FAILED);
  CHECK_EQ(engine.last_error, SOTTO_OK);
  CHECK_EQ(active_version(), 2);
  CHECK_EQ(status().failure, SOTTO_ERR_OTA_SELF_TEST_FAILED);
  CHECK_EQ(boot(), SOTTO_OK);
  CHECK_EQ(active_version(), 2);
}

// MCUboot's simulator, in small: cut power after k operations for every k (k = kUpdateOps: no
// cut), reboot; the model is active only when the last write happened, and a resent offer plus
// the chunks not yet stored always finishes the update.
void power_cut_at_every_operation_recovers() {
  for (uint64_t k = 0; k <= kUpdateOps; ++k) {
    erase_flash();
    CHECK_EQ(boot(), SOTTO_OK);
    sotto_ram_storage_cut_power_after(&storage, k);
    if (offer(kOtaEnvelope, sizeof kOtaEnvelope) == SOTTO_OK) {
      (void)send_chunks(0);
    }
    sotto_ram_storage_restore_power(&storage);
    CHECK_EQ(boot(), SOTTO_OK);
    uint32_t version = active_version();
    CHECK_EQ(version, k == kUpdateOps ? 2 : 0);  // only the last write switches
    if (version == 0) {
      CHECK_EQ(offer(kOtaEnvelope, sizeof kOtaEnvelope), SOTTO_OK);
      CHECK_EQ(send_chunks(status().next_offset), SOTTO_OK);
    }
    CHECK_EQ(active_version(), 2);
  }
}

// The rotation to the second key, cut after each of its writes: the device trusts the old list
// (the provisioned key installs) or the new one (the provisioned key is revoked, the second key
// installs), never neither.
void key_rotation_survives_every_cut() {
  for (uint64_t k = 0; k <= kRotationOps; ++k) {
    erase_flash();
    CHECK_EQ(boot(), SOTTO_OK);
    sotto_ram_storage_cut_power_after(&storage, k);
    CHECK_EQ(sotto_ota_rotate_keys(&ota, 3, kOtaKeyRotation, sizeof kOtaKeyRotation),
             k == kRotationOps ? SOTTO_OK : SOTTO_ERR_OTA_STORAGE);
    sotto_ram_storage_restore_power(&storage);
    CHECK_EQ(boot(), SOTTO_OK);
    sotto_ota_key_list_t keys;
    CHECK_EQ(sotto_ota_get_keys(&ota, &keys), SOTTO_OK);
    CHECK_EQ(keys.key_count, 1);
    CHECK_EQ(keys.version, k == kRotationOps ? 1 : 0);
    if (k == kRotationOps) {
      CHECK_EQ(offer(kOtaEnvelope, sizeof kOtaEnvelope), SOTTO_ERR_OTA_KEY_REVOKED);
      CHECK_EQ(offer(kOtaEnvelopeSecondKey, sizeof kOtaEnvelopeSecondKey), SOTTO_OK);
      CHECK_EQ(send_chunks(0), SOTTO_OK);
      CHECK_EQ(active_version(), 4);
    } else {
      CHECK_EQ(offer(kOtaEnvelopeSecondKey, sizeof kOtaEnvelopeSecondKey), SOTTO_ERR_OTA_WRONG_KEY);
      CHECK_EQ(offer(kOtaEnvelope, sizeof kOtaEnvelope), SOTTO_OK);
      CHECK_EQ(send_chunks(0), SOTTO_OK);
      CHECK_EQ(active_version(), 2);
    }
  }
}

}  // namespace

SOTTO_TESTS_BEGIN
SOTTO_TEST(installs_signed_update_in_exact_storage_operations)
SOTTO_TEST(reboot_keeps_the_model_and_refuses_a_replay)
SOTTO_TEST(rejects_tampering_wrong_key_and_wrong_class)
SOTTO_TEST(corrupt_chunk_fails_the_digest_and_activates_nothing)
SOTTO_TEST(wrong_self_test_output_is_refused_after_running_the_model)
SOTTO_TEST(power_cut_at_every_operation_recovers)
SOTTO_TEST(key_rotation_survives_every_cut)
SOTTO_TESTS_END
