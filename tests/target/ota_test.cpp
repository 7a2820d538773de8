// On-target: a whole signed model update (device-sdk/src/ota) with the device mbedTLS build and
// the RAM NOR storage port: install, reboot, rejections, a corrupt chunk, and a power cut at
// every storage operation. The envelope was made once on the host with Debian's mbedTLS: a
// Manifest (model_id 5, version 2, class 3, 300 bytes of model_byte(), self-test seed 77)
// signed with deterministic ECDSA (RFC 6979) over its SHA-256 by the P-256 test key
// d = 0x5077a1c2d3e4f5061728394a5b6c7d8e9fa0b1c2d3e4f5061728394a5b6c7d8e.
#include "sotto/ota.h"
#include "sotto/port_ram_storage.h"
#include "sotto_test.h"

namespace {

const uint8_t kPublicKey[SOTTO_OTA_PUBLIC_KEY_BYTES] = {
    0x04, 0x23, 0xff, 0xff, 0xfc, 0x44, 0xe1, 0xd0, 0x37, 0xc6, 0x51, 0xd9, 0xbc,
    0x64, 0x8e, 0xb7, 0xd9, 0x9b, 0xdb, 0x12, 0x93, 0xfc, 0x70, 0xb2, 0x97, 0x74,
    0xd2, 0xd9, 0x97, 0x9f, 0x06, 0xb6, 0x23, 0x71, 0x3a, 0x8b, 0xcf, 0xf0, 0xb0,
    0xa8, 0x6f, 0x42, 0xd9, 0x5e, 0x62, 0x0b, 0xf0, 0x7c, 0xcf, 0x29, 0xa5, 0x56,
    0xb6, 0x04, 0x62, 0x1d, 0xde, 0x1c, 0xab, 0x7f, 0xe0, 0x3f, 0x46, 0x7b, 0x8c,
};
const uint8_t kEnvelope[161] = {
    // an encoded SignedManifest
    0x0a, 0x58, 0x08, 0x05, 0x10, 0x02, 0x18, 0x03, 0x20, 0xac, 0x02, 0x2a, 0x20, 0x04, 0x77,
    0x3f, 0x87, 0x26, 0xc8, 0x1c, 0xaf, 0xcf, 0xa1, 0xa0, 0x9a, 0x82, 0x66, 0x4b, 0x98, 0xb0,
    0x0d, 0x20, 0x21, 0x03, 0x1a, 0x17, 0x15, 0xbc, 0xa1, 0x15, 0x4f, 0x2d, 0xad, 0x34, 0x72,
    0x3a, 0x2b, 0x09, 0x4d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x20, 0x81, 0xf0,
    0x1f, 0x7c, 0xe0, 0xcb, 0x58, 0x62, 0x54, 0x9e, 0x96, 0x3a, 0x88, 0xa4, 0x54, 0x7e, 0xec,
    0x46, 0x75, 0x28, 0x20, 0xb6, 0x4a, 0x8c, 0xbb, 0x69, 0x02, 0x69, 0x17, 0xb0, 0x6b, 0x32,
    0x15, 0xf0, 0xba, 0xf9, 0x85, 0x1a, 0x40, 0x99, 0xa9, 0xb4, 0x50, 0x1e, 0x72, 0xac, 0x05,
    0xeb, 0xfd, 0x9d, 0x48, 0xb2, 0x24, 0xdf, 0x82, 0xe7, 0x33, 0xe6, 0xd7, 0x14, 0x24, 0x80,
    0x43, 0x15, 0x67, 0xbb, 0xef, 0x9d, 0x5b, 0x13, 0x3e, 0xd5, 0x48, 0xb1, 0xa3, 0x39, 0xd2,
    0x50, 0x4c, 0x2c, 0x40, 0x2d, 0x41, 0x20, 0xc8, 0x84, 0xbc, 0x59, 0xa6, 0x4c, 0xf5, 0xe1,
    0x86, 0xd7, 0xa7, 0x7c, 0xcf, 0xdd, 0x80, 0xbe, 0x8c, 0xc1, 0x66,
};

constexpr uint32_t kModelBytes = 300;
constexpr uint32_t kChunkBytes = 100;
constexpr uint32_t kSectorBytes = 256;
constexpr uint32_t kStateBytes =
    (SOTTO_DEVICE_STATE_RESERVED_SECTORS + SOTTO_OTA_STATE_SECTORS) * kSectorBytes;
constexpr uint32_t kSlotBytes = 512;
// progress erase, 2 slot sector erases, record erase + write; data + progress mark per chunk;
// the activating record erase + write.
constexpr uint64_t kUpdateOps = 1 + 2 + 2 + 2 * 3 + 2;

uint8_t flash_memory[kStateBytes + 2 * kSlotBytes];
sotto_ram_storage_t storage;
sotto_ota_t ota;

uint8_t model_byte(uint32_t i) {
  return static_cast<uint8_t>(i * 7u + 3u);
}

// Stands in for running the model: the output is the self-test input's first 32 bytes, which
// is what the signed manifest expects.
sotto_err_t self_test(void *, const sotto_ota_candidate_t *candidate, uint8_t *out_sha256) {
  sotto_ota_self_test_input(candidate->manifest->self_test_input_seed, out_sha256,
                            SOTTO_OTA_SHA256_BYTES);
  return SOTTO_OK;
}

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

sotto_err_t boot(const uint8_t *public_key = kPublicKey, uint8_t device_class = 3) {
  sotto_ota_config_t config;
  memset(&config, 0, sizeof config);
  config.storage = sotto_ram_storage_port(&storage);
  config.public_key = public_key;
  config.device_class = device_class;
  config.self_test = self_test;
  return sotto_ota_init(&ota, &config);
}

// Sends the chunks from `from` on; returns the last result. corrupt_at flips one model byte.
sotto_err_t send_chunks(uint32_t from, uint32_t corrupt_at = UINT32_MAX) {
  sotto_err_t err = SOTTO_OK;
  for (uint32_t offset = from; offset < kModelBytes && err == SOTTO_OK; offset += kChunkBytes) {
    uint8_t chunk[kChunkBytes];
    uint32_t len = kModelBytes - offset < kChunkBytes ? kModelBytes - offset : kChunkBytes;
    for (uint32_t i = 0; i < len; ++i) {
      chunk[i] = model_byte(offset + i);
      if (offset + i == corrupt_at) {
        chunk[i] ^= 0x40;
      }
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
  CHECK_EQ(slot, SOTTO_OTA_SLOT_A);
  CHECK_EQ(manifest.model_id, 5);
  return manifest.version;
}

void installs_signed_update_in_exact_storage_operations() {
  erase_flash();
  CHECK_EQ(boot(), SOTTO_OK);
  CHECK_EQ(active_version(), 0);
  CHECK_EQ(sotto_ota_offer(&ota, 9, kEnvelope, sizeof kEnvelope, kChunkBytes), SOTTO_OK);
  sotto_ota_status_t status;
  CHECK_EQ(sotto_ota_get_status(&ota, &status), SOTTO_OK);
  CHECK_EQ(status.state, SOTTO_OTA_RECEIVING);
  CHECK_EQ(status.offered_version, 2);
  CHECK_EQ(send_chunks(0), SOTTO_OK);
  CHECK_EQ(active_version(), 2);
  CHECK_EQ(sotto_ram_storage_op_count(&storage), kUpdateOps);
  // OtaStatus{rollout 9, ACTIVATED, next_offset 300, model 5 v2, offered v2}
  static const uint8_t expected[] = {0x08, 0x09, 0x10, 0x02, 0x18, 0xac, 0x02,
                                     0x28, 0x05, 0x30, 0x02, 0x38, 0x02};
  uint8_t encoded[SOTTO_OTA_STATUS_MAX_BYTES];
  size_t len = 0;
  CHECK_EQ(sotto_ota_encode_status(&ota, encoded, sizeof encoded, &len), SOTTO_OK);
  CHECK_EQ(len, sizeof expected);
  CHECK_BYTES(encoded, expected, sizeof expected);
}

void reboot_keeps_the_model_and_refuses_a_replay() {
  erase_flash();
  CHECK_EQ(boot(), SOTTO_OK);
  CHECK_EQ(sotto_ota_offer(&ota, 9, kEnvelope, sizeof kEnvelope, kChunkBytes), SOTTO_OK);
  CHECK_EQ(send_chunks(0), SOTTO_OK);
  CHECK_EQ(boot(), SOTTO_OK);
  CHECK_EQ(active_version(), 2);
  CHECK_EQ(sotto_ota_offer(&ota, 10, kEnvelope, sizeof kEnvelope, kChunkBytes),
           SOTTO_ERR_OTA_VERSION_NOT_NEWER);
  CHECK_EQ(active_version(), 2);
}

void rejects_tampering_wrong_key_and_wrong_class() {
  erase_flash();
  CHECK_EQ(boot(), SOTTO_OK);
  uint8_t envelope[sizeof kEnvelope];
  memcpy(envelope, kEnvelope, sizeof envelope);
  envelope[sizeof envelope - 1] ^= 0x01;  // last byte of s
  CHECK_EQ(sotto_ota_offer(&ota, 9, envelope, sizeof envelope, kChunkBytes),
           SOTTO_ERR_OTA_BAD_SIGNATURE);
  memcpy(envelope, kEnvelope, sizeof envelope);
  envelope[5] = 0x03;  // Manifest.version 2 -> 3 under the same signature
  CHECK_EQ(sotto_ota_offer(&ota, 9, envelope, sizeof envelope, kChunkBytes),
           SOTTO_ERR_OTA_BAD_SIGNATURE);
  CHECK_EQ(sotto_ota_offer(&ota, 9, kEnvelope, 40, kChunkBytes), SOTTO_ERR_OTA_BAD_MANIFEST);
  uint8_t other_key[SOTTO_OTA_PUBLIC_KEY_BYTES];
  memcpy(other_key, kPublicKey, sizeof other_key);
  other_key[64] ^= 0x01;
  CHECK_EQ(boot(other_key), SOTTO_OK);
  CHECK_EQ(sotto_ota_offer(&ota, 9, kEnvelope, sizeof kEnvelope, kChunkBytes),
           SOTTO_ERR_OTA_WRONG_KEY);
  CHECK_EQ(boot(kPublicKey, 4), SOTTO_OK);
  CHECK_EQ(sotto_ota_offer(&ota, 9, kEnvelope, sizeof kEnvelope, kChunkBytes),
           SOTTO_ERR_OTA_WRONG_DEVICE_CLASS);
  CHECK_EQ(sotto_ram_storage_op_count(&storage), 0);  // nothing stored for any of them
}

void corrupt_chunk_fails_the_digest_and_activates_nothing() {
  erase_flash();
  CHECK_EQ(boot(), SOTTO_OK);
  CHECK_EQ(sotto_ota_offer(&ota, 9, kEnvelope, sizeof kEnvelope, kChunkBytes), SOTTO_OK);
  CHECK_EQ(send_chunks(0, 123), SOTTO_ERR_OTA_DIGEST_MISMATCH);
  CHECK_EQ(active_version(), 0);
  sotto_ota_status_t status;
  CHECK_EQ(sotto_ota_get_status(&ota, &status), SOTTO_OK);
  CHECK_EQ(status.state, SOTTO_OTA_FAILED);
  CHECK_EQ(status.failure, SOTTO_ERR_OTA_DIGEST_MISMATCH);
}

// MCUboot's simulator, in small: cut power after k operations for every k (k = kUpdateOps: no
// cut), reboot; the model is active only when the last write happened, and a resent offer plus
// the chunks not yet stored always finishes the update.
void power_cut_at_every_operation_recovers() {
  for (uint64_t k = 0; k <= kUpdateOps; ++k) {
    erase_flash();
    CHECK_EQ(boot(), SOTTO_OK);
    sotto_ram_storage_cut_power_after(&storage, k);
    if (sotto_ota_offer(&ota, 9, kEnvelope, sizeof kEnvelope, kChunkBytes) == SOTTO_OK) {
      (void)send_chunks(0);
    }
    sotto_ram_storage_restore_power(&storage);
    CHECK_EQ(boot(), SOTTO_OK);
    uint32_t version = active_version();
    CHECK_EQ(version, k == kUpdateOps ? 2 : 0);  // only the last write switches
    if (version == 0) {
      CHECK_EQ(sotto_ota_offer(&ota, 9, kEnvelope, sizeof kEnvelope, kChunkBytes), SOTTO_OK);
      sotto_ota_status_t status;
      CHECK_EQ(sotto_ota_get_status(&ota, &status), SOTTO_OK);
      CHECK_EQ(send_chunks(status.next_offset), SOTTO_OK);
    }
    CHECK_EQ(active_version(), 2);
  }
}

}  // namespace

SOTTO_TESTS_BEGIN
SOTTO_TEST(installs_signed_update_in_exact_storage_operations)
SOTTO_TEST(reboot_keeps_the_model_and_refuses_a_replay)
SOTTO_TEST(rejects_tampering_wrong_key_and_wrong_class)
SOTTO_TEST(corrupt_chunk_fails_the_digest_and_activates_nothing)
SOTTO_TEST(power_cut_at_every_operation_recovers)
SOTTO_TESTS_END
