// Power loss at every storage operation of an update that fails: a model whose bytes do not
// match the manifest (digest mismatch) and one whose self-test output differs. Both end in the
// write that abandons the update; a cut anywhere, that write included, leaves the old model
// active and verified, and a good update still installs afterwards.
#include <gtest/gtest.h>

#include "ota_fixture.h"

namespace sotto::test {
namespace {

constexpr size_t kModelBytes = 3000;
constexpr uint32_t kSlotSectors = (kModelBytes + kSectorBytes - 1) / kSectorBytes;  // 3
constexpr uint32_t kChunks = (kModelBytes + kChunkBytes - 1) / kChunkBytes;         // 12
// progress erase, slot erases, record (erase + write); per chunk data + mark; the abandoning
// record (erase + write).
constexpr uint32_t kOpsBeforeChunks = 1 + kSlotSectors + 2;
constexpr uint64_t kFailingUpdateOps = kOpsBeforeChunks + 2 * kChunks + 2;
constexpr size_t kCorruptOffset = 1500;  // in chunk 5
constexpr uint32_t kCorruptChunk = kCorruptOffset / kChunkBytes;

struct Models {
  std::vector<uint8_t> v1 = make_model(kModelBytes, 31);
  std::vector<uint8_t> v2 = make_model(kModelBytes, 32);
  gw::Bundle b1 = gw::make_bundle(fleet_key(), fields_for(v1, 1), v1);
  gw::Bundle b2 = gw::make_bundle(fleet_key(), fields_for(v2, 2), v2);
  gw::Bundle corrupt = corrupted(b2);
  gw::Bundle wrong_output = with_wrong_output(v2);

  // One bit that is 0 in the good byte set to 1: rewriting the good chunk over the corrupt one
  // only clears bits, as NOR allows (the opposite case is ChunkThatCannotBeWrittenStartsOver).
  static gw::Bundle corrupted(gw::Bundle bundle) {
    uint8_t &byte = bundle.model[kCorruptOffset];
    byte = static_cast<uint8_t>(byte | (byte + 1));  // sets its lowest 0 bit
    return bundle;
  }
  static gw::Bundle with_wrong_output(const std::vector<uint8_t> &model) {
    gw::ManifestFields fields = fields_for(model, 2);
    fields.self_test_output_sha256[5] ^= 0x20;
    return gw::make_bundle(fleet_key(), fields, model);
  }
};

const Models &models() {
  static const Models instance;
  return instance;
}

sotto_ota_status_t status_of(OtaDevice &device) {
  sotto_ota_status_t status{};
  EXPECT_EQ(sotto_ota_get_status(&device.ota(), &status), SOTTO_OK);
  return status;
}

// Boots after the cut and checks the old model runs, verified and intact.
void expect_old_model_after_reboot(OtaDevice &device) {
  ASSERT_EQ(device.boot(), SOTTO_OK);
  EXPECT_EQ(device.active_version(), 1u);
  EXPECT_EQ(device.active_slot_bytes(), models().v1);
}

void expect_good_update_installs(OtaDevice &device) {
  ASSERT_EQ(device.update(models().b2), SOTTO_OK);
  EXPECT_EQ(device.active_version(), 2u);
  ASSERT_EQ(device.boot(), SOTTO_OK);
  EXPECT_EQ(device.active_slot_bytes(), models().v2);
}

TEST(OtaFailurePowerCut, FailingUpdatesCountTheirStorageOperations) {
  ASSERT_NE(models().corrupt.model, models().b2.model);  // (the byte was not 0xff)
  for (const gw::Bundle *bundle : {&models().corrupt, &models().wrong_output}) {
    OtaDevice device;
    ASSERT_EQ(device.boot(), SOTTO_OK);
    ASSERT_EQ(device.update(models().b1), SOTTO_OK);
    const uint64_t before = sotto_host_storage_op_count(device.storage());
    EXPECT_NE(device.update(*bundle), SOTTO_OK);
    EXPECT_EQ(sotto_host_storage_op_count(device.storage()) - before, kFailingUpdateOps);
  }
}

// Digest mismatch. After the cut the gateway sends the good bundle (same manifest): the device
// resumes from what it stored, so when the corrupt chunk was already stored the resumed update
// fails its digest again (and abandons); the next attempt starts over and installs.
void cut_corrupt_update(bool tear, uint64_t k) {
  SCOPED_TRACE(testing::Message() << "cut after op " << k << (tear ? " (torn write)" : ""));
  OtaDevice device(tear);
  ASSERT_EQ(device.boot(), SOTTO_OK);
  ASSERT_EQ(device.update(models().b1), SOTTO_OK);
  sotto_host_storage_cut_power_after(device.storage(), k);
  EXPECT_EQ(device.update(models().corrupt),
            k < kFailingUpdateOps ? SOTTO_ERR_OTA_STORAGE : SOTTO_ERR_OTA_DIGEST_MISMATCH);
  expect_old_model_after_reboot(device);
  const sotto_ota_status_t status = status_of(device);
  if (k >= kFailingUpdateOps) {
    EXPECT_EQ(status.state, SOTTO_OTA_FAILED);
    EXPECT_EQ(status.failure, SOTTO_ERR_OTA_DIGEST_MISMATCH);
  }
  const uint64_t stored_chunks = k < kOpsBeforeChunks || k >= kFailingUpdateOps
                                     ? 0
                                     : std::min<uint64_t>(kChunks, (k - kOpsBeforeChunks) / 2);
  if (stored_chunks > kCorruptChunk) {
    EXPECT_EQ(device.update(models().b2), SOTTO_ERR_OTA_DIGEST_MISMATCH);
    EXPECT_EQ(device.active_version(), 1u);
  }
  expect_good_update_installs(device);
}

TEST(OtaFailurePowerCut, EveryCutOfADigestMismatchKeepsTheOldModel) {
  for (uint64_t k = 0; k <= kFailingUpdateOps; ++k) {
    cut_corrupt_update(false, k);
    cut_corrupt_update(true, k);
  }
}

// Self-test failure: the same bundle fails again at every retry (resumed or started over), and
// the good one then installs.
TEST(OtaFailurePowerCut, EveryCutOfASelfTestFailureKeepsTheOldModel) {
  for (uint64_t k = 0; k <= kFailingUpdateOps; ++k) {
    for (bool tear : {false, true}) {
      SCOPED_TRACE(testing::Message() << "cut after op " << k << (tear ? " (torn write)" : ""));
      OtaDevice device(tear);
      ASSERT_EQ(device.boot(), SOTTO_OK);
      ASSERT_EQ(device.update(models().b1), SOTTO_OK);
      sotto_host_storage_cut_power_after(device.storage(), k);
      EXPECT_EQ(device.update(models().wrong_output),
                k < kFailingUpdateOps ? SOTTO_ERR_OTA_STORAGE : SOTTO_ERR_OTA_SELF_TEST_FAILED);
      expect_old_model_after_reboot(device);
      EXPECT_EQ(device.update(models().wrong_output), SOTTO_ERR_OTA_SELF_TEST_FAILED);
      EXPECT_EQ(status_of(device).failure, SOTTO_ERR_OTA_SELF_TEST_FAILED);
      expect_old_model_after_reboot(device);
      expect_good_update_installs(device);
    }
  }
}

// The stronger fault model on both failing updates: every op stopped at its first bit, inside
// its first and last byte, half way from either end, and after finishing but before saying so.
// The old model always comes back verified; the good bundle then installs within two attempts
// (the first may resume into the corrupt bytes a cut had stored and fail its digest again).
TEST(OtaFailurePowerCut, EveryTearOfEveryOperationKeepsTheOldModel) {
  const sotto_ram_storage_tear_t tears[] = {
      {1, 0}, {5, 1}, {8 * 128 + 3, 0}, {8 * 512 + 1, 1}, {uint64_t{8} * kSectorBytes, 0}};
  for (const gw::Bundle *failing : {&models().corrupt, &models().wrong_output}) {
    for (const sotto_ram_storage_tear_t &tear : tears) {
      for (uint64_t k = 0; k < kFailingUpdateOps; ++k) {
        SCOPED_TRACE(testing::Message()
                     << (failing == &models().corrupt ? "digest" : "self-test") << " failure, cut "
                     << "during op " << k + 1 << ", tear bits " << tear.bits
                     << (tear.from_end ? " from the end" : ""));
        OtaDevice device;
        ASSERT_EQ(device.boot(), SOTTO_OK);
        ASSERT_EQ(device.update(models().b1), SOTTO_OK);
        sotto_host_storage_cut_power_during(device.storage(), k, tear);
        EXPECT_EQ(device.update(*failing), SOTTO_ERR_OTA_STORAGE);
        expect_old_model_after_reboot(device);
        const sotto_err_t first = device.update(models().b2);
        if (first != SOTTO_OK) {
          EXPECT_EQ(first, SOTTO_ERR_OTA_DIGEST_MISMATCH) << sotto_err_name(first);
          EXPECT_EQ(device.active_version(), 1u);
          ASSERT_EQ(device.update(models().b2), SOTTO_OK);
        }
        EXPECT_EQ(device.active_version(), 2u);
        ASSERT_EQ(device.boot(), SOTTO_OK);
        EXPECT_EQ(device.active_slot_bytes(), models().v2);
      }
    }
  }
}

// A chunk whose bytes differ from what a cut left in the slot where NOR cannot set bits back
// (the cut stored the corrupt chunk with a bit cleared that the good chunk needs): the write
// fails, and the update is abandoned so that the next offer starts over from an erase instead
// of resuming into the same failing write forever.
TEST(OtaFailurePowerCut, ChunkThatCannotBeWrittenStartsTheUpdateOver) {
  gw::Bundle cleared_bit = models().b2;
  uint8_t &byte = cleared_bit.model[kCorruptOffset];
  ASSERT_NE(byte, 0);
  byte = static_cast<uint8_t>(byte & (byte - 1));  // clears its lowest 1 bit
  OtaDevice device;
  ASSERT_EQ(device.boot(), SOTTO_OK);
  ASSERT_EQ(device.update(models().b1), SOTTO_OK);
  // The corrupt chunk's data is written, then power goes before its progress mark.
  sotto_host_storage_cut_power_after(device.storage(), kOpsBeforeChunks + 2 * kCorruptChunk + 1);
  EXPECT_EQ(device.update(cleared_bit), SOTTO_ERR_OTA_STORAGE);
  expect_old_model_after_reboot(device);
  EXPECT_EQ(status_of(device).next_offset, kCorruptChunk * kChunkBytes);
  EXPECT_EQ(device.update(models().b2), SOTTO_ERR_OTA_STORAGE);
  const sotto_ota_status_t status = status_of(device);
  EXPECT_EQ(status.state, SOTTO_OTA_FAILED);
  EXPECT_EQ(status.failure, SOTTO_ERR_OTA_STORAGE);
  expect_old_model_after_reboot(device);
  EXPECT_EQ(status_of(device).state, SOTTO_OTA_FAILED);  // no update left pending
  const uint64_t sent = device.chunk_bytes_sent();
  expect_good_update_installs(device);
  EXPECT_EQ(device.chunk_bytes_sent() - sent, kModelBytes);
}

}  // namespace
}  // namespace sotto::test
