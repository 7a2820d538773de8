// Power loss at every storage operation of an update (MCUboot's simulator, for models): count
// the writes and erases of one clean update, then for each k in 0..N cut power after k of them
// (k = 0: before the first; k = N: after the last), reboot, and check that the device runs the
// old or the new model, fully verified, exactly as the write order predicts, and that the
// gateway can finish the update without resending chunks the device had stored. The cut op
// itself may be torn anywhere (sotto_ram_storage_tear_t): part of a write, part of an erase.
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
// A tear this long finishes any op (the largest is a sector erase).
constexpr uint64_t kWholeOp = uint64_t{8} * kSectorBytes;

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

// What the device holds after the first j operations of the update completed.
struct Outcome {
  bool switched;   // the new model is active
  int64_t resume;  // see expected_resume_offset
  bool operator==(const Outcome &other) const {
    return switched == other.switched && resume == other.resume;
  }
};

Outcome outcome_after(uint64_t j) {
  return {j >= kUpdateOps, j >= kUpdateOps ? 0 : expected_resume_offset(j)};
}

// Cuts power during op k + 1 (after k completed), reboots and finishes the update. `tear` says
// how far the interrupted op got; nullptr: as far as tear_interrupted_write says. An op that got
// nowhere leaves the outcome of k ops, one that finished that of k + 1; one torn part way must
// leave one of the two (a torn progress mark lands when its one bit was programmed).
void cut_and_recover(bool tear, uint64_t k, const sotto_ram_storage_tear_t *exact = nullptr) {
  SCOPED_TRACE(testing::Message() << "cut after op " << k << (tear ? " (torn write)" : "")
                                  << (exact != nullptr ? " tear bits " : "")
                                  << (exact != nullptr ? exact->bits : 0)
                                  << (exact != nullptr && exact->from_end ? " from end" : ""));
  OtaDevice device(tear);
  install_v1(device);
  if (exact != nullptr) {
    sotto_host_storage_cut_power_during(device.storage(), k, *exact);
  } else {
    sotto_host_storage_cut_power_after(device.storage(), k);
  }
  const sotto_err_t interrupted = device.update(models().b2);
  EXPECT_EQ(interrupted, k < kUpdateOps ? SOTTO_ERR_OTA_STORAGE : SOTTO_OK);

  ASSERT_EQ(device.boot(), SOTTO_OK);  // reboot: the active slot is verified again
  const bool untouched = !tear && (exact == nullptr || exact->bits == 0);
  const bool finished = exact != nullptr && exact->bits == kWholeOp;
  sotto_ota_status_t status{};
  ASSERT_EQ(sotto_ota_get_status(&device.ota(), &status), SOTTO_OK);
  Outcome seen = {device.active_version() == 2u, 0};
  if (!seen.switched) {
    seen.resume = status.state == SOTTO_OTA_IDLE ? -1 : static_cast<int64_t>(status.next_offset);
  }
  if (untouched || k >= kUpdateOps) {
    EXPECT_EQ(seen, outcome_after(k)) << seen.switched << " " << seen.resume;
  } else if (finished) {
    EXPECT_EQ(seen, outcome_after(k + 1)) << seen.switched << " " << seen.resume;
  } else {
    EXPECT_TRUE(seen == outcome_after(k) || seen == outcome_after(k + 1))
        << seen.switched << " " << seen.resume;
  }
  EXPECT_EQ(device.active_slot_bytes(), seen.switched ? models().v2 : models().v1);
  if (seen.switched) {
    return;
  }
  EXPECT_EQ(status.state, seen.resume < 0 ? SOTTO_OTA_IDLE : SOTTO_OTA_RECEIVING);
  const uint64_t sent_before = device.chunk_bytes_sent();
  ASSERT_EQ(device.update(models().b2), SOTTO_OK);
  EXPECT_EQ(device.chunk_bytes_sent() - sent_before,
            kModelBytes - static_cast<uint64_t>(seen.resume < 0 ? 0 : seen.resume));
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

// The stronger fault model: each op stopped at its first bit, inside its first and last byte,
// half way into a chunk or a sector from either end, and after finishing but before saying so.
TEST(OtaPowerCut, EveryTearOfEveryOperationLeavesAVerifiedModel) {
  const sotto_ram_storage_tear_t tears[] = {
      {1, 0}, {5, 1}, {8 * 128 + 3, 0}, {8 * 512 + 1, 1}, {kWholeOp, 0}};
  for (const sotto_ram_storage_tear_t &tear : tears) {
    for (uint64_t k = 0; k < kUpdateOps; ++k) {
      cut_and_recover(false, k, &tear);
    }
  }
  RecordProperty("cut_points", static_cast<int>(kUpdateOps * 5));
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
