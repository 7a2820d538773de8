// The store-and-forward queue in flash: order and boot ids across reopening, exact storage
// operations per event, the full ring giving up its oldest sector, the event cap, torn writes
// never written over, and regions it refuses by name.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "flash_queue_fixture.h"

namespace sotto::test {
namespace {

constexpr uint32_t kSector = 256;
constexpr size_t kEventBytes = 18;  // a typical threshold event: 21-byte records, 11 per sector

class FlashQueueTest : public ::testing::Test {
 protected:
  explicit FlashQueueTest(uint32_t sectors = 4) : flash_(kSector, sectors) {}

  sotto_err_t open(uint32_t max_events = 0) {
    sotto_storage_port_t port = flash_.port();
    return sotto_flash_queue_open(&queue_, &port, max_events);
  }
  sotto_err_t push(uint8_t tag, uint32_t boot_id = 1, size_t len = kEventBytes) {
    std::vector<uint8_t> bytes = event_bytes(tag, len);
    return sotto_flash_queue_push(&queue_, bytes.data(), bytes.size(), boot_id);
  }
  QueuedEvent expected(uint8_t tag, uint32_t boot_id = 1, size_t len = kEventBytes) {
    return {event_bytes(tag, len), boot_id};
  }
  std::vector<QueuedEvent> expected_range(uint8_t from, uint8_t to, uint32_t boot_id = 1) {
    std::vector<QueuedEvent> out;
    for (int tag = from; tag < to; ++tag) {
      out.push_back(expected(static_cast<uint8_t>(tag), boot_id));
    }
    return out;
  }

  FlashRegion flash_;
  sotto_flash_queue_t queue_{};
};

TEST_F(FlashQueueTest, EventsSurviveReopeningInOrderWithTheirBoot) {
  ASSERT_EQ(open(), SOTTO_OK);
  for (uint8_t tag = 0; tag < 5; ++tag) {
    ASSERT_EQ(push(tag, 7), SOTTO_OK);
  }
  ASSERT_EQ(open(), SOTTO_OK);  // a reboot: everything is read back from flash
  EXPECT_EQ(sotto_flash_queue_depth(&queue_), 5u);
  EXPECT_EQ(contents(queue_), expected_range(0, 5, 7));

  uint8_t out[SOTTO_EVENT_MAX_ENCODED_BYTES];
  size_t len = 0;
  uint32_t boot_id = 0;
  ASSERT_EQ(sotto_flash_queue_peek(&queue_, out, sizeof out, &len, &boot_id), SOTTO_OK);
  EXPECT_EQ(std::vector<uint8_t>(out, out + len), event_bytes(0, kEventBytes));
  EXPECT_EQ(boot_id, 7u);
  ASSERT_EQ(sotto_flash_queue_pop(&queue_), SOTTO_OK);
  ASSERT_EQ(sotto_flash_queue_pop(&queue_), SOTTO_OK);
  ASSERT_EQ(open(), SOTTO_OK);
  EXPECT_EQ(contents(queue_), expected_range(2, 5, 7));  // sent events stay sent
}

TEST_F(FlashQueueTest, AppendingIsOneWriteAndSendingClearsOneByte) {
  ASSERT_EQ(open(), SOTTO_OK);
  EXPECT_EQ(flash_.ops(), 0u);  // opening only reads
  ASSERT_EQ(push(0), SOTTO_OK);
  EXPECT_EQ(flash_.ops(), 3u);  // first sector: erase, header, record
  ASSERT_EQ(push(1), SOTTO_OK);
  EXPECT_EQ(flash_.ops(), 4u);
  ASSERT_EQ(sotto_flash_queue_pop(&queue_), SOTTO_OK);
  EXPECT_EQ(flash_.ops(), 5u);
  sotto_storage_port_t port = flash_.port();
  const uint8_t *region = port.map(port.ctx, SOTTO_REGION_QUEUE);
  EXPECT_EQ(region[SOTTO_FLASH_QUEUE_SECTOR_HEADER_BYTES], 0x40 | kEventBytes);       // sent
  EXPECT_EQ(region[SOTTO_FLASH_QUEUE_SECTOR_HEADER_BYTES + 21], 0xc0 | kEventBytes);  // waiting
  ASSERT_EQ(push(2, 2), SOTTO_OK);  // a new boot: marker and event in one write
  EXPECT_EQ(flash_.ops(), 6u);
}

TEST_F(FlashQueueTest, BootMarkerPrecedesTheFirstEventOfANewBoot) {
  ASSERT_EQ(open(), SOTTO_OK);
  ASSERT_EQ(push(0, 1), SOTTO_OK);
  ASSERT_EQ(push(1, 1), SOTTO_OK);
  ASSERT_EQ(push(2, 2), SOTTO_OK);
  ASSERT_EQ(push(3, 3), SOTTO_OK);
  ASSERT_EQ(open(), SOTTO_OK);
  EXPECT_EQ(contents(queue_), (std::vector<QueuedEvent>{expected(0, 1), expected(1, 1),
                                                        expected(2, 2), expected(3, 3)}));
  EXPECT_EQ(queue_.tail_offset, SOTTO_FLASH_QUEUE_SECTOR_HEADER_BYTES + 4 * 21 + 2 * 7);
}

// Four sectors: three live and one spare. The 34th event needs a fourth: the oldest sector is
// given up with its 11 unsent events, counted as dropped.
TEST_F(FlashQueueTest, FullRingGivesUpTheOldestSectorAndCountsItsEvents) {
  ASSERT_EQ(open(), SOTTO_OK);
  for (uint8_t tag = 0; tag < 33; ++tag) {
    ASSERT_EQ(push(tag), SOTTO_OK);
  }
  EXPECT_EQ(sotto_flash_queue_depth(&queue_), 33u);
  EXPECT_EQ(sotto_flash_queue_dropped(&queue_), 0u);
  EXPECT_EQ(flash_.ops(), 3u * 2 + 33);
  ASSERT_EQ(push(33), SOTTO_OK);
  EXPECT_EQ(sotto_flash_queue_depth(&queue_), 23u);
  EXPECT_EQ(sotto_flash_queue_dropped(&queue_), 11u);
  EXPECT_EQ(contents(queue_), expected_range(11, 34));
  ASSERT_EQ(open(), SOTTO_OK);
  EXPECT_EQ(contents(queue_), expected_range(11, 34));
  EXPECT_EQ(sotto_flash_queue_dropped(&queue_), 0u);  // counted per open, like the RAM queue
}

// A partly sent oldest sector loses only its unsent events.
TEST_F(FlashQueueTest, GivingUpAPartlySentSectorDropsOnlyWhatWasWaiting) {
  ASSERT_EQ(open(), SOTTO_OK);
  for (uint8_t tag = 0; tag < 33; ++tag) {
    ASSERT_EQ(push(tag), SOTTO_OK);
  }
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(sotto_flash_queue_pop(&queue_), SOTTO_OK);
  }
  ASSERT_EQ(push(33), SOTTO_OK);
  EXPECT_EQ(sotto_flash_queue_dropped(&queue_), 7u);
  EXPECT_EQ(contents(queue_), expected_range(11, 34));
}

// A firmware update may give the queue a larger region. The sector given up earlier still has a
// valid header, now within reach of the walk back from the newest sector; the newest header's
// live_from keeps it given up, so its dropped events do not come back.
TEST(FlashQueue, GrowingTheRegionDoesNotBringBackAGivenUpSector) {
  FlashRegion flash(kSector, 6);
  struct FourSectors {
    sotto_storage_port_t real;
    static uint32_t region_bytes(void *ctx, sotto_storage_region_t region) {
      auto *self = static_cast<FourSectors *>(ctx);
      const uint32_t bytes = self->real.region_bytes(self->real.ctx, region);
      return region == SOTTO_REGION_QUEUE ? 4 * kSector : bytes;
    }
  };
  FourSectors narrow{flash.port()};
  sotto_storage_port_t port = flash.port();
  port.region_bytes = FourSectors::region_bytes;
  // The other functions keep the real context: swap it in per call through a thin shim.
  struct Shim {
    static sotto_err_t read(void *ctx, sotto_storage_region_t r, uint32_t o, void *out, size_t n) {
      auto *self = static_cast<FourSectors *>(ctx);
      return self->real.read(self->real.ctx, r, o, out, n);
    }
    static sotto_err_t write(void *ctx, sotto_storage_region_t r, uint32_t o, const void *d,
                             size_t n) {
      auto *self = static_cast<FourSectors *>(ctx);
      return self->real.write(self->real.ctx, r, o, d, n);
    }
    static sotto_err_t erase(void *ctx, sotto_storage_region_t r, uint32_t o, size_t n) {
      auto *self = static_cast<FourSectors *>(ctx);
      return self->real.erase(self->real.ctx, r, o, n);
    }
    static uint32_t sector_bytes(void *ctx) {
      auto *self = static_cast<FourSectors *>(ctx);
      return self->real.sector_bytes(self->real.ctx);
    }
  };
  port.ctx = &narrow;
  port.read = Shim::read;
  port.write = Shim::write;
  port.erase = Shim::erase;
  port.sector_bytes = Shim::sector_bytes;
  port.map = nullptr;
  sotto_flash_queue_t queue{};
  ASSERT_EQ(sotto_flash_queue_open(&queue, &port, 0), SOTTO_OK);
  for (uint8_t tag = 0; tag < 34; ++tag) {  // as above: the first sector is given up
    std::vector<uint8_t> bytes = event_bytes(tag, kEventBytes);
    ASSERT_EQ(sotto_flash_queue_push(&queue, bytes.data(), bytes.size(), 1), SOTTO_OK);
  }
  sotto_storage_port_t wide = flash.port();
  ASSERT_EQ(sotto_flash_queue_open(&queue, &wide, 0), SOTTO_OK);
  std::vector<QueuedEvent> expected;
  for (uint8_t tag = 11; tag < 34; ++tag) {
    expected.push_back({event_bytes(tag, kEventBytes), 1});
  }
  EXPECT_EQ(contents(queue), expected);
}

TEST_F(FlashQueueTest, EventCapDropsTheOldestOneAtATime) {
  ASSERT_EQ(open(5), SOTTO_OK);
  for (uint8_t tag = 0; tag < 8; ++tag) {
    ASSERT_EQ(push(tag), SOTTO_OK);
  }
  EXPECT_EQ(sotto_flash_queue_depth(&queue_), 5u);
  EXPECT_EQ(sotto_flash_queue_dropped(&queue_), 3u);
  EXPECT_EQ(flash_.ops(), 2u + 8 + 3);  // each drop clears one byte
  ASSERT_EQ(open(5), SOTTO_OK);
  EXPECT_EQ(contents(queue_), expected_range(3, 8));
}

// A write torn at its end leaves the record's first byte erased: the next record must not be
// written over the programmed bytes after it, so it goes to a fresh sector.
TEST_F(FlashQueueTest, TornTailIsNeverWrittenOver) {
  ASSERT_EQ(open(), SOTTO_OK);
  for (uint8_t tag = 0; tag < 3; ++tag) {
    ASSERT_EQ(push(tag), SOTTO_OK);
  }
  sotto_host_storage_cut_power_during(flash_.storage(), 0, {5, 1});
  EXPECT_EQ(push(3), SOTTO_ERR_STORAGE);
  sotto_host_storage_restore_power(flash_.storage());
  ASSERT_EQ(open(), SOTTO_OK);
  EXPECT_EQ(contents(queue_), expected_range(0, 3));
  const uint64_t before = flash_.ops();
  ASSERT_EQ(push(4), SOTTO_OK);
  EXPECT_EQ(flash_.ops() - before, 3u);  // erase, header, record in the next sector
  ASSERT_EQ(open(), SOTTO_OK);
  EXPECT_EQ(contents(queue_),
            (std::vector<QueuedEvent>{expected(0), expected(1), expected(2), expected(4)}));
}

// A torn first byte fails the record's check: the sector's records end there, for good.
TEST_F(FlashQueueTest, TornRecordEndsItsSector) {
  ASSERT_EQ(open(), SOTTO_OK);
  ASSERT_EQ(push(0), SOTTO_OK);
  sotto_host_storage_cut_power_during(flash_.storage(), 0, {3, 0});
  EXPECT_EQ(push(1), SOTTO_ERR_STORAGE);
  sotto_host_storage_restore_power(flash_.storage());
  ASSERT_EQ(open(), SOTTO_OK);
  EXPECT_EQ(contents(queue_), std::vector<QueuedEvent>{expected(0)});
  EXPECT_EQ(queue_.tail_offset, kSector);  // closed
  ASSERT_EQ(push(2), SOTTO_OK);
  ASSERT_EQ(sotto_flash_queue_pop(&queue_), SOTTO_OK);
  ASSERT_EQ(open(), SOTTO_OK);
  EXPECT_EQ(contents(queue_), std::vector<QueuedEvent>{expected(2)});
}

// Power went after the record was complete but before the write said so: the event is there.
TEST_F(FlashQueueTest, WriteThatFinishedButFailedKeepsItsEvent) {
  ASSERT_EQ(open(), SOTTO_OK);
  ASSERT_EQ(push(0), SOTTO_OK);
  sotto_host_storage_cut_power_during(flash_.storage(), 0, {1000, 0});
  EXPECT_EQ(push(1), SOTTO_ERR_STORAGE);
  sotto_host_storage_restore_power(flash_.storage());
  ASSERT_EQ(open(), SOTTO_OK);
  EXPECT_EQ(contents(queue_), (std::vector<QueuedEvent>{expected(0), expected(1)}));
}

TEST_F(FlashQueueTest, GarbageFlashReadsAsAnEmptyQueueAndIsReused) {
  std::mt19937 random(5);
  std::vector<uint8_t> garbage(size_t{4} * kSector);
  for (uint8_t &byte : garbage) {
    byte = static_cast<uint8_t>(random());
  }
  sotto_storage_port_t port = flash_.port();
  ASSERT_EQ(port.write(port.ctx, SOTTO_REGION_QUEUE, 0, garbage.data(), garbage.size()), SOTTO_OK);
  ASSERT_EQ(open(), SOTTO_OK);
  EXPECT_EQ(sotto_flash_queue_depth(&queue_), 0u);
  ASSERT_EQ(push(9), SOTTO_OK);
  ASSERT_EQ(open(), SOTTO_OK);
  EXPECT_EQ(contents(queue_), std::vector<QueuedEvent>{expected(9)});
}

TEST_F(FlashQueueTest, EventsOfEverySizeRoundTrip) {
  ASSERT_EQ(open(), SOTTO_OK);
  for (size_t len = 1; len <= SOTTO_EVENT_MAX_ENCODED_BYTES; ++len) {
    ASSERT_EQ(push(static_cast<uint8_t>(len), 1, len), SOTTO_OK) << len;
    uint8_t out[SOTTO_EVENT_MAX_ENCODED_BYTES];
    size_t out_len = 0;
    uint32_t boot_id = 0;
    ASSERT_EQ(sotto_flash_queue_peek(&queue_, out, sizeof out, &out_len, &boot_id), SOTTO_OK);
    EXPECT_EQ(std::vector<uint8_t>(out, out + out_len),
              event_bytes(static_cast<uint8_t>(len), len));
    ASSERT_EQ(sotto_flash_queue_pop(&queue_), SOTTO_OK);
  }
  EXPECT_EQ(sotto_flash_queue_pop(&queue_), SOTTO_ERR_QUEUE_EMPTY);
}

TEST_F(FlashQueueTest, RejectsBadArgumentsByName) {
  ASSERT_EQ(open(), SOTTO_OK);
  std::vector<uint8_t> too_long(SOTTO_EVENT_MAX_ENCODED_BYTES + 1, 1);
  EXPECT_EQ(sotto_flash_queue_push(&queue_, too_long.data(), too_long.size(), 1),
            SOTTO_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sotto_flash_queue_push(&queue_, too_long.data(), 0, 1), SOTTO_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sotto_flash_queue_push(&queue_, nullptr, 3, 1), SOTTO_ERR_INVALID_ARGUMENT);
  ASSERT_EQ(push(0), SOTTO_OK);
  uint8_t small[4];
  size_t len = 0;
  uint32_t boot_id = 0;
  EXPECT_EQ(sotto_flash_queue_peek(&queue_, small, sizeof small, &len, &boot_id),
            SOTTO_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(sotto_flash_queue_peek(&queue_, nullptr, 4, &len, &boot_id),
            SOTTO_ERR_INVALID_ARGUMENT);
}

TEST(FlashQueue, RefusesRegionsItCannotUse) {
  sotto_flash_queue_t queue{};
  FlashRegion two_sectors(kSector, 2);
  sotto_storage_port_t port = two_sectors.port();
  EXPECT_EQ(sotto_flash_queue_open(&queue, &port, 0), SOTTO_ERR_NOT_CONFIGURED);
  FlashRegion tiny_sectors(64, 8);
  port = tiny_sectors.port();
  EXPECT_EQ(sotto_flash_queue_open(&queue, &port, 0), SOTTO_ERR_NOT_CONFIGURED);
  sotto_host_storage_config_t config{};
  config.sector_bytes = kSector;
  config.state_bytes = kSector;
  sotto_host_storage_t *no_queue = nullptr;
  ASSERT_EQ(sotto_host_storage_create(&config, &no_queue), SOTTO_OK);
  port = sotto_host_storage_port(no_queue);
  EXPECT_EQ(sotto_flash_queue_open(&queue, &port, 0), SOTTO_ERR_NOT_CONFIGURED);
  sotto_host_storage_destroy(no_queue);
  EXPECT_EQ(sotto_flash_queue_open(&queue, nullptr, 0), SOTTO_ERR_INVALID_ARGUMENT);
}

// The wear the README states: each event of 18 bytes is one 21-byte write when queued and one
// 1-byte write when sent; a 4 KiB sector holds 194 of them, so 1,000 events cost 6 erases.
TEST(FlashQueue, WearPerEventIsTwoWritesAndAFractionOfAnErase) {
  FlashRegion flash(4096, 3);
  sotto_storage_port_t port = flash.port();
  sotto_flash_queue_t queue{};
  ASSERT_EQ(sotto_flash_queue_open(&queue, &port, 0), SOTTO_OK);
  for (int i = 0; i < 1000; ++i) {
    std::vector<uint8_t> bytes = event_bytes(static_cast<uint8_t>(i), kEventBytes);
    ASSERT_EQ(sotto_flash_queue_push(&queue, bytes.data(), bytes.size(), 1), SOTTO_OK);
    ASSERT_EQ(sotto_flash_queue_pop(&queue), SOTTO_OK);
  }
  EXPECT_EQ(SOTTO_FLASH_QUEUE_EVENTS_PER_SECTOR(4096), 92);  // worst case: 41-byte events
  EXPECT_EQ(queue.newest_seq, 6u);                           // sectors opened: 6 erases
  EXPECT_EQ(flash.ops(), 6u * 2 + 1000u * 2);                // + 6 headers, 2 writes per event
  EXPECT_EQ(sotto_flash_queue_dropped(&queue), 0u);
}

}  // namespace
}  // namespace sotto::test
