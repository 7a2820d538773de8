// Power loss at every storage operation of a key-list update: count the writes and erases of a
// clean rotation, then cut power after each k of them (k = 0: before the first; k = N: after the
// last), the interrupted op torn anywhere (sotto_ram_storage_tear_t), reboot, and check that the
// device trusts exactly the old list or exactly the new one, never none: a bundle signed by a key
// of the list it came back with installs, and the rotation can be sent again and completes.
#include <gtest/gtest.h>

#include "key_rotation.h"
#include "ota_fixture.h"

namespace sotto::test {
namespace {

constexpr size_t kModelBytes = 2000;
constexpr uint64_t kRotationOps = 2;           // erase the other key-list sector, write the list
constexpr uint64_t kListRecordBits = 232 * 8;  // the key-list record (key_list.h)
constexpr uint64_t kWholeOp = uint64_t{8} * kSectorBytes;  // a tear this long finishes any op

const gw::SigningKey &second_key() {
  static const gw::SigningKey key = gw::SigningKey::generate();
  return key;
}
const gw::SigningKey &third_key() {
  static const gw::SigningKey key = gw::SigningKey::generate();
  return key;
}

std::vector<uint32_t> trusted_ids(OtaDevice &device) {
  sotto_ota_key_list_t keys{};
  EXPECT_EQ(sotto_ota_get_keys(&device.ota(), &keys), SOTTO_OK);
  return {keys.key_ids, keys.key_ids + keys.key_count};
}

uint32_t key_list_version(OtaDevice &device) {
  sotto_ota_key_list_t keys{};
  EXPECT_EQ(sotto_ota_get_keys(&device.ota(), &keys), SOTTO_OK);
  return keys.version;
}

sotto_err_t rotate(OtaDevice &device, const std::vector<uint8_t> &envelope) {
  return sotto_ota_rotate_keys(&device.ota(), 1, envelope.data(), envelope.size());
}

struct Step {
  std::vector<uint8_t> envelope;
  uint32_t version_after;
  std::vector<uint32_t> trusted_before;
  std::vector<uint32_t> trusted_after;
  const gw::SigningKey *signer_after;  // a key of the new list that signs the check bundle
};

// The first rotation writes into blank key-list sectors (the provisioned key is in force), the
// second into the sector the first did not use: both cases of the record pair.
std::vector<Step> steps() {
  const uint32_t fleet = fleet_key().key_id();
  const uint32_t second = second_key().key_id();
  const uint32_t third = third_key().key_id();
  return {
      {gw::sign_key_rotation(fleet_key(), second_key(), {1, fleet}),
       1,
       {fleet},
       {second},
       &second_key()},
      {gw::sign_key_rotation(second_key(), third_key(), {2, std::nullopt}),
       2,
       {second},
       {second, third},
       &third_key()},
  };
}

// A bundle signed by signer installs (with the next version): the list it came back with works.
void expect_installs(OtaDevice &device, const gw::SigningKey &signer, uint32_t version) {
  const auto model = make_model(kModelBytes, version);
  ASSERT_EQ(device.update(gw::make_bundle(signer, fields_for(model, version), model)), SOTTO_OK);
  EXPECT_EQ(device.active_version(), version);
}

TEST(OtaKeyPowerCut, RotationCountsItsStorageOperations) {
  OtaDevice device;
  ASSERT_EQ(device.boot(), SOTTO_OK);
  for (const Step &step : steps()) {
    const uint64_t before = sotto_host_storage_op_count(device.storage());
    ASSERT_EQ(rotate(device, step.envelope), SOTTO_OK);
    EXPECT_EQ(sotto_host_storage_op_count(device.storage()) - before, kRotationOps);
  }
}

// Cuts power during op k + 1 of the rotation; exact: how far that op gets (nullptr: as
// tear_interrupted_write says). Only a write that got all its bits in makes the new list.
void cut_rotation(bool tear, size_t step_index, uint64_t k,
                  const sotto_ram_storage_tear_t *exact = nullptr) {
  SCOPED_TRACE(testing::Message() << "rotation " << step_index + 1 << ", cut after op " << k
                                  << (tear ? " (torn write)" : "") << " tear bits "
                                  << (exact != nullptr ? exact->bits : 0)
                                  << (exact != nullptr && exact->from_end ? " from the end" : ""));
  const std::vector<Step> all = steps();
  const Step &step = all[step_index];
  OtaDevice device(tear);
  ASSERT_EQ(device.boot(), SOTTO_OK);
  for (size_t i = 0; i < step_index; ++i) {
    ASSERT_EQ(rotate(device, all[i].envelope), SOTTO_OK);
  }
  if (exact != nullptr) {
    sotto_host_storage_cut_power_during(device.storage(), k, *exact);
  } else {
    sotto_host_storage_cut_power_after(device.storage(), k);
  }
  EXPECT_EQ(rotate(device, step.envelope), k < kRotationOps ? SOTTO_ERR_OTA_STORAGE : SOTTO_OK);

  ASSERT_EQ(device.boot(), SOTTO_OK);
  const bool rotated = k >= kRotationOps || (exact != nullptr && k == kRotationOps - 1 &&
                                             exact->bits >= kListRecordBits);
  EXPECT_EQ(trusted_ids(device), rotated ? step.trusted_after : step.trusted_before);
  EXPECT_EQ(key_list_version(device), rotated ? step.version_after : step.version_after - 1);
  const gw::SigningKey &old_signer = step_index == 0 ? fleet_key() : second_key();
  expect_installs(device, rotated ? *step.signer_after : old_signer, 1);
  // Sent again, the rotation completes (or is recognised as done).
  ASSERT_EQ(rotate(device, step.envelope), SOTTO_OK);
  EXPECT_EQ(trusted_ids(device), step.trusted_after);
  ASSERT_EQ(device.boot(), SOTTO_OK);
  EXPECT_EQ(trusted_ids(device), step.trusted_after);
  expect_installs(device, *step.signer_after, 2);
}

TEST(OtaKeyPowerCut, EveryCutPointLeavesTheOldOrTheNewList) {
  for (size_t step = 0; step < 2; ++step) {
    for (uint64_t k = 0; k <= kRotationOps; ++k) {
      cut_rotation(false, step, k);
    }
  }
}

TEST(OtaKeyPowerCut, EveryCutPointWithTornWritesLeavesTheOldOrTheNewList) {
  for (size_t step = 0; step < 2; ++step) {
    for (uint64_t k = 0; k <= kRotationOps; ++k) {
      cut_rotation(true, step, k);
    }
  }
}

// The stronger fault model: each op stopped at its first bit, inside its first and last byte,
// half way from either end, and after finishing but before saying so.
TEST(OtaKeyPowerCut, EveryTearOfEveryOperationLeavesTheOldOrTheNewList) {
  const sotto_ram_storage_tear_t tears[] = {
      {1, 0}, {5, 1}, {8 * 100 + 3, 0}, {8 * 116 + 1, 1}, {kWholeOp, 0}};
  for (const sotto_ram_storage_tear_t &tear : tears) {
    for (size_t step = 0; step < 2; ++step) {
      for (uint64_t k = 0; k < kRotationOps; ++k) {
        cut_rotation(false, step, k, &tear);
      }
    }
  }
}

}  // namespace
}  // namespace sotto::test
