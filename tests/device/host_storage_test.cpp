// The host storage port: NOR rules, file persistence and power-cut injection.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "sotto/port_host.h"

namespace {

class HostStorageTest : public ::testing::Test {
 protected:
  void SetUp() override { create(nullptr, false); }
  void TearDown() override { sotto_host_storage_destroy(storage_); }

  void create(const char *path, bool tear) {
    sotto_host_storage_destroy(storage_);
    storage_ = nullptr;
    sotto_host_storage_config_t config{};
    config.sector_bytes = 64;
    config.state_bytes = 256;
    config.slot_bytes = 512;
    config.file_path = path;
    config.tear_interrupted_write = tear ? 1 : 0;
    ASSERT_EQ(sotto_host_storage_create(&config, &storage_), SOTTO_OK);
    port_ = sotto_host_storage_port(storage_);
  }

  sotto_err_t write(sotto_storage_region_t region, uint32_t offset, std::vector<uint8_t> bytes) {
    return port_.write(port_.ctx, region, offset, bytes.data(), bytes.size());
  }

  std::vector<uint8_t> read(sotto_storage_region_t region, uint32_t offset, size_t len) {
    std::vector<uint8_t> out(len);
    EXPECT_EQ(port_.read(port_.ctx, region, offset, out.data(), len), SOTTO_OK);
    return out;
  }

  sotto_host_storage_t *storage_ = nullptr;
  sotto_storage_port_t port_{};
};

TEST_F(HostStorageTest, RegionsStartErasedWithTheConfiguredSizes) {
  EXPECT_EQ(port_.region_bytes(port_.ctx, SOTTO_REGION_STATE), 256u);
  EXPECT_EQ(port_.region_bytes(port_.ctx, SOTTO_REGION_SLOT_A), 512u);
  EXPECT_EQ(port_.region_bytes(port_.ctx, SOTTO_REGION_SLOT_B), 512u);
  EXPECT_EQ(port_.sector_bytes(port_.ctx), 64u);
  EXPECT_EQ(read(SOTTO_REGION_SLOT_B, 500, 12), std::vector<uint8_t>(12, 0xff));
}

TEST_F(HostStorageTest, WritesOnlyClearBitsAndEraseRestoresOnes) {
  ASSERT_EQ(write(SOTTO_REGION_SLOT_A, 10, {0xf0, 0x0f}), SOTTO_OK);
  EXPECT_EQ(write(SOTTO_REGION_SLOT_A, 10, {0x70, 0x0e}), SOTTO_OK);           // clears more bits
  EXPECT_EQ(write(SOTTO_REGION_SLOT_A, 10, {0xff, 0x00}), SOTTO_ERR_STORAGE);  // would set bits
  EXPECT_EQ(read(SOTTO_REGION_SLOT_A, 10, 2), (std::vector<uint8_t>{0x70, 0x0e}));
  ASSERT_EQ(port_.erase(port_.ctx, SOTTO_REGION_SLOT_A, 0, 64), SOTTO_OK);
  EXPECT_EQ(read(SOTTO_REGION_SLOT_A, 10, 2), (std::vector<uint8_t>{0xff, 0xff}));
  EXPECT_EQ(sotto_host_storage_op_count(storage_), 3u);
}

TEST_F(HostStorageTest, RejectsUnalignedErasesAndOutOfRangeAccess) {
  EXPECT_EQ(port_.erase(port_.ctx, SOTTO_REGION_STATE, 32, 64), SOTTO_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(port_.erase(port_.ctx, SOTTO_REGION_STATE, 0, 65), SOTTO_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(write(SOTTO_REGION_STATE, 255, {0, 0}), SOTTO_ERR_INVALID_ARGUMENT);
  uint8_t byte = 0;
  EXPECT_EQ(port_.read(port_.ctx, SOTTO_REGION_SLOT_A, 512, &byte, 1), SOTTO_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(port_.read(port_.ctx, static_cast<sotto_storage_region_t>(3), 0, &byte, 1),
            SOTTO_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sotto_host_storage_op_count(storage_), 0u);
}

TEST_F(HostStorageTest, PowerCutRefusesEveryOperationAfterTheNth) {
  sotto_host_storage_cut_power_after(storage_, 2);
  EXPECT_EQ(write(SOTTO_REGION_STATE, 0, {0x01}), SOTTO_OK);
  EXPECT_EQ(port_.erase(port_.ctx, SOTTO_REGION_SLOT_A, 64, 64), SOTTO_OK);
  EXPECT_FALSE(sotto_host_storage_power_is_cut(storage_));
  EXPECT_EQ(write(SOTTO_REGION_STATE, 1, {0x02}), SOTTO_ERR_STORAGE);
  EXPECT_EQ(port_.erase(port_.ctx, SOTTO_REGION_STATE, 0, 64), SOTTO_ERR_STORAGE);
  EXPECT_TRUE(sotto_host_storage_power_is_cut(storage_));
  EXPECT_EQ(sotto_host_storage_op_count(storage_), 2u);
  EXPECT_EQ(read(SOTTO_REGION_STATE, 0, 2), (std::vector<uint8_t>{0x01, 0xff}));  // unchanged

  sotto_host_storage_restore_power(storage_);
  EXPECT_EQ(write(SOTTO_REGION_STATE, 1, {0x02}), SOTTO_OK);
  EXPECT_EQ(sotto_host_storage_op_count(storage_), 3u);
}

TEST_F(HostStorageTest, TornWriteStoresHalfOfTheInterruptedWrite) {
  create(nullptr, true);
  sotto_host_storage_cut_power_after(storage_, 0);
  EXPECT_EQ(write(SOTTO_REGION_STATE, 0, {1, 2, 3, 4}), SOTTO_ERR_STORAGE);
  EXPECT_EQ(read(SOTTO_REGION_STATE, 0, 4), (std::vector<uint8_t>{1, 2, 0xff, 0xff}));
  EXPECT_EQ(write(SOTTO_REGION_STATE, 8, {1, 2}), SOTTO_ERR_STORAGE);  // power stays off
  EXPECT_EQ(read(SOTTO_REGION_STATE, 8, 2), (std::vector<uint8_t>{0xff, 0xff}));
}

// Half of a one-byte write is its four low bits: single bytes tear too.
TEST_F(HostStorageTest, OneByteWriteTearsAtHalfItsBits) {
  create(nullptr, true);
  sotto_host_storage_cut_power_after(storage_, 0);
  EXPECT_EQ(write(SOTTO_REGION_STATE, 5, {0x00}), SOTTO_ERR_STORAGE);
  EXPECT_EQ(read(SOTTO_REGION_STATE, 5, 1), std::vector<uint8_t>{0xf0});
}

TEST_F(HostStorageTest, TornWriteStopsAtAnyBitFromEitherEnd) {
  sotto_host_storage_cut_power_during(storage_, 1, {13, 0});
  ASSERT_EQ(write(SOTTO_REGION_SLOT_A, 0, {0x7f}), SOTTO_OK);
  // Bits 0..12 of the range: byte 0 whole, the low five bits of byte 1.
  EXPECT_EQ(write(SOTTO_REGION_SLOT_A, 1, {0x00, 0x00, 0x00}), SOTTO_ERR_STORAGE);
  EXPECT_EQ(read(SOTTO_REGION_SLOT_A, 0, 4), (std::vector<uint8_t>{0x7f, 0x00, 0xe0, 0xff}));
  EXPECT_EQ(sotto_host_storage_op_count(storage_), 1u);

  sotto_host_storage_restore_power(storage_);
  sotto_host_storage_cut_power_during(storage_, 0, {3, 1});
  // From the end: the three high bits of the last byte.
  EXPECT_EQ(write(SOTTO_REGION_SLOT_A, 8, {0x00, 0x00}), SOTTO_ERR_STORAGE);
  EXPECT_EQ(read(SOTTO_REGION_SLOT_A, 8, 2), (std::vector<uint8_t>{0xff, 0x1f}));
}

// Power can go after the chip finished but before it said so: the data is there, the op failed.
TEST_F(HostStorageTest, WriteCanCompleteAndStillReportThePowerCut) {
  sotto_host_storage_cut_power_during(storage_, 0, {1000, 0});
  EXPECT_EQ(write(SOTTO_REGION_STATE, 0, {0x12, 0x34}), SOTTO_ERR_STORAGE);
  EXPECT_EQ(read(SOTTO_REGION_STATE, 0, 2), (std::vector<uint8_t>{0x12, 0x34}));
  EXPECT_EQ(sotto_host_storage_op_count(storage_), 0u);
  EXPECT_TRUE(sotto_host_storage_power_is_cut(storage_));
}

TEST_F(HostStorageTest, InterruptedEraseLeavesTheSectorPartlyErased) {
  ASSERT_EQ(write(SOTTO_REGION_STATE, 64, std::vector<uint8_t>(64, 0x00)), SOTTO_OK);
  sotto_host_storage_cut_power_during(storage_, 0, {8 * 10 + 4, 0});
  EXPECT_EQ(port_.erase(port_.ctx, SOTTO_REGION_STATE, 64, 64), SOTTO_ERR_STORAGE);
  std::vector<uint8_t> expected(64, 0x00);
  std::fill(expected.begin(), expected.begin() + 10, 0xff);
  expected[10] = 0x0f;
  EXPECT_EQ(read(SOTTO_REGION_STATE, 64, 64), expected);

  sotto_host_storage_restore_power(storage_);
  ASSERT_EQ(write(SOTTO_REGION_STATE, 64, std::vector<uint8_t>(64, 0x00)), SOTTO_OK);
  sotto_host_storage_cut_power_during(storage_, 0, {8 * 3 + 1, 1});  // from the sector's end
  EXPECT_EQ(port_.erase(port_.ctx, SOTTO_REGION_STATE, 64, 64), SOTTO_ERR_STORAGE);
  expected.assign(64, 0x00);
  std::fill(expected.end() - 3, expected.end(), 0xff);
  expected[60] = 0x80;
  EXPECT_EQ(read(SOTTO_REGION_STATE, 64, 64), expected);
}

TEST_F(HostStorageTest, TearingModeErasesHalfOfAnInterruptedErase) {
  create(nullptr, true);
  ASSERT_EQ(write(SOTTO_REGION_STATE, 0, std::vector<uint8_t>(64, 0x00)), SOTTO_OK);
  sotto_host_storage_cut_power_after(storage_, 0);
  EXPECT_EQ(port_.erase(port_.ctx, SOTTO_REGION_STATE, 0, 64), SOTTO_ERR_STORAGE);
  std::vector<uint8_t> expected(32, 0xff);
  expected.resize(64, 0x00);
  EXPECT_EQ(read(SOTTO_REGION_STATE, 0, 64), expected);
}

TEST_F(HostStorageTest, QueueRegionIsOptional) {
  EXPECT_EQ(port_.region_bytes(port_.ctx, SOTTO_REGION_QUEUE), 0u);
  EXPECT_EQ(port_.map(port_.ctx, SOTTO_REGION_QUEUE), nullptr);
  sotto_host_storage_destroy(storage_);
  sotto_host_storage_config_t config{};
  config.sector_bytes = 64;
  config.state_bytes = 128;
  config.queue_bytes = 192;
  ASSERT_EQ(sotto_host_storage_create(&config, &storage_), SOTTO_OK);
  port_ = sotto_host_storage_port(storage_);
  EXPECT_EQ(port_.region_bytes(port_.ctx, SOTTO_REGION_QUEUE), 192u);
  ASSERT_EQ(write(SOTTO_REGION_QUEUE, 191, {0x42}), SOTTO_OK);
  EXPECT_EQ(read(SOTTO_REGION_STATE, 0, 128), std::vector<uint8_t>(128, 0xff));
  EXPECT_EQ(port_.map(port_.ctx, SOTTO_REGION_QUEUE)[191], 0x42);
  config.queue_bytes = 100;
  sotto_host_storage_t *bad = nullptr;
  EXPECT_EQ(sotto_host_storage_create(&config, &bad), SOTTO_ERR_INVALID_ARGUMENT);
}

TEST_F(HostStorageTest, FileBackedRegionsSurviveReopening) {
  char path[] = "/tmp/sotto-storage-test-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  create(path, false);
  EXPECT_EQ(read(SOTTO_REGION_SLOT_B, 0, 1), std::vector<uint8_t>{0xff});  // resized: erased
  ASSERT_EQ(write(SOTTO_REGION_SLOT_B, 3, {0x5a}), SOTTO_OK);
  create(path, false);
  EXPECT_EQ(read(SOTTO_REGION_SLOT_B, 3, 1), std::vector<uint8_t>{0x5a});
  EXPECT_EQ(port_.map(port_.ctx, SOTTO_REGION_SLOT_B)[3], 0x5a);
  std::remove(path);
}

// The boot counter (device runtime) must never hand out a number twice, whichever write or
// erase a power cut interrupts: enumerate every cut point across a sector switch.
TEST_F(HostStorageTest, BootCounterNeverRepeatsAcrossPowerCuts) {
  for (uint64_t cut = 0; cut < 40; ++cut) {
    create(nullptr, true);
    std::vector<uint8_t> queue(SOTTO_QUEUE_BYTES_FOR_EVENTS(1));
    sotto_ports_t ports{};
    sotto_host_clock_t *clock = sotto_host_clock_create_manual(0);
    ports.clock = sotto_host_clock_port(clock);
    ports.storage = port_;
    ports.transport.publish = [](void *, const char *, const uint8_t *, size_t) {
      return SOTTO_OK;
    };
    sotto_device_config_t config{};
    config.device_id = "d";
    config.site = "s";
    config.ports = ports;
    config.queue_buffer = queue.data();
    config.queue_buffer_bytes = queue.size();
    sotto_device_t device;
    uint32_t highest = 0;
    sotto_host_storage_cut_power_after(storage_, cut);
    for (int attempt = 0; attempt < 30; ++attempt) {  // 64-byte sectors: 8 boots per sector
      if (sotto_device_init(&device, &config) == SOTTO_OK) {
        sotto_device_stats_t stats{};
        sotto_device_get_stats(&device, &stats);
        EXPECT_GT(stats.boot_counter, highest) << "cut " << cut << " attempt " << attempt;
        highest = stats.boot_counter;
      } else {
        sotto_host_storage_restore_power(storage_);  // reboot after the cut
      }
    }
    EXPECT_GE(highest, 20u) << "cut " << cut;
    sotto_host_clock_destroy(clock);
  }
}

}  // namespace
