// libFuzzer: the flash queue reads its log back from flash, and flash after a power cut is
// outside bytes. The input's first bytes become the QUEUE region's contents (any bytes, not
// only what the queue writes), the rest a script of pushes, pops, reboots and power cuts. The
// queue must never read out of bounds, must report a depth it can deliver, and after power
// comes back must hand out every event it holds, keep new events in order, and keep sent ones
// sent.
#include <stdlib.h>
#include <string.h>

#include "sotto/device.h"
#include "sotto/port_ram_storage.h"

namespace {

constexpr uint32_t kSectorBytes = 128;
constexpr uint32_t kQueueBytes = 3 * kSectorBytes;
constexpr uint32_t kStateBytes = kSectorBytes;
uint8_t flash[kStateBytes + kQueueBytes];
sotto_ram_storage_t storage;
sotto_flash_queue_t queue;

void require(bool condition) {
  if (!condition) {
    abort();
  }
}

void open_queue() {
  sotto_storage_port_t port = sotto_ram_storage_port(&storage);
  const sotto_err_t err = sotto_flash_queue_open(&queue, &port, 0);
  require(err == SOTTO_OK);
}

void check_head() {
  uint8_t out[SOTTO_EVENT_MAX_ENCODED_BYTES];
  size_t len = 0;
  uint32_t boot_id = 0;
  const sotto_err_t err = sotto_flash_queue_peek(&queue, out, sizeof out, &len, &boot_id);
  if (sotto_flash_queue_depth(&queue) == 0) {
    require(err == SOTTO_ERR_QUEUE_EMPTY);
  } else {
    require(err == SOTTO_ERR_STORAGE || (err == SOTTO_OK && len >= 1 && len <= sizeof out));
  }
}

void fill(uint8_t *bytes, size_t len, uint32_t seed) {
  for (size_t i = 0; i < len; ++i) {
    bytes[i] = static_cast<uint8_t>(size_t{seed} * 131u + i * 7u);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sotto_ram_storage_config_t config;
  memset(&config, 0, sizeof config);
  config.sector_bytes = kSectorBytes;
  config.state_bytes = kStateBytes;
  config.queue_bytes = kQueueBytes;
  config.memory = flash;
  config.memory_bytes = sizeof flash;
  require(sotto_ram_storage_init(&storage, &config) == SOTTO_OK);
  const size_t image = size < kQueueBytes ? size : kQueueBytes;
  sotto_storage_port_t port = sotto_ram_storage_port(&storage);
  require(port.write(port.ctx, SOTTO_REGION_QUEUE, 0, data, image) == SOTTO_OK);
  open_queue();
  check_head();
  uint32_t pushed = 0;
  for (size_t at = image; at + 1 < size; at += 2) {
    const uint8_t op = data[at] % 5;
    const uint8_t arg = data[at + 1];
    if (op == 0) {
      uint8_t bytes[SOTTO_EVENT_MAX_ENCODED_BYTES];
      const size_t len = 1u + arg % SOTTO_EVENT_MAX_ENCODED_BYTES;
      fill(bytes, len, pushed++);
      const sotto_err_t err = sotto_flash_queue_push(&queue, bytes, len, 1u + arg % 3u);
      require(err == SOTTO_OK || err == SOTTO_ERR_STORAGE);
    } else if (op == 1) {
      const sotto_err_t err = sotto_flash_queue_pop(&queue);
      require(err == SOTTO_OK || err == SOTTO_ERR_STORAGE || err == SOTTO_ERR_QUEUE_EMPTY);
    } else if (op == 2) {
      open_queue();
    } else if (op == 3) {
      const sotto_ram_storage_tear_t tear = {static_cast<uint64_t>(arg) * 13u, arg & 1};
      sotto_ram_storage_cut_power_during(&storage, arg % 6u, tear);
    } else {
      sotto_ram_storage_restore_power(&storage);
    }
    require(sotto_flash_queue_depth(&queue) <= kQueueBytes / 4);
    check_head();
  }

  // Power back: the queue delivers what it holds, then what is pushed next, in order.
  sotto_ram_storage_restore_power(&storage);
  open_queue();
  const uint32_t held = sotto_flash_queue_depth(&queue);
  uint8_t ours[3][SOTTO_EVENT_MAX_ENCODED_BYTES];
  for (uint32_t i = 0; i < 3; ++i) {
    fill(ours[i], 20, 1000u + i);
    require(sotto_flash_queue_push(&queue, ours[i], 20, 7) == SOTTO_OK);
  }
  open_queue();
  const uint32_t total = sotto_flash_queue_depth(&queue);
  require(total >= 3 && total <= held + 3);  // a full ring may give up old events
  for (uint32_t i = 0; i < total; ++i) {
    uint8_t out[SOTTO_EVENT_MAX_ENCODED_BYTES];
    size_t len = 0;
    uint32_t boot_id = 0;
    require(sotto_flash_queue_peek(&queue, out, sizeof out, &len, &boot_id) == SOTTO_OK);
    if (i + 3 >= total) {
      require(len == 20 && memcmp(out, ours[i + 3 - total], 20) == 0 && boot_id == 7);
    }
    require(sotto_flash_queue_pop(&queue) == SOTTO_OK);
  }
  require(sotto_flash_queue_pop(&queue) == SOTTO_ERR_QUEUE_EMPTY);
  open_queue();
  require(sotto_flash_queue_depth(&queue) == 0);  // sent stays sent
  return 0;
}
