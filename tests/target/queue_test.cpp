// On-target: the store-and-forward event queue (device-sdk/src/device) in caller memory, and
// the same queue as a log in flash (the RAM NOR port's QUEUE region): order across reopening,
// and no event lost or sent twice whichever storage op a power cut interrupts.
#include "sotto/device.h"
#include "sotto/port_ram_storage.h"
#include "sotto_test.h"

static void push_byte_event(sotto_event_queue_t *queue, uint8_t tag, size_t len) {
  uint8_t data[SOTTO_EVENT_MAX_ENCODED_BYTES];
  memset(data, tag, sizeof data);
  CHECK_EQ(sotto_event_queue_push(queue, data, len), SOTTO_OK);
}

static void keeps_order_and_pops_oldest_first(void) {
  static uint8_t memory[SOTTO_QUEUE_BYTES_FOR_EVENTS(4)];
  sotto_event_queue_t queue;
  CHECK_EQ(sotto_event_queue_init(&queue, memory, sizeof memory, 0), SOTTO_OK);
  for (uint8_t tag = 1; tag <= 3; ++tag) {
    push_byte_event(&queue, tag, tag + 5u);
  }
  CHECK_EQ(sotto_event_queue_depth(&queue), 3);
  for (uint8_t tag = 1; tag <= 3; ++tag) {
    uint8_t out[SOTTO_EVENT_MAX_ENCODED_BYTES];
    size_t len = 0;
    CHECK_EQ(sotto_event_queue_peek(&queue, out, sizeof out, &len), SOTTO_OK);
    CHECK_EQ(len, tag + 5u);
    CHECK_EQ(out[0], tag);
    CHECK_EQ(sotto_event_queue_pop(&queue), SOTTO_OK);
  }
  CHECK_EQ(sotto_event_queue_pop(&queue), SOTTO_ERR_QUEUE_EMPTY);
}

static void overflow_drops_oldest_and_counts(void) {
  static uint8_t memory[SOTTO_QUEUE_BYTES_FOR_EVENTS(8)];
  sotto_event_queue_t queue;
  CHECK_EQ(sotto_event_queue_init(&queue, memory, sizeof memory, 3), SOTTO_OK);
  for (uint8_t tag = 1; tag <= 5; ++tag) {
    push_byte_event(&queue, tag, 10);
  }
  CHECK_EQ(sotto_event_queue_depth(&queue), 3);
  CHECK_EQ(sotto_event_queue_dropped(&queue), 2);
  uint8_t out[SOTTO_EVENT_MAX_ENCODED_BYTES];
  size_t len = 0;
  CHECK_EQ(sotto_event_queue_peek(&queue, out, sizeof out, &len), SOTTO_OK);
  CHECK_EQ(out[0], 3);
}

static void wraps_around_the_ring_byte_exactly(void) {
  static uint8_t memory[100];
  sotto_event_queue_t queue;
  CHECK_EQ(sotto_event_queue_init(&queue, memory, sizeof memory, 0), SOTTO_OK);
  uint32_t popped = 0;
  for (uint32_t i = 0; i < 50; ++i) {
    push_byte_event(&queue, (uint8_t)i, 1 + i % SOTTO_EVENT_MAX_ENCODED_BYTES);
    if (i % 2 == 1) {
      uint8_t out[SOTTO_EVENT_MAX_ENCODED_BYTES];
      size_t len = 0;
      CHECK_EQ(sotto_event_queue_peek(&queue, out, sizeof out, &len), SOTTO_OK);
      for (size_t b = 0; b < len; ++b) {
        CHECK_EQ(out[b], out[0]);
      }
      CHECK_EQ(sotto_event_queue_pop(&queue), SOTTO_OK);
      ++popped;
    }
  }
  CHECK_EQ(sotto_event_queue_depth(&queue) + sotto_event_queue_dropped(&queue) + popped, 50);
}

static void rejects_bad_arguments(void) {
  static uint8_t memory[SOTTO_QUEUE_BYTES_FOR_EVENTS(1)];
  sotto_event_queue_t queue;
  CHECK_EQ(sotto_event_queue_init(&queue, memory, 4, 0), SOTTO_ERR_INVALID_ARGUMENT);
  CHECK_EQ(sotto_event_queue_init(&queue, memory, sizeof memory, 0), SOTTO_OK);
  uint8_t data[SOTTO_EVENT_MAX_ENCODED_BYTES + 1] = {0};
  CHECK_EQ(sotto_event_queue_push(&queue, data, 0), SOTTO_ERR_INVALID_ARGUMENT);
  CHECK_EQ(sotto_event_queue_push(&queue, data, sizeof data), SOTTO_ERR_INVALID_ARGUMENT);
  uint8_t small[2];
  size_t len = 0;
  CHECK_EQ(sotto_event_queue_push(&queue, data, 5), SOTTO_OK);
  CHECK_EQ(sotto_event_queue_peek(&queue, small, sizeof small, &len), SOTTO_ERR_BUFFER_TOO_SMALL);
}

enum { kSector = 128, kQueueSectors = 4 };
static uint8_t flash_memory[kSector + kQueueSectors * kSector];
static sotto_ram_storage_t storage;

static void erase_flash(void) {
  sotto_ram_storage_config_t config;
  memset(&config, 0, sizeof config);
  config.sector_bytes = kSector;
  config.state_bytes = kSector;
  config.queue_bytes = kQueueSectors * kSector;
  config.memory = flash_memory;
  config.memory_bytes = sizeof flash_memory;
  CHECK_EQ(sotto_ram_storage_init(&storage, &config), SOTTO_OK);
}

static sotto_err_t open_flash_queue(sotto_flash_queue_t *queue) {
  sotto_storage_port_t port = sotto_ram_storage_port(&storage);
  return sotto_flash_queue_open(queue, &port, 0);
}

static sotto_err_t push_flash_event(sotto_flash_queue_t *queue, uint8_t tag) {
  uint8_t data[24];
  memset(data, tag, sizeof data);
  return sotto_flash_queue_push(queue, data, sizeof data, 1u + tag / 8u);
}

// The tags of the queued events, oldest first, taken out one by one (pop marks them sent).
static uint32_t drain_tags(sotto_flash_queue_t *queue, uint8_t *tags, uint32_t max) {
  uint32_t n = 0;
  for (;;) {
    uint8_t out[SOTTO_EVENT_MAX_ENCODED_BYTES];
    size_t len = 0;
    uint32_t boot_id = 0;
    sotto_err_t err = sotto_flash_queue_peek(queue, out, sizeof out, &len, &boot_id);
    if (err != SOTTO_OK) {
      CHECK_EQ(err, SOTTO_ERR_QUEUE_EMPTY);
      return n;
    }
    CHECK_EQ(len, 24);
    CHECK_EQ(boot_id, 1u + out[0] / 8u);
    if (n < max) {
      tags[n] = out[0];
    }
    ++n;
    CHECK_EQ(sotto_flash_queue_pop(queue), SOTTO_OK);
  }
}

static void flash_queue_keeps_order_across_reopening(void) {
  erase_flash();
  sotto_flash_queue_t queue;
  CHECK_EQ(open_flash_queue(&queue), SOTTO_OK);
  for (uint8_t tag = 0; tag < 10; ++tag) {
    CHECK_EQ(push_flash_event(&queue, tag), SOTTO_OK);
  }
  CHECK_EQ(sotto_flash_queue_pop(&queue), SOTTO_OK);
  CHECK_EQ(open_flash_queue(&queue), SOTTO_OK);
  CHECK_EQ(sotto_flash_queue_depth(&queue), 9);
  uint8_t tags[16];
  CHECK_EQ(drain_tags(&queue, tags, 16), 9);
  for (uint8_t i = 0; i < 9; ++i) {
    CHECK_EQ(tags[i], i + 1);
  }
  CHECK_EQ(open_flash_queue(&queue), SOTTO_OK);
  CHECK_EQ(sotto_flash_queue_depth(&queue), 0);
}

// 12 pushes (two boots, three sectors) and 4 pops, cut during every op with the write or erase
// torn somewhere (from either end, sometimes finished but unreported): after reopening, the queue
// holds the events pushed with OK and not popped with OK, in order, plus the interrupted push's
// event or minus the interrupted pop's event.
static void flash_queue_power_cut_at_every_operation(void) {
  enum { kPushes = 12 };
  for (uint64_t k = 0; k < 40; ++k) {
    erase_flash();
    sotto_flash_queue_t queue;
    CHECK_EQ(open_flash_queue(&queue), SOTTO_OK);
    sotto_ram_storage_tear_t tear = {(k * 37u) % 300u, (int)(k & 1u)};
    sotto_ram_storage_cut_power_during(&storage, k, tear);
    uint8_t first = 0;   /* oldest tag still expected */
    uint8_t next = 0;    /* next tag to push */
    int interrupted = 0; /* 1: a push, 2: a pop */
    for (int step = 0; step < kPushes + 4 && interrupted == 0; ++step) {
      if (step % 4 == 3) {
        if (sotto_flash_queue_pop(&queue) == SOTTO_OK) {
          ++first;
        } else {
          interrupted = 2;
        }
      } else if (push_flash_event(&queue, next) == SOTTO_OK) {
        ++next;
      } else {
        interrupted = 1;
      }
    }
    sotto_ram_storage_restore_power(&storage);
    CHECK_EQ(open_flash_queue(&queue), SOTTO_OK);
    uint8_t tags[32];
    uint32_t n = drain_tags(&queue, tags, 32);
    uint32_t expected = (uint32_t)(next - first);
    if (interrupted == 1 && n == expected + 1) {
      CHECK_EQ(tags[n - 1], next); /* the interrupted push got in */
      --n;
    } else if (interrupted == 2 && n + 1 == expected) {
      ++first; /* the interrupted pop's mark got in */
      expected -= 1;
    }
    CHECK_EQ(n, expected);
    for (uint32_t i = 0; i < n && i < 32; ++i) {
      CHECK_EQ(tags[i], (uint8_t)(first + i));
    }
  }
}

SOTTO_TESTS_BEGIN
SOTTO_TEST(keeps_order_and_pops_oldest_first)
SOTTO_TEST(overflow_drops_oldest_and_counts)
SOTTO_TEST(wraps_around_the_ring_byte_exactly)
SOTTO_TEST(rejects_bad_arguments)
SOTTO_TEST(flash_queue_keeps_order_across_reopening)
SOTTO_TEST(flash_queue_power_cut_at_every_operation)
SOTTO_TESTS_END
