// The flash queue tests' shared pieces (see flash_queue_fixture.h).
#include "flash_queue_fixture.h"

#include <gtest/gtest.h>

#include "flash_queue_internal.h"

namespace sotto::test {

FlashRegion::FlashRegion(uint32_t sector_bytes, uint32_t sectors) {
  sotto_host_storage_config_t config{};
  config.sector_bytes = sector_bytes;
  config.state_bytes = 2 * sector_bytes;
  config.queue_bytes = sectors * sector_bytes;
  EXPECT_EQ(sotto_host_storage_create(&config, &storage_), SOTTO_OK);
}

FlashRegion::~FlashRegion() {
  sotto_host_storage_destroy(storage_);
}

std::vector<uint8_t> event_bytes(uint8_t tag, size_t len) {
  std::vector<uint8_t> bytes(len);
  for (size_t i = 0; i < len; ++i) {
    bytes[i] = static_cast<uint8_t>(tag + i * 37u);
  }
  return bytes;
}

std::vector<QueuedEvent> contents(const sotto_flash_queue_t &queue) {
  std::vector<QueuedEvent> out;
  QueueCursor cursor;
  flash_queue_head(queue, &cursor);
  for (uint32_t i = 0; i < queue.count; ++i) {
    uint8_t bytes[SOTTO_EVENT_MAX_ENCODED_BYTES];
    size_t len = 0;
    uint32_t boot_id = 0;
    EXPECT_EQ(flash_queue_read_at(queue, cursor, bytes, sizeof bytes, &len, &boot_id), SOTTO_OK)
        << "event " << i << " of " << queue.count;
    out.push_back({std::vector<uint8_t>(bytes, bytes + len), boot_id});
    if (flash_queue_advance(queue, &cursor) != SOTTO_OK) {
      ADD_FAILURE() << "cannot move past event " << i;
      break;
    }
  }
  uint8_t bytes[SOTTO_EVENT_MAX_ENCODED_BYTES];
  size_t len = 0;
  uint32_t boot_id = 0;
  EXPECT_EQ(flash_queue_read_at(queue, cursor, bytes, sizeof bytes, &len, &boot_id),
            SOTTO_ERR_QUEUE_EMPTY);
  return out;
}

}  // namespace sotto::test
