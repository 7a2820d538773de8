// Shared by the flash queue tests: a host NOR flash with a QUEUE region, recognisable event
// bytes, and the queue's contents read without removing anything (the runtime's cursors).
#pragma once

#include <cstdint>
#include <vector>

#include "sotto/device.h"
#include "sotto/port_host.h"

namespace sotto::test {

struct QueuedEvent {
  std::vector<uint8_t> bytes;
  uint32_t boot_id = 0;
  bool operator==(const QueuedEvent &other) const {
    return bytes == other.bytes && boot_id == other.boot_id;
  }
};

// STATE (2 sectors) plus a QUEUE region of `sectors` sectors, all erased.
class FlashRegion {
 public:
  FlashRegion(uint32_t sector_bytes, uint32_t sectors);
  ~FlashRegion();
  FlashRegion(const FlashRegion &) = delete;
  FlashRegion &operator=(const FlashRegion &) = delete;

  sotto_host_storage_t *storage() { return storage_; }
  sotto_storage_port_t port() { return sotto_host_storage_port(storage_); }
  uint64_t ops() const { return sotto_host_storage_op_count(storage_); }

 private:
  sotto_host_storage_t *storage_ = nullptr;
};

// len bytes: the tag, then bytes derived from it (so two events never look alike by accident).
std::vector<uint8_t> event_bytes(uint8_t tag, size_t len);
// Every queued event, oldest first, with its boot; the queue is not changed.
std::vector<QueuedEvent> contents(const sotto_flash_queue_t &queue);

}  // namespace sotto::test
