// On-target: the store-and-forward event queue (device-sdk/src/device) in caller memory.
#include "sotto/device.h"
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

SOTTO_TESTS_BEGIN
SOTTO_TEST(keeps_order_and_pops_oldest_first)
SOTTO_TEST(overflow_drops_oldest_and_counts)
SOTTO_TEST(wraps_around_the_ring_byte_exactly)
SOTTO_TEST(rejects_bad_arguments)
SOTTO_TESTS_END
