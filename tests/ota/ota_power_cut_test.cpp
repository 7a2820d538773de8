// Power loss at every storage operation of an update (MCUboot's simulator, for models): count
// the writes and erases of one clean update, then for each k in 0..N cut power after k of them
// (k = 0: before the first; k = N: after the last), reboot, and check that the device runs the
// old or the new model, fully verified, exactly as the write order predicts, and that the
// gateway can finish the update without resending chunks the device had stored.
#include <gtest/gtest.h>

#include "ota_fixture.h"

namespace sotto::test {
namespace {

constexpr size_t kModelBytes = 5000;
constexpr uint32_t kSlotSectors = (kModelBytes + kSectorBytes - 1) / kSectorBytes;  // 5
constexpr uint32_t kChunks = (kModelBytes + kChunkBytes - 1) / kChunkBytes;         // 20
// progress erase, slot erases, record (erase + write); per chunk data + mark; final record.
constexpr uint32_t kOpsBeforeChunks = 1 + kSlotSectors + 2;
constexpr uint64_t kUpdateOps = kOpsBeforeChunks + 2 * kChunks + 2;

struct Models {
  std::vector<uint8_t> v1 = make_model(kModelBytes, 11);
  std::vector<uint8_t> v2 = make_model(kModelBytes, 12);
  gw::Bundle b1 = gw::make_bundle(fleet_key(), fields_for(v1, 1), v1);
  gw::Bundle b2 = gw::make_bundle(fleet_key(), fields_for(v2, 2), v2);
};

const Models &models() {
  static const Models instance;
  return instance;
}

void install_v1(OtaDevice &device) {
  ASSERT_EQ(device.boot(), SOTTO_OK);
  ASSERT_EQ(device.update(models().b1), SOTTO_OK);
  ASSERT_EQ(device.active_version(), 1u);
}

TEST(OtaPowerCut, CleanUpdateCountsItsStorageOperations) {
  OtaDevice device;
  install_v1(device);
  const uint64_t before = sotto_host_storage_op_count(device.storage());
  ASSERT_EQ(device.update(models().b2), SOTTO_OK);
  EXPECT_EQ(sotto_host_storage_op_count(device.storage()) - before, kUpdateOps);
  EXPECT_EQ(kUpdateOps, 50u);
}

// Expected bytes stored (and so not resent) after a cut after k operations, or -1 when the
// update record was not yet written (the offer starts over).
int64_t expected_resume_offset(uint64_t k) {
  if (k < kOpsBeforeChunks) {
    return -1;
  }
  const uint64_t marks = std::min<uint64_t>(kChunks, (k - kOpsBeforeChunks) / 2);
  return static_cast<int64_t>(std::min<uint64_t>(marks * kChunkBytes, kModelBytes));
}

void cut_and_recover(bool tear, uint64_t k) {
  SCOPED_TRACE(testing::Message() << "cut after op " << k << (tear ? " (torn write)" : ""));
  OtaDevice device(tear);
  install_v1(device);
  sotto_host_storage_cut_power_after(device.storage(), k);
  const sotto_err_t interrupted = device.update(models().b2);
  EXPECT_EQ(interrupted, k < kUpdateOps ? SOTTO_ERR_OTA_STORAGE : SOTTO_OK);

  ASSERT_EQ(device.boot(), SOTTO_OK);  // reboot: the active slot is verified again
  const bool switched = k >= kUpdateOps;
  EXPECT_EQ(device.active_version(), switched ? 2u : 1u);
  EXPECT_EQ(device.active_slot_bytes(), switched ? models().v2 : models().v1);
  if (switched) {
    return;
  }
  sotto_ota_status_t status{};
  ASSERT_EQ(sotto_ota_get_status(&device.ota(), &status), SOTTO_OK);
  const int64_t resume = expected_resume_offset(k);
  EXPECT_EQ(status.state, resume < 0 ? SOTTO_OTA_IDLE : SOTTO_OTA_RECEIVING);
  if (resume >= 0) {
    EXPECT_EQ(status.next_offset, static_cast<uint32_t>(resume));
  }
  const uint64_t sent_before = device.chunk_bytes_sent();
  ASSERT_EQ(device.update(models().b2), SOTTO_OK);
  EXPECT_EQ(device.chunk_bytes_sent() - sent_before,
            kModelBytes - static_cast<uint64_t>(resume < 0 ? 0 : resume));
  EXPECT_EQ(device.active_version(), 2u);
  ASSERT_EQ(device.boot(), SOTTO_OK);
  EXPECT_EQ(device.active_slot_bytes(), models().v2);
}

TEST(OtaPowerCut, EveryCutPointLeavesAVerifiedModelAndTheUpdateFinishes) {
  for (uint64_t k = 0; k <= kUpdateOps; ++k) {
    cut_and_recover(false, k);
  }
  RecordProperty("cut_points", static_cast<int>(kUpdateOps + 1));
}

TEST(OtaPowerCut, EveryCutPointWithTornWritesLeavesAVerifiedModel) {
  for (uint64_t k = 0; k <= kUpdateOps; ++k) {
    cut_and_recover(true, k);
  }
  RecordProperty("cut_points", static_cast<int>(kUpdateOps + 1));
}

// The very first install (blank STATE region, no record yet) is cut the same way: the device
// boots with no model or with the new one, never with a half-written one.
TEST(OtaPowerCut, EveryCutPointOfAFirstInstallLeavesNoModelOrTheNewOne) {
  for (uint64_t k = 0; k <= kUpdateOps; ++k) {
    SCOPED_TRACE(testing::Message() << "cut after op " << k);
    OtaDevice device(true);
    ASSERT_EQ(device.boot(), SOTTO_OK);
    sotto_host_storage_cut_power_after(device.storage(), k);
    device.update(models().b1);
    ASSERT_EQ(device.boot(), SOTTO_OK);
    EXPECT_EQ(device.active_version(), k >= kUpdateOps ? 1u : 0u);
    ASSERT_EQ(k >= kUpdateOps ? SOTTO_ERR_OTA_VERSION_NOT_NEWER : SOTTO_OK,
              device.update(models().b1));
    EXPECT_EQ(device.active_slot_bytes(), models().v1);
  }
}

// A second cut while resuming: recovery itself is as safe as the first attempt.
TEST(OtaPowerCut, CutDuringResumeIsAlsoSafe) {
  for (uint64_t first = kOpsBeforeChunks; first < kUpdateOps; first += 7) {
    for (uint64_t second = 0; second < 6; ++second) {
      SCOPED_TRACE(testing::Message() << "cuts after " << first << " then " << second);
      OtaDevice device(true);
      install_v1(device);
      sotto_host_storage_cut_power_after(device.storage(), first);
      device.update(models().b2);
      ASSERT_EQ(device.boot(), SOTTO_OK);
      sotto_host_storage_cut_power_after(device.storage(), second);
      device.update(models().b2);
      ASSERT_EQ(device.boot(), SOTTO_OK);
      const uint32_t version = device.active_version();
      ASSERT_TRUE(version == 1u || version == 2u) << version;
      EXPECT_EQ(device.active_slot_bytes(), version == 2u ? models().v2 : models().v1);
      if (version == 1u) {
        ASSERT_EQ(device.update(models().b2), SOTTO_OK);
      }
      EXPECT_EQ(device.active_version(), 2u);
    }
  }
}

}  // namespace
}  // namespace sotto::test
