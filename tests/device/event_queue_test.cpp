// The store-and-forward queue: exact order, exact drop counts, wrap-around, named errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "sotto/device.h"

namespace {

std::vector<uint8_t> record(uint8_t tag, size_t len) {
  return std::vector<uint8_t>(len, tag);
}

std::vector<uint8_t> pop_front(sotto_event_queue_t *queue) {
  uint8_t buffer[SOTTO_EVENT_MAX_ENCODED_BYTES];
  size_t len = 0;
  EXPECT_EQ(sotto_event_queue_peek(queue, buffer, sizeof buffer, &len), SOTTO_OK);
  EXPECT_EQ(sotto_event_queue_pop(queue), SOTTO_OK);
  return std::vector<uint8_t>(buffer, buffer + len);
}

TEST(EventQueue, DeliversInExactOrder) {
  uint8_t memory[SOTTO_QUEUE_BYTES_FOR_EVENTS(8)];
  sotto_event_queue_t queue;
  ASSERT_EQ(sotto_event_queue_init(&queue, memory, sizeof memory, 0), SOTTO_OK);
  for (uint8_t i = 1; i <= 5; ++i) {
    auto data = record(i, i);
    ASSERT_EQ(sotto_event_queue_push(&queue, data.data(), data.size()), SOTTO_OK);
  }
  EXPECT_EQ(sotto_event_queue_depth(&queue), 5u);
  for (uint8_t i = 1; i <= 5; ++i) {
    EXPECT_EQ(pop_front(&queue), record(i, i));
  }
  EXPECT_EQ(sotto_event_queue_depth(&queue), 0u);
  EXPECT_EQ(sotto_event_queue_dropped(&queue), 0u);
}

TEST(EventQueue, DropsOldestAndCountsWhenFullByCount) {
  uint8_t memory[SOTTO_QUEUE_BYTES_FOR_EVENTS(4)];
  sotto_event_queue_t queue;
  ASSERT_EQ(sotto_event_queue_init(&queue, memory, sizeof memory, 4), SOTTO_OK);
  for (uint8_t i = 0; i < 10; ++i) {
    auto data = record(i, 3);
    ASSERT_EQ(sotto_event_queue_push(&queue, data.data(), data.size()), SOTTO_OK);
  }
  EXPECT_EQ(sotto_event_queue_depth(&queue), 4u);
  EXPECT_EQ(sotto_event_queue_dropped(&queue), 6u);
  for (uint8_t i = 6; i < 10; ++i) {
    EXPECT_EQ(pop_front(&queue), record(i, 3));
  }
}

TEST(EventQueue, DropsOldestUntilTheNewRecordFitsInBytes) {
  uint8_t memory[50];  // no event cap: bytes decide
  sotto_event_queue_t queue;
  ASSERT_EQ(sotto_event_queue_init(&queue, memory, sizeof memory, 0), SOTTO_OK);
  for (uint8_t i = 0; i < 5; ++i) {  // 5 records of 1 + 9 bytes fill 50 bytes exactly
    auto data = record(i, 9);
    ASSERT_EQ(sotto_event_queue_push(&queue, data.data(), data.size()), SOTTO_OK);
  }
  EXPECT_EQ(sotto_event_queue_dropped(&queue), 0u);
  auto big = record(0xee, 25);  // needs 26 bytes: three 10-byte records must go
  ASSERT_EQ(sotto_event_queue_push(&queue, big.data(), big.size()), SOTTO_OK);
  EXPECT_EQ(sotto_event_queue_dropped(&queue), 3u);
  EXPECT_EQ(sotto_event_queue_depth(&queue), 3u);
  EXPECT_EQ(pop_front(&queue), record(3, 9));
  EXPECT_EQ(pop_front(&queue), record(4, 9));
  EXPECT_EQ(pop_front(&queue), big);
}

TEST(EventQueue, RecordsWrapAroundTheBufferEnd) {
  uint8_t memory[45];
  sotto_event_queue_t queue;
  ASSERT_EQ(sotto_event_queue_init(&queue, memory, sizeof memory, 0), SOTTO_OK);
  uint8_t expected_next = 0;
  uint8_t next_tag = 0;
  // Pushing and popping 7-byte records through a 45-byte ring crosses the end many times.
  for (int round = 0; round < 40; ++round) {
    std::vector<uint8_t> data(7);
    for (size_t i = 0; i < data.size(); ++i) {
      data[i] = static_cast<uint8_t>(next_tag + i);
    }
    ASSERT_EQ(sotto_event_queue_push(&queue, data.data(), data.size()), SOTTO_OK);
    next_tag = static_cast<uint8_t>(next_tag + 1);
    if (round % 2 == 1) {
      for (int k = 0; k < 2; ++k) {
        auto got = pop_front(&queue);
        std::vector<uint8_t> want(7);
        for (size_t i = 0; i < want.size(); ++i) {
          want[i] = static_cast<uint8_t>(expected_next + i);
        }
        EXPECT_EQ(got, want) << "round " << round;
        expected_next = static_cast<uint8_t>(expected_next + 1);
      }
    }
  }
  EXPECT_EQ(sotto_event_queue_depth(&queue), 0u);
  EXPECT_EQ(sotto_event_queue_dropped(&queue), 0u);
}

TEST(EventQueue, NamedErrors) {
  uint8_t memory[SOTTO_QUEUE_BYTES_FOR_EVENTS(2)];
  sotto_event_queue_t queue;
  EXPECT_EQ(sotto_event_queue_init(&queue, memory, SOTTO_QUEUE_RECORD_MAX_BYTES - 1, 0),
            SOTTO_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sotto_event_queue_init(&queue, nullptr, sizeof memory, 0), SOTTO_ERR_INVALID_ARGUMENT);
  ASSERT_EQ(sotto_event_queue_init(&queue, memory, sizeof memory, 0), SOTTO_OK);

  uint8_t out[SOTTO_EVENT_MAX_ENCODED_BYTES];
  size_t len = 0;
  EXPECT_EQ(sotto_event_queue_peek(&queue, out, sizeof out, &len), SOTTO_ERR_QUEUE_EMPTY);
  EXPECT_EQ(sotto_event_queue_pop(&queue), SOTTO_ERR_QUEUE_EMPTY);

  auto too_long = record(1, SOTTO_EVENT_MAX_ENCODED_BYTES + 1);
  EXPECT_EQ(sotto_event_queue_push(&queue, too_long.data(), too_long.size()),
            SOTTO_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sotto_event_queue_push(&queue, too_long.data(), 0), SOTTO_ERR_INVALID_ARGUMENT);

  auto data = record(7, 10);
  ASSERT_EQ(sotto_event_queue_push(&queue, data.data(), data.size()), SOTTO_OK);
  EXPECT_EQ(sotto_event_queue_peek(&queue, out, 9, &len), SOTTO_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(sotto_event_queue_depth(&queue), 1u);
}

}  // namespace
